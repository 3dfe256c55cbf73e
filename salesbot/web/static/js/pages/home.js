// Home: the start page — the entries the user may take, the booking orders waiting for them,
// their recent proposals and conversations (one request: GET /api/home), and the service status.
import { api, can } from "../api.js";
import { formatDateTime, h, replace } from "../dom.js";
import { roleLabel, stageLabel } from "../meta.js";

const ADMIN_ACTIONS = [
  { href: "/admin/users", permission: "users:manage", title: "Manage users", text: "Roles, companies and who may sign in." },
  { href: "/admin/invites", permission: "invites:manage", title: "Invite someone", text: "Send a sign-up link with the roles they need." },
];

async function checkService(status) {
  try {
    const response = await fetch("/health/ready", { headers: { Accept: "application/json" } });
    const body = await response.json();
    status.textContent = body.status === "ok" ? "The service is ready." : "The service is starting up…";
    status.dataset.state = body.status;
  } catch {
    status.textContent = "The service cannot be reached.";
    status.dataset.state = "down";
  }
}

function entries(home, user) {
  const cards = [];
  if (home.can_propose) cards.push({ href: "/proposals", title: "New proposal", text: "Pick locations, dates and rates; see the totals as you type." });
  if (home.can_chat) cards.push({ href: "/chat", title: "Ask the assistant", text: "Proposals, mockups and booking orders by chat: “make me a landmark proposal…”." });
  cards.push(...ADMIN_ACTIONS.filter((a) => can(user, a.permission)));
  return cards.map((a) => h("a", { href: a.href, class: "card action-card" }, h("h2", {}, a.title), h("p", { class: "muted" }, a.text)));
}

/** A titled list card, or nothing when the list is empty or not the user's to see. */
function listCard(id, title, items, row, footer = null) {
  if (!items || !items.length) return null;
  return h("section", { class: "card home-list", "aria-labelledby": id }, h("h2", { id }, title), h("ul", { class: "plain-list" }, items.map((item) => h("li", {}, row(item)))), footer);
}

function waitingCard(home) {
  const items = home.waiting_booking_orders;
  const more = home.waiting_count > (items || []).length ? h("p", { class: "small" }, h("a", { href: "/booking-orders" }, `All ${home.waiting_count} waiting`)) : null;
  return listCard(
    "home-waiting",
    "Waiting for you",
    items,
    (bo) => h("div", {}, h("a", { href: `/booking-orders/${bo.id}` }, `${bo.reference || bo.bo_number} · ${bo.client}`), h("div", { class: "muted small" }, `${stageLabel(bo.state)} · ${bo.company.name} · ${formatDateTime(bo.updated_at)}`)),
    more,
  );
}

export async function render({ main, user }) {
  const home = await api.get("/api/home");
  const first = user.name.split(" ")[0] || user.name;
  const status = h("p", { class: "status", id: "service-status", role: "status", "aria-live": "polite" }, "Checking the service…");
  replace(
    main,
    h("header", { class: "page-head" }, h("h1", {}, `Welcome, ${first}`), h("p", { class: "muted" }, user.roles.map(roleLabel).join(" · "))),
    h("div", { class: "grid cards" }, entries(home, user)),
    h(
      "div",
      { class: "grid cards home-lists" },
      waitingCard(home),
      listCard("home-proposals", "Recent proposals", home.recent_proposals, (p) =>
        h("div", {}, h("a", { href: `/proposals/history?client=${encodeURIComponent(p.client_name)}` }, p.client_name), h("div", { class: "muted small" }, `${p.locations.map((l) => l.display_name).join(", ")} · ${(p.totals || []).join(" / ")} · ${formatDateTime(p.created_at)}`)),
      ),
      listCard("home-conversations", "Recent conversations", home.recent_conversations, (c) => h("div", {}, h("a", { href: `/chat/${c.id}` }, c.title || "New conversation"), h("div", { class: "muted small" }, formatDateTime(c.updated_at)))),
    ),
    h("section", { class: "card status-card", "aria-label": "Service status" }, status),
  );
  checkService(status);
  return null;
}
