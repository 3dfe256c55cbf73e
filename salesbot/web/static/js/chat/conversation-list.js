// The conversation sidebar: New chat, search, the list (pinned first, more loaded on scroll)
// and the archived/active switch.
import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { reportError } from "../ui.js";
import { PIN, icon } from "./icons.js";
import { hitHref, highlightPieces, pinnedFirst } from "./rules.js";

const PAGE = 30;
const SEARCH_LIMIT = 20;
const SEARCH_DELAY_MS = 250;

function conversationItem(c, currentId) {
  const link = h(
    "a",
    { href: `/chat/${c.id}`, class: "conv-link", "aria-current": c.id === currentId ? "page" : null },
    c.pinned ? h("span", { class: "pin", role: "img", "aria-label": "Pinned", title: "Pinned" }, icon(PIN)) : null,
    h("span", { class: "conv-title" }, c.title || "New chat"),
    c.archived ? h("span", { class: "badge badge-muted" }, "Archived") : null,
  );
  return h("li", { dataset: { id: c.id } }, link);
}

function hitItem(hit) {
  // The snippet is built as nodes from its ranges, never from the API's snippet_html.
  const pieces = highlightPieces(hit.snippet || "", hit.highlights).map((p) => (p.mark ? h("mark", {}, p.text) : p.text));
  return h(
    "li",
    {},
    h("a", { class: "hit", href: hitHref(hit) }, h("span", { class: "hit-title" }, hit.conversation_title || "Conversation"), h("span", { class: "hit-snippet" }, pieces)),
  );
}

/** The search box and its results; isDisposed(): the page was left (late answers are dropped). */
function conversationSearch(isDisposed) {
  const input = h("input", { type: "search", id: "chat-search", placeholder: "Search conversations", "aria-label": "Search conversations", maxlength: 500 });
  const results = h("div", { class: "search-results", hidden: true, role: "region", "aria-label": "Search results" });
  let timer = null;
  let seq = 0; // only the latest search may paint

  async function run() {
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) {
      results.hidden = true;
      results.replaceChildren();
      return;
    }
    try {
      const page = await api.get("/api/conversations/search", { query: { q, limit: SEARCH_LIMIT } });
      if (mine !== seq || isDisposed()) return;
      results.hidden = false;
      const found = page.items.length
        ? h("ul", { class: "hit-list" }, page.items.map(hitItem))
        : h("p", { class: "muted small search-empty" }, `Nothing found for “${q}”.`);
      const notice = page.notice ? [h("p", { class: "muted small search-notice" }, page.notice)] : [];
      replace(results, ...notice, found);
    } catch (err) {
      if (mine === seq) reportError(err, results);
      results.hidden = false;
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, SEARCH_DELAY_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      input.value = "";
      run();
    }
  });
  return { input, results, dispose: () => clearTimeout(timer) };
}

function markCurrent(items, id) {
  const href = `/chat/${id}`;
  items.querySelectorAll(".conv-link").forEach((a) => {
    if (a.getAttribute("href") === href) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
}

/** "Show archived" / "Show active": onToggle(archived) when pressed. */
function archivedSwitch(onToggle) {
  let archived = false;
  const button = h("button", { type: "button", class: "btn btn-small btn-quiet", "aria-pressed": "false" }, "Show archived");
  button.addEventListener("click", () => {
    archived = !archived;
    button.setAttribute("aria-pressed", String(archived));
    button.textContent = archived ? "Show active" : "Show archived";
    onToggle(archived);
  });
  return button;
}

/**
 * mayWrite: the user may start chats; currentId(): the open conversation;
 * onNew(): New chat was pressed; isDisposed(): the page was left.
 */
export function conversationList({ mayWrite, currentId, onNew, isDisposed }) {
  const list = { cursor: null, hasMore: false, loading: false, archived: false };
  const newBtn = h("button", { type: "button", class: "btn btn-primary", disabled: !mayWrite }, "New chat");
  const archivedToggle = archivedSwitch((archived) => {
    list.archived = archived;
    load(true);
  });
  const items = h("ul", { class: "conv-list", "aria-label": "Conversations" });
  const sentinel = h("li", { class: "sentinel", "aria-hidden": "true" });
  const search = conversationSearch(isDisposed);
  const node = h(
    "aside",
    { class: "conv-pane", "aria-label": "Conversations" },
    h("div", { class: "conv-tools" }, newBtn, search.input),
    search.results,
    h("div", { class: "conv-scroll" }, items),
    h("div", { class: "conv-foot" }, archivedToggle),
  );

  async function load(reset) {
    if (list.loading) return;
    list.loading = true;
    try {
      const page = await api.get("/api/conversations", { query: { cursor: reset ? null : list.cursor, limit: PAGE, archived: list.archived } });
      if (reset) items.replaceChildren();
      sentinel.remove();
      items.append(...pinnedFirst(page.items).map((c) => conversationItem(c, currentId())));
      list.cursor = page.next_cursor;
      list.hasMore = page.has_more;
      if (!items.children.length) {
        items.append(h("li", { class: "conv-empty muted small" }, list.archived ? "No archived conversations." : "No conversations yet. Start one with “New chat”."));
      }
      if (list.hasMore) items.append(sentinel);
    } catch (err) {
      reportError(err);
    } finally {
      list.loading = false;
    }
  }

  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && list.hasMore) load(false);
  });
  observer.observe(sentinel);
  newBtn.addEventListener("click", onNew);

  return {
    node,
    load,
    /** Mark the open conversation's link as the current page. */
    markCurrent: () => markCurrent(items, currentId()),
    dispose() {
      observer.disconnect();
      search.dispose();
    },
  };
}
