// The open conversation's messages: the newest page first, older ones loaded on scrolling up,
// suggestions in an empty conversation, and a jump to a search hit (?m=<message id>).
import { ApiError, api } from "../api.js";
import { h } from "../dom.js";
import { chatSuggestions } from "../meta.js";
import { emptyState, reportError, toast } from "../ui.js";
import { messageNode } from "./messages.js";
import { visibleMessages } from "./rules.js";

const PAGE = 30;
const MAX_PAGES_TO_HIT = 40;


/** The API pages newest first; the thread shows oldest first. */
const inReadingOrder = (page) => visibleMessages([...page.items].reverse());

/** What an empty conversation shows: suggestions to start from, or a note for readers. */
function emptyThread(mayWrite, onSuggestion) {
  if (!mayWrite) return emptyState("No messages yet.", "This conversation is empty.");
  const chips = chatSuggestions().map((text) => {
    const chip = h("button", { type: "button", class: "suggestion" }, text);
    chip.addEventListener("click", () => onSuggestion(text));
    return chip;
  });
  return h(
    "div",
    { class: "suggestions" },
    h("p", { class: "empty-title" }, "What can I prepare for you?"),
    h("p", { class: "muted" }, "Write a request below or start from one of these:"),
    h("div", { class: "suggestion-list" }, chips),
  );
}

/** Older messages, a page at a time, loaded when the top of the log scrolls into view. */
function olderMessages({ state, log, history, topSentinel }) {
  const older = { cursor: null, hasMore: false, loading: false };

  /** Load the page before the oldest shown; resolves to whether it did. */
  async function load() {
    if (older.loading || !older.hasMore || !state.id) return false;
    older.loading = true;
    const id = state.id;
    try {
      const page = await api.get(`/api/conversations/${id}/messages`, { query: { before: older.cursor, limit: PAGE } });
      if (id !== state.id || state.disposed) return false;
      const before = log.scrollHeight;
      const top = log.scrollTop;
      history.prepend(...inReadingOrder(page).map(messageNode));
      // Keep the message the user was reading where it was.
      log.scrollTop = top + (log.scrollHeight - before);
      older.cursor = page.next_cursor;
      older.hasMore = page.has_more;
      return true;
    } catch (err) {
      reportError(err);
      return false;
    } finally {
      older.loading = false;
    }
  }

  const observer = new IntersectionObserver(
    (entries) => {
      if (entries.some((e) => e.isIntersecting) && older.hasMore && !older.loading && history.children.length) load();
    },
    { root: log, rootMargin: "200px 0px 0px 0px" },
  );
  observer.observe(topSentinel);

  return {
    load,
    /** Where the next page starts, from the API's last page. */
    from(page) {
      older.cursor = page ? page.next_cursor : null;
      older.hasMore = page ? page.has_more : false;
    },
    dispose: () => observer.disconnect(),
  };
}

/** Scroll to a search hit, loading older pages until it shows. */
async function focusMessage(history, older, messageId) {
  for (let i = 0; i < MAX_PAGES_TO_HIT; i += 1) {
    const el = history.querySelector(`[data-id="${CSS.escape(messageId)}"]`);
    if (el) {
      el.classList.add("hit-target");
      el.scrollIntoView({ block: "center" });
      return;
    }
    if (!(await older.load())) break;
  }
  toast("That message is no longer in this conversation.", { kind: "warn" });
}

/**
 * state: the page's {id, conversation, disposed}; onLoaded(): the conversation was (re)loaded
 * into state; onSuggestion(text): a suggestion was picked.
 */
export function messageThread({ state, mayWrite, onLoaded, onSuggestion }) {
  const log = h("div", { class: "messages", role: "log", "aria-live": "polite", "aria-label": "Messages", tabindex: "0" });
  const topSentinel = h("div", { class: "sentinel", "aria-hidden": "true" });
  const history = h("div", { class: "history" });
  log.append(topSentinel, history);
  const older = olderMessages({ state, log, history, topSentinel });

  /** Show state.id's conversation (or suggestions for a new one), at `target` message when given. */
  async function open(target) {
    history.replaceChildren();
    state.conversation = null;
    older.from(null);
    if (!state.id) {
      onLoaded();
      history.replaceChildren(emptyThread(mayWrite, onSuggestion));
      return;
    }
    try {
      const [conversation, page] = await Promise.all([
        api.get(`/api/conversations/${state.id}`),
        api.get(`/api/conversations/${state.id}/messages`, { query: { limit: PAGE } }),
      ]);
      if (state.disposed) return;
      state.conversation = conversation;
      onLoaded();
      older.from(page);
      const items = inReadingOrder(page);
      if (!items.length) history.replaceChildren(emptyThread(mayWrite, onSuggestion));
      else history.append(...items.map(messageNode));
      log.scrollTop = log.scrollHeight;
      if (target) await focusMessage(history, older, target);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        history.replaceChildren(emptyState("This conversation does not exist or was deleted.", "Pick another one or start a new chat."));
        return;
      }
      reportError(err, history);
    }
  }

  return {
    log,
    /** The messages shown, oldest first (a streaming reply joins them at the end). */
    history,
    open,
    /** Start the thread of a conversation just created: nothing to load. */
    clear: () => history.replaceChildren(),
    /** Show the user's message as sent, replacing the suggestions. */
    showAsked(message, attachments) {
      if (history.querySelector(".suggestions")) history.replaceChildren();
      history.append(messageNode({ id: `local-${Date.now()}`, role: "user", content: message, attachments, created_at: new Date().toISOString() }));
    },
    /** Drop what is shown after the question of run `runId` (it is about to be replayed). */
    dropAfterRun(runId) {
      const asked = history.querySelector(`[data-run="${CSS.escape(runId)}"]`);
      if (asked) while (asked.nextElementSibling) asked.nextElementSibling.remove();
    },
    dispose: older.dispose,
  };
}
