// The chat run's events read into plain actions, and the run remembered across a reload
// (no DOM: unit-tested in node, tests/js/).

export const RUN_KEY = "salesbot.chat.run";
const LOST = "The assistant could not finish this reply. Please try again.";

/** A produced proposal in a tool's data ({id, client_name}), or null: its card can be shared. */
export function proposalOf(data) {
  if (!data || typeof data !== "object" || typeof data.id !== "string" || typeof data.client_name !== "string") return null;
  if (!Array.isArray(data.locations) || !("root_id" in data)) return null;
  return { id: data.id, client_name: data.client_name };
}

/**
 * One SSE event of a chat run as an action for the reply view, or null for events it ignores.
 * The server's field names vary by event and provider; every spelling seen is accepted.
 */
export function readEvent(event, data) {
  const d = data && typeof data === "object" ? data : {};
  const tool = { id: d.tool_call_id || d.id, name: d.name || d.tool };
  switch (event) {
    case "run":
    case "message_start":
      return { type: "run", runId: d.run_id ? String(d.run_id) : null, started: event === "message_start" };
    case "delta":
      return { type: "delta", text: String(d.text ?? d.content ?? d.delta ?? "") };
    case "tool_started":
      return { type: "tool_started", ...tool };
    case "tool_progress":
      return { type: "tool_progress", ...tool, fraction: d.percent !== undefined ? Number(d.percent) / 100 : Number(d.progress), message: d.message || d.stage };
    case "tool_result":
      return {
        type: "tool_result",
        ...tool,
        ok: d.ok !== false && !d.error && !d.is_error,
        summary: d.summary || d.error || "",
        cards: d.files || d.file_cards || d.cards || [],
        proposal: proposalOf(d.data),
      };
    case "message_end":
      return { type: "end" };
    case "error":
      return { type: "error", message: String(d.message || LOST) };
    default:
      return null;
  }
}

/** The run being followed when the page was left ({runId, conversationId}), or null. */
export function savedRun(storage = null) {
  try {
    // Read inside the try: with storage disabled, even touching sessionStorage throws.
    return JSON.parse((storage || globalThis.sessionStorage).getItem(RUN_KEY) || "null");
  } catch {
    return null;
  }
}

/** Remember the run (or forget it with null) so a reload can resume it. */
export function saveRun(run, storage = null) {
  try {
    const store = storage || globalThis.sessionStorage;
    if (run) store.setItem(RUN_KEY, JSON.stringify(run));
    else store.removeItem(RUN_KEY);
  } catch {
    /* storage disabled: no resume after reload */
  }
}
