// All notifications: newest first, unread only on request, mark read, open the item.
import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { notificationItem, refreshNotifications } from "../notifications-bell.js";
import { busy, emptyState, reportError } from "../ui.js";

export async function render({ main }) {
  const unreadOnly = h("input", { type: "checkbox", id: "unread-only" });
  const readAll = h("button", { type: "button", class: "btn" }, "Mark all read");
  const list = h("ul", { class: "note-list note-page", "aria-label": "Notifications" });
  const more = h("button", { type: "button", class: "btn", hidden: true }, "Load more");
  const body = h("div", {});
  let cursor = null;

  async function open(n) {
    if (n.read_at) return;
    try {
      await api.post(`/api/notifications/${n.id}/read`);
      refreshNotifications();
    } catch (err) {
      reportError(err);
    }
  }

  async function load(append) {
    try {
      const page = await api.get("/api/notifications", { query: { cursor: append ? cursor : null, limit: 30, unread: unreadOnly.checked || null } });
      cursor = page.next_cursor;
      more.hidden = !page.has_more;
      readAll.disabled = page.unread_count === 0;
      if (!append) {
        if (!page.items.length) {
          replace(
            body,
            unreadOnly.checked
              ? emptyState("You have read everything.", "Untick “Unread only” to see older notifications.")
              : emptyState("No notifications yet.", "You are told here when a booking order needs you or is approved."),
          );
          return;
        }
        list.replaceChildren();
        replace(body, list, more);
      }
      list.append(...page.items.map((n) => notificationItem(n, open)));
    } catch (err) {
      reportError(err, body);
    }
  }

  unreadOnly.addEventListener("change", () => load(false));
  more.addEventListener("click", () => busy(more, () => load(true)));
  readAll.addEventListener("click", () =>
    busy(readAll, async () => {
      try {
        await api.post("/api/notifications/read-all");
        refreshNotifications();
        await load(false);
      } catch (err) {
        reportError(err);
      }
    }),
  );
  replace(
    main,
    h("header", { class: "page-head" }, h("h1", {}, "Notifications"), readAll),
    h("div", { class: "toolbar" }, h("label", { class: "check", for: "unread-only" }, unreadOnly, "Unread only")),
    body,
  );
  await load(false);
  return null;
}
