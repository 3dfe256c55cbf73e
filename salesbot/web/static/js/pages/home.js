// Home: a greeting, what the user can do from here, and whether the service is healthy.
import { can } from "../api.js";
import { h, replace, roleLabel } from "../dom.js";

const ACTIONS = [
  { href: "/chat", permission: "conversations:create", title: "Ask the assistant", text: "Proposals, mockups and booking orders by chat: “make me a landmark proposal…”." },
  { href: "/admin/users", permission: "users:manage", title: "Manage users", text: "Roles, companies and who may sign in." },
  { href: "/admin/invites", permission: "invites:manage", title: "Invite someone", text: "Send a sign-up link with the roles they need." },
  { href: "/settings", permission: "account:self", title: "Your settings", text: "Profile, theme and API keys for integrations." },
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

export async function render({ main, user }) {
  const first = user.name.split(" ")[0] || user.name;
  const status = h("p", { class: "status", id: "service-status", role: "status", "aria-live": "polite" }, "Checking the service…");
  const cards = ACTIONS.filter((a) => can(user, a.permission)).map((a) =>
    h("a", { href: a.href, class: "card action-card" }, h("h2", {}, a.title), h("p", { class: "muted" }, a.text)),
  );
  replace(
    main,
    h("header", { class: "page-head" }, h("h1", {}, `Welcome, ${first}`), h("p", { class: "muted" }, user.roles.map(roleLabel).join(" · "))),
    h("div", { class: "grid cards" }, cards),
    h("section", { class: "card status-card", "aria-label": "Service status" }, status),
  );
  checkService(status);
  return null;
}
