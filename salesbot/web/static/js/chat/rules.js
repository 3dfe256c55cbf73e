// What the chat page shows, decided without the DOM (unit-tested in node: tests/js/).
// The limits (maxChars, maxFiles) are the server's, from /api/meta: callers pass them in.

const count = (n) => n.toLocaleString("en-US");

/** "17 / 10,000" under the composer. */
export function counterText(length, maxChars) {
  return `${count(length)} / ${count(maxChars)}`;
}

/** The counter's warning level: "over" the limit, "near" it (90 %), or "". */
export function counterLevel(length, maxChars) {
  return length > maxChars ? "over" : length > maxChars * 0.9 ? "near" : "";
}

/**
 * Whether the composer may send, and the error it shows.
 * attachments: [{status}] with status "uploading" | "done" | "error".
 */
export function composerCheck({ text, maxChars, attachments = [], streaming = false, mayWrite = true }) {
  const length = text.length;
  const uploading = attachments.some((a) => a.status === "uploading");
  const failed = attachments.some((a) => a.status === "error");
  const error =
    length > maxChars
      ? `Messages can have at most ${count(maxChars)} characters; this one has ${count(length)}.`
      : failed
        ? "Remove the files that could not be uploaded to send."
        : "";
  return { canSend: mayWrite && !streaming && !uploading && !failed && length <= maxChars && !!text.trim(), error };
}

/** How many of `incoming` files fit next to `current` attached ones. */
export function filesThatFit(current, incoming, maxFiles) {
  return Math.max(0, Math.min(incoming, maxFiles - current));
}

/** Pinned conversations first, the API's order otherwise (the sort is stable). */
export function pinnedFirst(items) {
  return [...items].sort((a, b) => Number(b.pinned) - Number(a.pinned));
}

/** Messages worth a bubble: no system prompts, no tool-call-only assistant turns (their results show as tool cards). */
export function visibleMessages(items) {
  const out = [];
  for (const m of items) {
    if (m.role === "system" || (m.role === "assistant" && !m.content && m.tool_calls && m.tool_calls.length)) continue;
    // The result shows once: a reply that only repeats the tool card before it is left out.
    const prev = out[out.length - 1];
    if (m.role === "assistant" && prev && prev.role === "tool" && repeats(m.content, prev.content)) continue;
    out.push(m);
  }
  return out;
}

/** Does `reply` say nothing but `summary` (a tool's result) again? */
export function repeats(reply, summary) {
  const squash = (text) => String(text || "").replace(/\s+/g, " ").trim();
  return squash(reply) !== "" && squash(reply) === squash(summary);
}

/** A search hit's link: the conversation, at the message when the hit is one. */
export function hitHref(hit) {
  return `/chat/${hit.conversation_id}${hit.message_id ? `?m=${hit.message_id}` : ""}`;
}

/**
 * A snippet cut into [{text, mark}] pieces, `mark` on the highlighted ranges ([start, end) pairs).
 * Overlapping, reversed or out-of-bounds ranges are ignored.
 */
export function highlightPieces(snippet, ranges) {
  const out = [];
  let pos = 0;
  const sorted = [...(ranges || [])].filter((r) => Array.isArray(r) && r.length === 2).sort((a, b) => a[0] - b[0]);
  for (const [start, end] of sorted) {
    if (start < pos || end <= start || end > snippet.length) continue;
    if (start > pos) out.push({ text: snippet.slice(pos, start), mark: false });
    out.push({ text: snippet.slice(start, end), mark: true });
    pos = end;
  }
  if (pos < snippet.length) out.push({ text: snippet.slice(pos), mark: false });
  return out;
}
