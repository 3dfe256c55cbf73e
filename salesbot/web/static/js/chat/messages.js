// Rendering of chat messages: safe Markdown, tool activity with progress, file cards, previews.
import { currentUser } from "../api.js";
import { formatBytes, formatDateTime, h } from "../dom.js";
import { renderMarkdown } from "../markdown.js";
import { openShareDialog } from "../share-dialog.js";
import { repeats } from "./rules.js";
import { proposalOf } from "./run-events.js";

const TOOL_LABELS = {
  create_separate_proposals: "Creating proposals",
  create_combined_proposal: "Creating a combined proposal",
  revise_proposal: "Changing the proposal",
  list_locations: "Looking up locations",
  find_location: "Finding the location",
  generate_mockup: "Generating the mockup",
  parse_booking_order: "Reading the booking order",
  edit_booking_order: "Updating the booking order",
  submit_booking_order: "Submitting the booking order",
  approve_booking_order: "Approving the booking order",
  reject_booking_order: "Rejecting the booking order",
  booking_order_status: "Checking the booking order",
  proposal_history: "Looking up proposals",
  share_proposal: "Sharing the proposal",
};

/** "Share with client" on a produced proposal's card. */
function shareButton(proposal) {
  const button = h("button", { type: "button", class: "btn btn-small share-card-action", "aria-label": `Share the ${proposal.client_name} proposal` }, "Share with client");
  button.addEventListener("click", async () => openShareDialog(proposal, await currentUser()));
  return button;
}

export function toolLabel(name) {
  return TOOL_LABELS[name] || (name ? name.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase()) : "Working");
}

/** Cards come as FileCard (file_id, content_type) or file metadata (id, kind): accept both. */
export function normaliseFile(raw) {
  if (!raw || typeof raw !== "object") return null;
  const id = raw.file_id || raw.id;
  if (!id) return null;
  return {
    id: String(id),
    name: String(raw.name || raw.original_name || "file"),
    type: String(raw.content_type || raw.type || raw.kind || ""),
    size: Number(raw.size),
    download: safeUrl(raw.download_url || raw.url) || `/api/files/${encodeURIComponent(id)}/content`,
    preview: safeUrl(raw.preview_url),
  };
}

function safeUrl(url) {
  // Same-site paths or http(s) only (S3 presigned URLs); never javascript: or data:.
  if (typeof url !== "string") return null;
  if (/^\/(?![/\\])/.test(url)) return url;
  return /^https?:\/\//i.test(url) ? url : null;
}

export function fileCard(raw) {
  const file = normaliseFile(raw);
  if (!file) return null;
  const isImage = file.type.startsWith("image/") || ["jpeg", "jpg", "png", "gif", "webp", "bmp"].includes(file.type);
  const preview = isImage ? file.preview || file.download : null;
  return h(
    "div",
    { class: "file-card", dataset: { fileId: file.id } },
    preview ? h("a", { href: file.download, class: "file-preview", target: "_blank", rel: "noopener" }, h("img", { src: preview, alt: `Preview of ${file.name}`, loading: "lazy" })) : null,
    h(
      "div",
      { class: "file-meta" },
      h("span", { class: "file-icon", "aria-hidden": "true" }, (file.name.split(".").pop() || "").slice(0, 4).toUpperCase()),
      h("span", { class: "file-name", title: file.name }, file.name),
      Number.isFinite(file.size) ? h("span", { class: "muted small" }, formatBytes(file.size)) : null,
      h("a", { href: file.download, class: "btn btn-small", download: file.name, "aria-label": `Download ${file.name}` }, "Download"),
    ),
  );
}

/** A tool activity card; update it with setProgress / finish. */
export function toolCard(name, id) {
  const bar = h("progress", { max: 100, "aria-label": `${toolLabel(name)} progress` });
  const status = h("span", { class: "tool-status muted small" }, "Started");
  const files = h("div", { class: "file-cards" });
  const card = h(
    "div",
    { class: "tool-card", dataset: { toolId: id || "", state: "running" }, role: "group", "aria-label": toolLabel(name) },
    h("div", { class: "tool-head" }, h("span", { class: "spinner", "aria-hidden": "true" }), h("strong", {}, toolLabel(name)), status),
    bar,
    files,
  );
  return {
    card,
    setProgress(fraction, message) {
      if (Number.isFinite(fraction)) {
        const pct = Math.max(0, Math.min(100, fraction * 100));
        bar.value = pct;
        bar.textContent = `${Math.round(pct)} %`;
      }
      if (message) status.textContent = String(message).slice(0, 200);
    },
    summary: "",
    finish({ ok = true, summary = "", cards = [], proposal = null } = {}) {
      card.dataset.state = ok ? "done" : "failed";
      bar.value = 100;
      bar.hidden = true;
      this.summary = String(summary || "");
      status.textContent = summary ? String(summary).slice(0, 2000) : ok ? "Done" : "Failed";
      cards.forEach((c) => {
        const el = fileCard(c);
        if (el) files.append(el);
      });
      if (ok && proposal) files.append(shareButton(proposal));
    },
  };
}

function cardsFrom(message) {
  const meta = message.metadata || {};
  const list = [...(meta.files || []), ...(meta.file_cards || []), ...(meta.cards || [])];
  return list;
}

/** One stored message as DOM. Tool results show as finished tool cards. */
export function messageNode(message) {
  const role = message.role;
  const body = h("div", { class: "bubble" });
  if (role === "user") {
    body.append(h("p", { class: "user-text" }, message.content));
    (message.attachments || []).forEach((a) => {
      const el = fileCard(a);
      if (el) body.append(el);
    });
  } else if (role === "tool") {
    const meta = message.metadata || {};
    const tool = toolCard(meta.tool || meta.tool_name || meta.name || "", message.tool_call_id);
    const proposal = proposalOf(meta.result && meta.result.data);
    tool.finish({ ok: meta.ok !== false && !meta.is_error, summary: message.content, cards: [...(message.attachments || []), ...cardsFrom(message)], proposal });
    body.append(tool.card);
  } else {
    const md = h("div", { class: "md" });
    md.append(renderMarkdown(message.content || ""));
    body.append(md);
    const cards = cardsFrom(message);
    if (cards.length) body.append(h("div", { class: "file-cards" }, cards.map(fileCard)));
  }
  return h(
    "article",
    { class: `msg msg-${role}`, dataset: { id: message.id, role, run: (message.metadata && message.metadata.run_id) || "" }, "aria-label": role === "user" ? "You" : role === "tool" ? "Tool" : "Assistant" },
    body,
    h("time", { class: "msg-time", datetime: message.created_at }, formatDateTime(message.created_at)),
  );
}

/** The assistant's reply while it streams in: feed it deltas and tool events, then done() or fail(). */
export function streamingReply() {
  const md = h("div", { class: "md" });
  const tools = h("div", { class: "tools" });
  const typing = h("p", { class: "typing muted small" }, "Thinking…");
  const node = h("article", { class: "msg msg-assistant streaming", dataset: { role: "assistant" }, "aria-label": "Assistant", "aria-busy": "true" }, h("div", { class: "bubble" }, tools, md, typing));
  let text = "";
  let frame = 0;
  const cards = new Map();
  const paint = () => {
    frame = 0;
    md.replaceChildren(renderMarkdown(text));
  };
  return {
    node,
    delta(piece) {
      text += piece;
      typing.hidden = true;
      // Repaint at most once a frame however fast the deltas come.
      if (!frame) frame = requestAnimationFrame(paint);
    },
    tool(id, name) {
      const card = toolCard(name, id);
      cards.set(id || name, card);
      tools.append(card.card);
      typing.hidden = true;
      return card;
    },
    getTool(id, name) {
      return cards.get(id) || cards.get(name) || this.tool(id, name);
    },
    done() {
      if (frame) cancelAnimationFrame(frame);
      paint();
      // The result shows once: a reply that only repeats a tool card's summary is dropped.
      if ([...cards.values()].some((c) => repeats(text, c.summary))) md.remove();
      typing.remove();
      node.classList.remove("streaming");
      node.removeAttribute("aria-busy");
    },
    fail(message) {
      this.done();
      node.querySelector(".bubble").append(h("p", { class: "inline-error", role: "alert" }, message));
    },
  };
}
