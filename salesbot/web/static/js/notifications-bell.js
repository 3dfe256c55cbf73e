// The notifications bell in the top bar: unread count, the latest few, mark read, go to the item.
import { api } from "./api.js";
import { formatDateTime, h, replace, svg } from "./dom.js";
import { reportError } from "./ui.js";

const POLL_MS = 60_000;
const LATEST = 8;
let current = null;

function bellIcon() {
  return svg(
    "svg",
    { class: "icon", viewBox: "0 0 24 24", width: 20, height: 20, "aria-hidden": "true", focusable: "false" },
    svg("path", { d: "M6 16V11a6 6 0 1 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0", fill: "none", stroke: "currentColor", "stroke-width": 1.8, "stroke-linejoin": "round", "stroke-linecap": "round" }),
  );
}

/** Only links inside the app are followed (a notification's link is data, not trusted markup). */
export function safeLink(link) {
  return typeof link === "string" && /^\/(?![/\\])/.test(link) ? link : null;
}

/** A notification as a list item; `onOpen(n)` runs when it is chosen. */
export function notificationItem(n, onOpen) {
  const link = safeLink(n.link);
  const content = [h("span", { class: "note-title" }, n.title), n.body ? h("span", { class: "note-body" }, n.body) : null, h("span", { class: "muted small" }, formatDateTime(n.created_at))];
  const target = link ? h("a", { href: link, class: "note-link" }, content) : h("button", { type: "button", class: "note-link" }, content);
  target.addEventListener("click", () => onOpen(n));
  return h("li", { class: `note${n.read_at ? "" : " unread"}`, dataset: { id: n.id } }, n.read_at ? null : h("span", { class: "visually-hidden" }, "Unread: "), target);
}

/** The bell for the signed-in layout; call refresh() to update the count (e.g. after navigation). */
export function notificationsBell() {
  if (current) current.stop();
  const count = h("span", { class: "bell-count", hidden: true });
  const button = h("button", { type: "button", class: "icon-btn bell", "aria-expanded": "false", "aria-controls": "notifications-panel", "aria-label": "Notifications" }, bellIcon(), count);
  const list = h("ul", { class: "note-list", "aria-label": "Latest notifications" });
  const readAll = h("button", { type: "button", class: "btn btn-small btn-quiet" }, "Mark all read");
  const panel = h(
    "div",
    { class: "bell-panel", id: "notifications-panel", hidden: true, role: "region", "aria-label": "Notifications" },
    h("div", { class: "bell-head" }, h("strong", {}, "Notifications"), readAll),
    list,
    h("a", { href: "/notifications", class: "bell-all" }, "See all notifications"),
  );
  const element = h("div", { class: "bell-wrap" }, button, panel);
  let timer = null;
  let stopped = false;

  const show = (unread) => {
    count.hidden = unread === 0;
    count.textContent = unread > 99 ? "99+" : String(unread);
    button.setAttribute("aria-label", unread ? `Notifications, ${unread} unread` : "Notifications, none unread");
  };

  async function refresh() {
    if (stopped) return;
    try {
      const { unread_count: unread } = await api.get("/api/notifications/unread-count");
      show(unread);
    } catch {
      /* the count is a convenience: the next poll tries again */
    }
  }

  async function open(n) {
    close(false);
    if (!n.read_at) {
      try {
        await api.post(`/api/notifications/${n.id}/read`);
      } catch (err) {
        reportError(err);
      }
      refresh();
    }
  }

  async function fill() {
    replace(list, h("li", { class: "muted small note-empty" }, "Loading…"));
    try {
      const page = await api.get("/api/notifications", { query: { limit: LATEST } });
      show(page.unread_count);
      readAll.disabled = page.unread_count === 0;
      replace(list, page.items.length ? page.items.map((n) => notificationItem(n, open)) : h("li", { class: "muted small note-empty" }, "Nothing yet. Booking order approvals and reviews will show up here."));
    } catch (err) {
      replace(list, h("li", {}, h("p", { class: "inline-error", role: "alert" }, err.message || "The notifications could not be loaded.")));
    }
  }

  function close(focus = true) {
    if (panel.hidden) return;
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (focus) button.focus();
  }

  button.addEventListener("click", () => {
    if (!panel.hidden) {
      close();
      return;
    }
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    fill();
  });
  readAll.addEventListener("click", async () => {
    try {
      await api.post("/api/notifications/read-all");
      await fill();
    } catch (err) {
      reportError(err);
    }
  });
  const onKey = (event) => {
    if (event.key === "Escape" && !panel.hidden) {
      event.stopPropagation();
      close();
    }
  };
  const onOutside = (event) => {
    if (!panel.hidden && !element.contains(event.target)) close(false);
  };
  element.addEventListener("keydown", onKey);
  document.addEventListener("click", onOutside);
  const tick = () => {
    if (document.visibilityState === "visible") refresh();
  };
  timer = setInterval(tick, POLL_MS);
  document.addEventListener("visibilitychange", tick);
  refresh();
  current = {
    element,
    refresh,
    stop() {
      stopped = true;
      clearInterval(timer);
      document.removeEventListener("click", onOutside);
      document.removeEventListener("visibilitychange", tick);
    },
  };
  return current;
}

/** Update the bell's count now (after a page changed something, or on navigation). */
export function refreshNotifications() {
  if (current) current.refresh();
}

/** Stop polling (signed out, or the signed-in layout is gone). */
export function stopNotifications() {
  if (current) current.stop();
  current = null;
}
