// The web UI entry point (plain ES modules, no build step).
import { can, currentUser, redirectToSignIn } from "./api.js";
import { h, replace } from "./dom.js";
import { loadMeta } from "./meta.js";
import { route, onRoute, navigate, startRouter } from "./router.js";
import { refreshNotifications } from "./notifications-bell.js";
import { markActive, publicLayout, signedInLayout } from "./shell.js";
import { emptyState, reportError } from "./ui.js";

route("/", () => import("./pages/home.js"), { title: "Home" });
route("/login", () => import("./pages/login.js"), { title: "Sign in", public: true });
route("/invite", () => import("./pages/invite.js"), { title: "Accept invitation", public: true });
route("/settings", () => import("./pages/settings.js"), { title: "Settings" });
route("/admin/users", () => import("./pages/admin-users.js"), { title: "Users", permission: "users:manage" });
route("/admin/invites", () => import("./pages/admin-invites.js"), { title: "Invitations", permission: "invites:manage" });
route("/chat", () => import("./pages/chat.js"), { title: "Chat", permission: "conversations:read" });
route("/chat/:id", () => import("./pages/chat.js"), { title: "Chat", permission: "conversations:read" });
route("/admin/audit", () => import("./pages/admin-audit.js"), { title: "Audit log", permission: "audit:read" });
route("/proposals", () => import("./pages/proposals.js"), { title: "New proposal", permission: "proposals:create" });
route("/proposals/history", () => import("./pages/proposal-history.js"), { title: "Proposal history", permission: "proposals:read" });
route("/mockups", () => import("./pages/mockups.js"), { title: "Mockups", permission: "mockups:generate" });
route("/mockups/setup", () => import("./pages/mockup-setup.js"), { title: "Mockup setup", permission: "mockups:setup" });
route("/costs", () => import("./pages/costs.js"), { title: "Costs", permission: "costs:read" });
route("/admin/locations", () => import("./pages/admin-locations.js"), { title: "Locations", permission: "locations:manage" });
route("/admin/rates", () => import("./pages/admin-rates.js"), { title: "Currency rates", permission: "settings:manage" });
route("/admin/companies", () => import("./pages/admin-companies.js"), { title: "Companies", permission: "settings:manage" });
route("/admin/lifecycle", () => import("./pages/admin-lifecycle.js"), { title: "Data lifecycle", permission: "settings:manage" });
route("/booking-orders", () => import("./pages/booking-orders.js"), { title: "Booking orders", permission: "booking_orders:read" });
route("/booking-orders/:id", () => import("./pages/booking-order-detail.js"), { title: "Booking order", permission: "booking_orders:read" });
route("/inventory", () => import("./pages/inventory.js"), { title: "Availability", permission: "locations:read" });
route("/locations/:key/availability", () => import("./pages/location-availability.js"), { title: "Availability", permission: "locations:read" });
route("/notifications", () => import("./pages/notifications.js"), { title: "Notifications", permission: "notifications:read" });

function setTitle(title) {
  document.title = `${title} · Sales Proposal Bot`;
}

function notFound(main) {
  replace(
    main,
    h("h1", {}, "Page not found"),
    emptyState("There is nothing at this address.", "Use the menu to go to a page.", h("a", { href: "/", class: "btn" }, "Go home")),
  );
}

async function renderRoute(found) {
  let user = null;
  try {
    user = await currentUser();
  } catch (err) {
    replace(document.getElementById("app"), h("main", { class: "public-main" }, h("div", { class: "card", id: "boot-error" })));
    reportError(err, document.getElementById("boot-error"));
    return null;
  }
  if (!found) {
    const main = user ? signedInLayout(user) : publicLayout();
    notFound(main);
    return null;
  }
  const { route: r, params } = found;
  if (!r.public && !user) {
    redirectToSignIn();
    return null;
  }
  const main = r.public ? publicLayout() : signedInLayout(user);
  if (!r.public) {
    markActive(location.pathname);
    refreshNotifications();
  }
  setTitle(r.title);
  if (r.permission && !can(user, r.permission)) {
    replace(main, h("h1", {}, r.title), emptyState("You do not have access to this page.", "Ask an admin if you need it."));
    return null;
  }
  replace(main, h("p", { class: "loading", role: "status" }, "Loading…"));
  const query = new URLSearchParams(location.search);
  try {
    // Signed-in pages read the server's rules and time zone; a failed fetch is retried later.
    const [page] = await Promise.all([r.loader(), r.public ? null : loadMeta().catch(() => null)]);
    const cleanup = await page.render({ main, user, params, query, navigate, setTitle });
    return cleanup || null;
  } catch (err) {
    replace(main, h("h1", {}, r.title), h("div", { id: "page-error" }));
    reportError(err, main.querySelector("#page-error"));
    return null;
  }
}

// #app[data-ready] names the address whose page has finished rendering (its data loaded, its
// handlers wired, its focus set), so browser tests act on a settled page, not a half-built one.
let renders = 0;
onRoute(async (found) => {
  const mine = ++renders;
  const path = location.pathname;
  delete document.getElementById("app").dataset.ready;
  try {
    return await renderRoute(found);
  } finally {
    if (mine === renders) document.getElementById("app").dataset.ready = path;
  }
});

startRouter();
