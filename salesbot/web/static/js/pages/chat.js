// Chat: conversation sidebar with search, message history, composer with attachments, streaming.
import { ApiError, api, can } from "../api.js";
import { h, replace, svg } from "../dom.js";
import { renderMarkdown } from "../markdown.js";
import { messageNode, toolCard } from "../chat/messages.js";
import { resumeChat, startChat } from "../chat/sse.js";
import { uploadFile } from "../chat/upload.js";
import { confirmDialog, emptyState, openDialog, reportError, toast } from "../ui.js";

const MAX_CHARS = 10_000;
const MAX_FILES = 10;
const RUN_KEY = "salesbot.chat.run";
function icon(path) {
  return svg(
    "svg",
    { viewBox: "0 0 24 24", width: 18, height: 18, "aria-hidden": "true", focusable: "false" },
    svg("path", { d: path, fill: "none", stroke: "currentColor", "stroke-width": 1.8, "stroke-linecap": "round", "stroke-linejoin": "round" }),
  );
}
const CLIP = "M21 11l-8.5 8.5a5 5 0 0 1-7-7L14 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L15 7";
const PIN = "M9 4h6l-1 6 3 3H7l3-3zM12 13v7";

const SUGGESTIONS = [
  "Make me a landmark proposal, start Jan 1st 2026, durations 2 weeks, 4 weeks, rates 1.5M, 2.8M, client Nike",
  "Combined package for gateway and uae21, start Feb 1st 2026, 4 weeks, total 3M, client Adidas",
  "Mockup for landmark at night",
  "List locations",
];

function savedRun() {
  try {
    return JSON.parse(sessionStorage.getItem(RUN_KEY) || "null");
  } catch {
    return null;
  }
}

function saveRun(run) {
  try {
    if (run) sessionStorage.setItem(RUN_KEY, JSON.stringify(run));
    else sessionStorage.removeItem(RUN_KEY);
  } catch {
    /* storage disabled: no resume after reload */
  }
}

/** The snippet with its matched ranges wrapped in <mark>, built as nodes (never snippet_html). */
function highlighted(snippet, ranges) {
  const out = [];
  let pos = 0;
  const sorted = [...(ranges || [])].filter((r) => Array.isArray(r) && r.length === 2).sort((a, b) => a[0] - b[0]);
  for (const [start, end] of sorted) {
    if (start < pos || end <= start || end > snippet.length) continue;
    if (start > pos) out.push(snippet.slice(pos, start));
    out.push(h("mark", {}, snippet.slice(start, end)));
    pos = end;
  }
  if (pos < snippet.length) out.push(snippet.slice(pos));
  return out;
}

export async function render({ main, user, params, query, navigate }) {
  const mayWrite = can(user, "conversations:create");
  const mayDelete = can(user, "conversations:delete");
  const mayUpload = can(user, "files:upload");
  const state = {
    id: params.id || null,
    conversation: null,
    cursor: null,
    hasMore: false,
    loadingOlder: false,
    listCursor: null,
    listHasMore: false,
    listLoading: false,
    showArchived: false,
    streaming: null, // {controller, runId, lastEventId}
    attachments: [], // {file, status, progress, meta, error, node}
    disposed: false,
  };

  /* ---------- layout ---------- */
  const searchInput = h("input", { type: "search", id: "chat-search", placeholder: "Search conversations", "aria-label": "Search conversations", maxlength: 500 });
  const newBtn = h("button", { type: "button", class: "btn btn-primary", disabled: !mayWrite }, "New chat");
  const archivedToggle = h("button", { type: "button", class: "btn btn-small btn-quiet", "aria-pressed": "false" }, "Show archived");
  const convList = h("ul", { class: "conv-list", "aria-label": "Conversations" });
  const listSentinel = h("li", { class: "sentinel", "aria-hidden": "true" });
  const searchResults = h("div", { class: "search-results", hidden: true, role: "region", "aria-label": "Search results" });
  const pane = h(
    "aside",
    { class: "conv-pane", "aria-label": "Conversations" },
    h("div", { class: "conv-tools" }, newBtn, searchInput),
    searchResults,
    h("div", { class: "conv-scroll" }, convList),
    h("div", { class: "conv-foot" }, archivedToggle),
  );

  const backBtn = h("button", { type: "button", class: "btn btn-small btn-quiet back-btn" }, "‹ Conversations");
  const title = h("h1", { class: "thread-title" }, "New chat");
  const actions = h("div", { class: "thread-actions" });
  const log = h("div", { class: "messages", role: "log", "aria-live": "polite", "aria-label": "Messages", tabindex: "0" });
  const topSentinel = h("div", { class: "sentinel", "aria-hidden": "true" });
  const history = h("div", { class: "history" });
  log.append(topSentinel, history);

  const textarea = h("textarea", {
    id: "composer",
    name: "message",
    rows: "1",
    placeholder: "Ask for a proposal, a mockup or a booking order…",
    "aria-label": "Message",
    "aria-describedby": "composer-count composer-help",
    disabled: !mayWrite,
  });
  const counter = h("span", { id: "composer-count", class: "counter muted small", "aria-live": "polite" }, `0 / ${MAX_CHARS.toLocaleString("en-US")}`);
  const fileInput = h("input", { type: "file", multiple: true, hidden: true, id: "attach-input" });
  const attachBtn = h("button", { type: "button", class: "icon-btn", "aria-label": "Attach files", disabled: !mayUpload || !mayWrite, title: "Attach files" }, icon(CLIP));
  const sendBtn = h("button", { type: "submit", class: "btn btn-primary", disabled: true }, "Send");
  const stopBtn = h("button", { type: "button", class: "btn", hidden: true }, "Stop");
  const tray = h("ul", { class: "attach-tray", "aria-label": "Attachments" });
  const composerError = h("p", { class: "field-error", role: "alert", hidden: true });
  const composer = h(
    "form",
    { class: "composer", "aria-label": "Write a message" },
    tray,
    composerError,
    h("div", { class: "composer-row" }, attachBtn, fileInput, textarea, stopBtn, sendBtn),
    h("div", { class: "composer-foot" }, h("span", { id: "composer-help", class: "muted small" }, "Enter sends · Shift+Enter adds a line · drop or paste files to attach"), counter),
  );
  const dropHint = h("div", { class: "drop-hint", hidden: true }, "Drop files to attach them");
  const thread = h(
    "section",
    { class: "thread", "aria-label": "Conversation" },
    h("header", { class: "thread-head" }, backBtn, title, actions),
    log,
    composer,
    dropHint,
  );
  const root = h("div", { class: "chat", dataset: { view: state.id || query.get("new") ? "thread" : "list" } }, pane, thread);
  main.classList.add("main-chat");
  replace(main, root);

  /* ---------- conversation list ---------- */
  const convItem = (c) => {
    const link = h(
      "a",
      { href: `/chat/${c.id}`, class: "conv-link", "aria-current": c.id === state.id ? "page" : null },
      c.pinned ? h("span", { class: "pin", role: "img", "aria-label": "Pinned", title: "Pinned" }, icon(PIN)) : null,
      h("span", { class: "conv-title" }, c.title || "New chat"),
      c.archived ? h("span", { class: "badge badge-muted" }, "Archived") : null,
    );
    return h("li", { dataset: { id: c.id } }, link);
  };

  async function loadList(reset) {
    if (state.listLoading) return;
    state.listLoading = true;
    try {
      const page = await api.get("/api/conversations", {
        query: { cursor: reset ? null : state.listCursor, limit: 30, archived: state.showArchived ? true : false },
      });
      if (reset) convList.replaceChildren();
      listSentinel.remove();
      const items = [...page.items].sort((a, b) => Number(b.pinned) - Number(a.pinned));
      convList.append(...items.map(convItem));
      state.listCursor = page.next_cursor;
      state.listHasMore = page.has_more;
      if (!convList.children.length) {
        convList.append(h("li", { class: "conv-empty muted small" }, state.showArchived ? "No archived conversations." : "No conversations yet. Start one with “New chat”."));
      }
      if (state.listHasMore) convList.append(listSentinel);
    } catch (err) {
      reportError(err);
    } finally {
      state.listLoading = false;
    }
  }

  const listObserver = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && state.listHasMore) loadList(false);
  });
  listObserver.observe(listSentinel);

  function markCurrent() {
    convList.querySelectorAll(".conv-link").forEach((a) => {
      if (a.getAttribute("href") === `/chat/${state.id}`) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
  }

  archivedToggle.addEventListener("click", () => {
    state.showArchived = !state.showArchived;
    archivedToggle.setAttribute("aria-pressed", String(state.showArchived));
    archivedToggle.textContent = state.showArchived ? "Show active" : "Show archived";
    loadList(true);
  });

  newBtn.addEventListener("click", () => navigate("/chat?new=1"));
  backBtn.addEventListener("click", () => {
    root.dataset.view = "list";
  });

  /* ---------- search ---------- */
  let searchTimer = null;
  let searchSeq = 0;
  async function runSearch() {
    const q = searchInput.value.trim();
    const seq = ++searchSeq;
    if (!q) {
      searchResults.hidden = true;
      searchResults.replaceChildren();
      return;
    }
    try {
      const page = await api.get("/api/conversations/search", { query: { q, limit: 20 } });
      if (seq !== searchSeq || state.disposed) return;
      searchResults.hidden = false;
      if (!page.items.length) {
        replace(searchResults, h("p", { class: "muted small search-empty" }, `Nothing found for “${q}”.`));
        return;
      }
      replace(
        searchResults,
        h(
          "ul",
          { class: "hit-list" },
          page.items.map((hit) =>
            h(
              "li",
              {},
              h(
                "a",
                { class: "hit", href: `/chat/${hit.conversation_id}${hit.message_id ? `?m=${hit.message_id}` : ""}` },
                h("span", { class: "hit-title" }, hit.conversation_title || "Conversation"),
                h("span", { class: "hit-snippet" }, highlighted(hit.snippet || "", hit.highlights)),
              ),
            ),
          ),
        ),
      );
    } catch (err) {
      if (seq === searchSeq) reportError(err, searchResults);
      searchResults.hidden = false;
    }
  }
  searchInput.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 250);
  });
  searchInput.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      searchInput.value = "";
      runSearch();
    }
  });

  /* ---------- thread header actions ---------- */
  function paintHeader() {
    const c = state.conversation;
    title.textContent = c ? c.title || "New chat" : "New chat";
    actions.replaceChildren();
    if (!c || !mayWrite) return;
    const rename = h("button", { type: "button", class: "btn btn-small" }, "Rename");
    const pin = h("button", { type: "button", class: "btn btn-small", "aria-pressed": String(c.pinned) }, c.pinned ? "Unpin" : "Pin");
    const archive = h("button", { type: "button", class: "btn btn-small" }, c.archived ? "Unarchive" : "Archive");
    const exportLink = can(user, "conversations:export")
      ? h("a", { class: "btn btn-small", href: `/api/conversations/${c.id}/export?format=md`, download: "" }, "Export")
      : null;
    const del = mayDelete ? h("button", { type: "button", class: "btn btn-small btn-danger-quiet" }, "Delete") : null;
    rename.addEventListener("click", () => renameDialog());
    pin.addEventListener("click", () => patch({ pinned: !c.pinned }, c.pinned ? "Unpinned." : "Pinned."));
    archive.addEventListener("click", () => patch({ archived: !c.archived }, c.archived ? "Moved back to your conversations." : "Archived."));
    if (del) {
      del.addEventListener("click", async () => {
        const ok = await confirmDialog({ title: "Delete this conversation?", message: `“${c.title}” will disappear from your list and from search.`, confirmLabel: "Delete", danger: true });
        if (!ok) return;
        try {
          await api.del(`/api/conversations/${c.id}`);
          toast("The conversation was deleted.");
          await loadList(true);
          navigate("/chat");
        } catch (err) {
          reportError(err);
        }
      });
    }
    actions.append(rename, pin, archive, exportLink, del);
  }

  async function patch(body, message) {
    try {
      state.conversation = await api.patch(`/api/conversations/${state.id}`, body);
      paintHeader();
      toast(message);
      await loadList(true);
      markCurrent();
    } catch (err) {
      reportError(err);
    }
  }

  function renameDialog() {
    const input = h("input", { id: "rename-input", name: "title", value: state.conversation.title, maxlength: 200, required: true });
    const errorBox = h("p", { class: "form-error", role: "alert", hidden: true });
    const save = h("button", { type: "submit", class: "btn btn-primary" }, "Save");
    const cancel = h("button", { type: "button", class: "btn" }, "Cancel");
    const form = h("form", { class: "form" }, errorBox, h("div", { class: "field" }, h("label", { for: "rename-input" }, "Title"), input), h("div", { class: "form-actions" }, cancel, save));
    const { close } = openDialog({ title: "Rename conversation", body: form });
    input.select();
    cancel.addEventListener("click", () => close(null));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = input.value.trim();
      if (!value) {
        errorBox.textContent = "Please enter a title.";
        errorBox.hidden = false;
        input.setAttribute("aria-invalid", "true");
        return;
      }
      close(null);
      await patch({ title: value }, "Renamed.");
    });
  }

  /* ---------- messages ---------- */
  function showSuggestions() {
    if (!mayWrite) {
      history.replaceChildren(emptyState("No messages yet.", "This conversation is empty."));
      return;
    }
    const chips = SUGGESTIONS.map((text) => {
      const chip = h("button", { type: "button", class: "suggestion" }, text);
      chip.addEventListener("click", () => {
        textarea.value = text;
        updateCounter();
        send();
      });
      return chip;
    });
    history.replaceChildren(
      h(
        "div",
        { class: "suggestions" },
        h("p", { class: "empty-title" }, "What can I prepare for you?"),
        h("p", { class: "muted" }, "Write a request below or start from one of these:"),
        h("div", { class: "suggestion-list" }, chips),
      ),
    );
  }

  function visible(items) {
    // Tool-call-only assistant turns carry no text; their results show as tool cards.
    return items.filter((m) => m.role !== "system" && !(m.role === "assistant" && !m.content && m.tool_calls && m.tool_calls.length));
  }

  async function loadOlder() {
    if (state.loadingOlder || !state.hasMore || !state.id) return false;
    state.loadingOlder = true;
    const id = state.id;
    try {
      const page = await api.get(`/api/conversations/${id}/messages`, { query: { before: state.cursor, limit: 30 } });
      if (id !== state.id || state.disposed) return false;
      const before = log.scrollHeight;
      const top = log.scrollTop;
      const nodes = visible([...page.items].reverse()).map(messageNode);
      history.prepend(...nodes);
      // Keep the message the user was reading where it was.
      log.scrollTop = top + (log.scrollHeight - before);
      state.cursor = page.next_cursor;
      state.hasMore = page.has_more;
      return true;
    } catch (err) {
      reportError(err);
      return false;
    } finally {
      state.loadingOlder = false;
    }
  }

  const topObserver = new IntersectionObserver(
    (entries) => {
      if (entries.some((e) => e.isIntersecting) && state.hasMore && !state.loadingOlder && history.children.length) loadOlder();
    },
    { root: log, rootMargin: "200px 0px 0px 0px" },
  );
  topObserver.observe(topSentinel);

  function scrollToBottom() {
    log.scrollTop = log.scrollHeight;
  }

  async function focusMessage(messageId) {
    for (let i = 0; i < 40; i += 1) {
      const el = history.querySelector(`[data-id="${CSS.escape(messageId)}"]`);
      if (el) {
        el.classList.add("hit-target");
        el.scrollIntoView({ block: "center" });
        return;
      }
      if (!(await loadOlder())) break;
    }
    toast("That message is no longer in this conversation.", { kind: "warn" });
  }

  async function openConversation() {
    history.replaceChildren();
    state.conversation = null;
    state.cursor = null;
    state.hasMore = false;
    if (!state.id) {
      paintHeader();
      showSuggestions();
      return;
    }
    try {
      const [conversation, page] = await Promise.all([
        api.get(`/api/conversations/${state.id}`),
        api.get(`/api/conversations/${state.id}/messages`, { query: { limit: 30 } }),
      ]);
      if (state.disposed) return;
      state.conversation = conversation;
      paintHeader();
      state.cursor = page.next_cursor;
      state.hasMore = page.has_more;
      const items = visible([...page.items].reverse());
      if (!items.length) showSuggestions();
      else history.append(...items.map(messageNode));
      scrollToBottom();
      const target = query.get("m");
      if (target) await focusMessage(target);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        history.replaceChildren(emptyState("This conversation does not exist or was deleted.", "Pick another one or start a new chat."));
        return;
      }
      reportError(err, history);
    }
  }

  /* ---------- attachments ---------- */
  function paintTray() {
    tray.replaceChildren(
      ...state.attachments.map((a) => {
        const remove = h("button", { type: "button", class: "icon-btn", "aria-label": `Remove ${a.file.name}` }, "×");
        remove.addEventListener("click", () => {
          if (a.xhrAbort) a.xhrAbort();
          state.attachments = state.attachments.filter((x) => x !== a);
          paintTray();
          updateCounter();
        });
        return h(
          "li",
          { class: `attachment attachment-${a.status}`, dataset: { name: a.file.name } },
          h("span", { class: "attachment-name" }, a.file.name),
          a.status === "uploading" ? h("progress", { max: 100, value: Math.round(a.progress * 100), "aria-label": `Uploading ${a.file.name}` }) : null,
          a.status === "error" ? h("span", { class: "field-error", role: "alert" }, a.error) : null,
          a.status === "done" ? h("span", { class: "muted small" }, "Ready") : null,
          remove,
        );
      }),
    );
  }

  function addFiles(files) {
    if (!mayUpload || !mayWrite) return;
    const list = [...files];
    if (state.attachments.length + list.length > MAX_FILES) {
      toast(`You can attach up to ${MAX_FILES} files to one message.`, { kind: "warn" });
      list.splice(MAX_FILES - state.attachments.length);
    }
    for (const file of list) {
      const item = { file, status: "uploading", progress: 0, meta: null, error: "" };
      state.attachments.push(item);
      uploadFile(file, (fraction) => {
        item.progress = fraction;
        const bar = tray.querySelector(`[data-name="${CSS.escape(file.name)}"] progress`);
        if (bar) bar.value = Math.round(fraction * 100);
      })
        .then((meta) => {
          item.status = "done";
          item.meta = meta;
        })
        .catch((err) => {
          item.status = "error";
          item.error = err instanceof ApiError ? err.message : "The upload failed.";
        })
        .finally(() => {
          paintTray();
          updateCounter();
        });
    }
    paintTray();
    updateCounter();
  }

  fileInput.addEventListener("change", () => {
    addFiles(fileInput.files);
    fileInput.value = "";
  });
  attachBtn.addEventListener("click", () => fileInput.click());
  let dragDepth = 0;
  thread.addEventListener("dragenter", (event) => {
    if (!event.dataTransfer || ![...event.dataTransfer.types].includes("Files")) return;
    dragDepth += 1;
    dropHint.hidden = false;
  });
  thread.addEventListener("dragleave", () => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (!dragDepth) dropHint.hidden = true;
  });
  thread.addEventListener("dragover", (event) => {
    if (event.dataTransfer && [...event.dataTransfer.types].includes("Files")) event.preventDefault();
  });
  thread.addEventListener("drop", (event) => {
    dragDepth = 0;
    dropHint.hidden = true;
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault();
    addFiles(event.dataTransfer.files);
  });
  textarea.addEventListener("paste", (event) => {
    const files = event.clipboardData ? [...event.clipboardData.files] : [];
    if (files.length) {
      event.preventDefault();
      addFiles(files);
    }
  });

  /* ---------- composer ---------- */
  function updateCounter() {
    const length = textarea.value.length;
    counter.textContent = `${length.toLocaleString("en-US")} / ${MAX_CHARS.toLocaleString("en-US")}`;
    counter.dataset.state = length > MAX_CHARS ? "over" : length > MAX_CHARS * 0.9 ? "near" : "";
    const uploading = state.attachments.some((a) => a.status === "uploading");
    const failed = state.attachments.some((a) => a.status === "error");
    sendBtn.disabled = !mayWrite || !!state.streaming || uploading || failed || length > MAX_CHARS || !textarea.value.trim();
    composerError.hidden = length <= MAX_CHARS && !failed;
    composerError.textContent =
      length > MAX_CHARS
        ? `Messages can have at most ${MAX_CHARS.toLocaleString("en-US")} characters; this one has ${length.toLocaleString("en-US")}.`
        : failed
          ? "Remove the files that could not be uploaded to send."
          : "";
    textarea.style.height = "auto";
    textarea.style.height = `${Math.min(textarea.scrollHeight, 240)}px`;
  }
  textarea.addEventListener("input", updateCounter);
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (!sendBtn.disabled) send();
    }
  });
  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!sendBtn.disabled) send();
  });

  /* ---------- streaming ---------- */
  function pendingAssistant() {
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
        if (!frame) frame = requestAnimationFrame(paint);
      },
      setText(full) {
        text = full;
        typing.hidden = true;
        paint();
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

  function handler(view, run) {
    return ({ id, event, data }) => {
      if (id && event !== "heartbeat") run.lastEventId = id;
      const d = data && typeof data === "object" ? data : {};
      switch (event) {
        case "run":
        case "message_start":
          if (d.run_id) run.runId = String(d.run_id);
          break;
        case "delta":
          view.delta(String(d.text ?? d.content ?? d.delta ?? ""));
          break;
        case "tool_started":
          view.tool(d.tool_call_id || d.id, d.name || d.tool);
          break;
        case "tool_progress":
          view.getTool(d.tool_call_id || d.id, d.name || d.tool).setProgress(d.percent !== undefined ? Number(d.percent) / 100 : Number(d.progress), d.message || d.stage);
          break;
        case "tool_result":
          view.getTool(d.tool_call_id || d.id, d.name || d.tool).finish({ ok: d.ok !== false && !d.error && !d.is_error, summary: d.summary || d.error || "", cards: d.files || d.file_cards || d.cards || [] });
          break;
        case "message_end":
          run.ended = true;
          view.done();
          break;
        case "error":
          run.ended = true;
          view.fail(String(d.message || "The assistant could not finish this reply. Please try again."));
          break;
        default:
          break;
      }
      if (run.runId && !run.ended && event === "message_start") saveRun({ runId: run.runId, conversationId: state.id });
    };
  }

  function setStreaming(active) {
    state.streaming = active;
    stopBtn.hidden = !active;
    textarea.disabled = !mayWrite;
    updateCounter();
  }

  async function follow(view, run, starter) {
    const controller = new AbortController();
    setStreaming({ controller, run });
    log.append(view.node);
    scrollToBottom();
    const onEvent = handler(view, run);
    const stick = () => {
      if (log.scrollHeight - log.scrollTop - log.clientHeight < 120) scrollToBottom();
    };
    const observer = new MutationObserver(stick);
    observer.observe(view.node, { childList: true, subtree: true, characterData: true });
    let failure = null;
    try {
      await starter(onEvent, controller.signal);
      // A dropped connection ends the stream early: reconnect from the last event seen.
      for (let attempt = 0; !run.ended && run.runId && attempt < 5; attempt += 1) {
        await resumeChat(run.runId, run.lastEventId, onEvent, controller.signal);
      }
      if (!run.ended) view.done();
    } catch (err) {
      failure = err;
      if (err && err.name === "AbortError") view.done();
      else view.fail(err instanceof ApiError ? err.message : "The connection to the assistant was lost. Reload the page to see the reply.");
    } finally {
      observer.disconnect();
      if (run.ended) saveRun(null);
      setStreaming(null);
    }
    return failure;
  }

  stopBtn.addEventListener("click", () => {
    // Stops following; the reply keeps being written on the server and shows on reload.
    if (state.streaming) state.streaming.controller.abort();
    saveRun(null);
  });

  async function send() {
    const message = textarea.value.trim();
    if (!message || message.length > MAX_CHARS || state.streaming) return;
    const fileIds = state.attachments.filter((a) => a.status === "done").map((a) => a.meta.id);
    const attached = state.attachments.filter((a) => a.status === "done").map((a) => a.meta);
    if (!state.id) {
      try {
        const created = await api.post("/api/conversations", {});
        state.id = created.id;
        state.conversation = created;
        history.replaceChildren();
        window.history.replaceState({}, "", `/chat/${created.id}`);
        root.dataset.view = "thread";
        paintHeader();
        loadList(true).then(markCurrent);
      } catch (err) {
        reportError(err);
        return;
      }
    }
    if (history.querySelector(".suggestions")) history.replaceChildren();
    history.append(messageNode({ id: `local-${Date.now()}`, role: "user", content: message, attachments: attached, created_at: new Date().toISOString() }));
    textarea.value = "";
    state.attachments = [];
    paintTray();
    updateCounter();
    const view = pendingAssistant();
    const run = { runId: null, lastEventId: null, ended: false };
    const body = { conversation_id: state.id, message };
    if (fileIds.length) body.file_ids = fileIds;
    await follow(view, run, (onEvent, signal) => startChat(body, onEvent, signal));
    // The title is generated after the first exchange.
    if (state.id && state.conversation) {
      try {
        state.conversation = await api.get(`/api/conversations/${state.id}`);
        paintHeader();
        loadList(true).then(markCurrent);
      } catch {
        /* the old title stays until the next load */
      }
    }
  }

  async function resumeIfRunning() {
    const saved = savedRun();
    if (!saved || !saved.runId || saved.conversationId !== state.id) return;
    // After a reload nothing of the reply is on screen: drop what was already stored of this
    // run and replay the whole run (stored events, then live ones) into one reply.
    const asked = history.querySelector(`[data-run="${CSS.escape(saved.runId)}"]`);
    if (asked) while (asked.nextElementSibling) asked.nextElementSibling.remove();
    const view = pendingAssistant();
    const run = { runId: saved.runId, lastEventId: null, ended: false };
    const failure = await follow(view, run, (onEvent, signal) => resumeChat(run.runId, null, onEvent, signal));
    if (failure instanceof ApiError && failure.status >= 400 && failure.status < 500) {
      // The run is no longer kept by the server: show what was stored instead.
      saveRun(null);
      view.node.remove();
      await openConversation();
    }
  }

  /* ---------- start ---------- */
  updateCounter();
  const listReady = loadList(true);
  await openConversation();
  await listReady;
  markCurrent();
  if (mayWrite) textarea.focus();
  resumeIfRunning();

  return () => {
    state.disposed = true;
    listObserver.disconnect();
    topObserver.disconnect();
    clearTimeout(searchTimer);
    if (state.streaming) state.streaming.controller.abort();
    main.classList.remove("main-chat");
  };
}
