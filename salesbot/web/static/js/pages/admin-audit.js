// Admin: the audit log of security and business events, filtered and paged.
import { api } from "../api.js";
import { field, formatDateTime, h, replace, select } from "../dom.js";
import { busy, emptyState, reportError } from "../ui.js";

const ACTIONS = [
  ["", "Any event"],
  ["login", "Sign-in"],
  ["login_failed", "Failed sign-in"],
  ["logout", "Sign-out"],
  ["invite_created", "Invitation created"],
  ["invite_revoked", "Invitation revoked"],
  ["invite_accepted", "Invitation accepted"],
  ["roles_changed", "Roles changed"],
  ["user_activated", "User activated"],
  ["user_deactivated", "User deactivated"],
  ["api_key_created", "API key created"],
  ["api_key_revoked", "API key revoked"],
  ["slack_linked", "Slack account connected"],
  ["slack_unlinked", "Slack account disconnected"],
  ["mfa_enabled", "Two-step sign-in turned on"],
  ["mfa_disabled", "Two-step sign-in turned off"],
  ["mfa_failed", "Wrong two-step code"],
  ["mfa_recovery_code_used", "Recovery code used"],
  ["mfa_policy_changed", "Two-step sign-in rule changed"],
];

function detailsText(details) {
  if (!details || typeof details !== "object") return "";
  return Object.entries(details)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" · ")
    .slice(0, 300);
}

/** A local date (yyyy-mm-dd) as the ISO instant of that day's start or end in this browser's zone. */
function dayBoundary(value, end) {
  if (!value) return null;
  const d = new Date(`${value}T00:00:00`);
  if (end) d.setDate(d.getDate() + 1);
  return d.toISOString();
}

export async function render({ main }) {
  let users = [];
  try {
    users = await api.get("/api/users");
  } catch {
    users = [];
  }
  const action = field({ label: "Event", name: "action", control: select("action", ACTIONS, "") });
  const actor = field({
    label: "Who",
    name: "actor_id",
    control: select("actor_id", [["", "Anyone"], ...users.map((u) => [u.id, `${u.name} (${u.email})`])], ""),
  });
  const since = field({ label: "From", name: "since", type: "date" });
  const until = field({ label: "Until", name: "until", type: "date" });
  const apply = h("button", { type: "submit", class: "btn btn-primary" }, "Apply filters");
  const filters = h("form", { class: "filters", "aria-label": "Audit filters" }, action.wrap, actor.wrap, since.wrap, until.wrap, h("div", { class: "field field-button" }, apply));
  const tbody = h("tbody", {});
  const table = h(
    "div",
    { class: "table-wrap" },
    h("table", { class: "table", "aria-label": "Audit events" }, h("thead", {}, h("tr", {}, ["When", "Event", "Who", "Target", "From", "Details"].map((c) => h("th", { scope: "col" }, c)))), tbody),
  );
  const more = h("button", { type: "button", class: "btn", hidden: true }, "Load more");
  const results = h("div", {});
  let cursor = null;

  const query = () => ({
    action: action.input.value,
    actor_id: actor.input.value,
    since: dayBoundary(since.input.value, false),
    until: dayBoundary(until.input.value, true),
    limit: 50,
  });

  const rows = (items) =>
    items.map((e) =>
      h(
        "tr",
        {},
        h("td", { class: "nowrap" }, formatDateTime(e.created_at)),
        h("td", {}, (ACTIONS.find(([k]) => k === e.action) || [e.action, e.action])[1]),
        h("td", {}, e.actor_email || "—"),
        h("td", {}, e.target_type ? `${e.target_type}` : "—"),
        h("td", {}, e.ip || "—"),
        h("td", { class: "small" }, detailsText(e.details)),
      ),
    );

  const load = async (append) => {
    try {
      const page = await api.get("/api/audit", { query: { ...query(), cursor: append ? cursor : null } });
      cursor = page.next_cursor;
      more.hidden = !page.has_more;
      if (!append) {
        tbody.replaceChildren();
        if (!page.items.length) {
          replace(results, emptyState("No events match these filters.", "Widen the dates or choose “Any event”."));
          return;
        }
        replace(results, table, more);
      }
      tbody.append(...rows(page.items));
    } catch (err) {
      reportError(err, results);
    }
  };

  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(apply, () => load(false));
  });
  more.addEventListener("click", () => busy(more, () => load(true)));
  replace(main, h("header", { class: "page-head" }, h("h1", {}, "Audit log")), h("section", { class: "card" }, filters), results);
  await load(false);
  return null;
}
