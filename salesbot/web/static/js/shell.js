// The signed-in layout: top bar, sidebar navigation (a menu on phones), theme toggle, sign out.
import { api, can, forgetSession } from "./api.js";
import { h, replace, svg } from "./dom.js";
import { notificationsBell, stopNotifications } from "./notifications-bell.js";
import { effectiveTheme, onThemeChange, setTheme } from "./theme.js";
import { toast } from "./ui.js";

/** Navigation entries, shown only to users holding the permission. */
export const NAV = [
  { href: "/", label: "Home", permission: "account:self", icon: "M3 11l9-7 9 7v9a1 1 0 0 1-1 1h-5v-6H9v6H4a1 1 0 0 1-1-1z" },
  { href: "/chat", label: "Chat", permission: "conversations:read", icon: "M4 5h16v11H8l-4 4z" },
  { href: "/proposals", label: "New proposal", permission: "proposals:create", icon: "M6 3h9l4 4v14H6zM12 10v8M8 14h8" },
  { href: "/proposals/history", label: "Proposals", permission: "proposals:read", icon: "M6 3h9l4 4v14H6zM9 10h7M9 14h7M9 18h4" },
  { href: "/mockups", label: "Mockups", permission: "mockups:generate", icon: "M3 5h18v12H3zM8 21h8M12 17v4M7 13l3-3 3 3 2-2 3 3" },
  { href: "/mockups/setup", label: "Mockup setup", permission: "mockups:setup", icon: "M4 4h6v6H4zM14 14h6v6h-6zM10 7h7v7M7 10v7h7" },
  { href: "/inventory", label: "Availability", permission: "locations:read", icon: "M4 5h16v15H4zM4 9h16M8 3v4M16 3v4M8 13h3M13 13h3M8 16h3" },
  { href: "/booking-orders", label: "Booking orders", permission: "booking_orders:read", icon: "M7 3h10v4H7zM5 5H4v16h16V5h-1M8 12h8M8 16h5" },
  { href: "/costs", label: "Costs", permission: "costs:read", icon: "M4 20V10M10 20V4M16 20v-7M22 20H2" },
  {
    section: "Admin",
    href: "/admin/users",
    label: "Users",
    permission: "users:manage",
    icon: "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 10a7 7 0 0 1 14 0zm15-10a3 3 0 1 0 0-6m2 16h3a6 6 0 0 0-5-6",
  },
  {
    section: "Admin",
    href: "/admin/invites",
    label: "Invitations",
    permission: "invites:manage",
    icon: "M3 6h18v12H3zm0 0l9 7 9-7",
  },
  {
    section: "Admin",
    href: "/admin/locations",
    label: "Locations",
    permission: "locations:manage",
    icon: "M12 21s-7-6.5-7-12a7 7 0 0 1 14 0c0 5.5-7 12-7 12zm0-9a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
  },
  {
    section: "Admin",
    href: "/admin/companies",
    label: "Companies",
    permission: "settings:manage",
    icon: "M4 21V5l8-3v19M12 8h8v13M7 8h2M7 12h2M7 16h2M15 12h2M15 16h2M2 21h20",
  },
  {
    section: "Admin",
    href: "/admin/rates",
    label: "Currency rates",
    permission: "settings:manage",
    icon: "M12 3v18M17 7H9.5a3 3 0 0 0 0 6h5a3 3 0 0 1 0 6H6",
  },
  {
    section: "Admin",
    href: "/admin/lifecycle",
    label: "Data lifecycle",
    permission: "settings:manage",
    icon: "M4 7h16M6 7v13h12V7M9 7V4h6v3M10 11v6M14 11v6",
  },
  {
    section: "Admin",
    href: "/admin/audit",
    label: "Audit log",
    permission: "audit:read",
    icon: "M6 3h9l4 4v14H6zM9 10h7M9 14h7M9 18h4",
  },
  {
    href: "/settings",
    label: "Settings",
    permission: "account:self",
    icon: "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm8-3l2-1-2-4-2 1-2-1V5h-4v2l-2 1-2-1-2 4 2 1v2l-2 1 2 4 2-1 2 1v2h4v-2l2-1 2 1 2-4-2-1z",
  },
];

function icon(path) {
  return svg(
    "svg",
    { class: "icon", viewBox: "0 0 24 24", width: 20, height: 20, "aria-hidden": "true", focusable: "false" },
    svg("path", { d: path, fill: "none", stroke: "currentColor", "stroke-width": 1.8, "stroke-linejoin": "round", "stroke-linecap": "round" }),
  );
}

let layout = null;

function themeButton() {
  const button = h("button", { type: "button", class: "icon-btn theme-toggle" });
  const paint = (theme) => {
    const dark = theme === "dark";
    button.setAttribute("aria-pressed", String(dark));
    button.setAttribute("aria-label", "Dark theme");
    button.title = dark ? "Switch to the light theme" : "Switch to the dark theme";
    replace(button, icon(dark ? "M12 3a9 9 0 1 0 9 9 7 7 0 0 1-9-9z" : "M12 17a5 5 0 1 0 0-10 5 5 0 0 0 0 10zM12 1v2M12 21v2M4.2 4.2l1.4 1.4M18.4 18.4l1.4 1.4M1 12h2M21 12h2M4.2 19.8l1.4-1.4M18.4 5.6l1.4-1.4"));
  };
  paint(effectiveTheme());
  onThemeChange(paint);
  button.addEventListener("click", () => setTheme(effectiveTheme() === "dark" ? "light" : "dark"));
  return button;
}

async function signOut() {
  try {
    await api.post("/api/auth/logout", undefined, { auth: false });
  } catch {
    toast("Signing out on the server failed; you are signed out in this browser.", { kind: "warn" });
  }
  forgetSession();
  location.assign("/login");
}

function buildNav(user) {
  const items = [];
  let section = null;
  for (const entry of NAV) {
    if (!can(user, entry.permission)) continue;
    if (entry.section && entry.section !== section) {
      section = entry.section;
      items.push(h("li", { class: "nav-section", role: "presentation" }, section));
    }
    items.push(
      h("li", {}, h("a", { href: entry.href, class: "nav-link", dataset: { nav: entry.href } }, icon(entry.icon), h("span", {}, entry.label))),
    );
  }
  return h("ul", { class: "nav-list" }, items);
}

/** Build (once) the signed-in layout and return its <main>. */
export function signedInLayout(user) {
  if (layout && layout.user === user) return layout.main;
  const app = document.getElementById("app");
  const sidebar = h("nav", { id: "sidebar", class: "sidebar", "aria-label": "Main" }, buildNav(user));
  const menu = h(
    "button",
    { type: "button", class: "icon-btn menu-btn", "aria-controls": "sidebar", "aria-expanded": "false", "aria-label": "Menu" },
    icon("M4 6h16M4 12h16M4 18h16"),
  );
  const setMenu = (open) => {
    menu.setAttribute("aria-expanded", String(open));
    sidebar.classList.toggle("open", open);
  };
  menu.addEventListener("click", () => setMenu(menu.getAttribute("aria-expanded") !== "true"));
  sidebar.addEventListener("click", (event) => {
    if (event.target.closest("a")) setMenu(false);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && sidebar.classList.contains("open")) {
      setMenu(false);
      menu.focus();
    }
  });
  const signOutBtn = h("button", { type: "button", class: "btn btn-quiet" }, "Sign out");
  signOutBtn.addEventListener("click", signOut);
  const toolsSlot = h("div", { class: "topbar-tools", id: "topbar-tools" });
  if (can(user, "notifications:read")) toolsSlot.append(notificationsBell().element);
  const topbar = h(
    "header",
    { class: "topbar" },
    menu,
    h("a", { href: "/", class: "brand" }, h("img", { src: "/static/favicon.svg", alt: "", width: 24, height: 24 }), h("span", {}, "Sales Proposal Bot")),
    h("div", { class: "topbar-spacer" }),
    toolsSlot,
    themeButton(),
    h("span", { class: "user-name", title: user.email }, user.name),
    signOutBtn,
  );
  const main = h("main", { id: "main", class: "main", tabindex: "-1" });
  replace(app, topbar, h("div", { class: "body" }, sidebar, main));
  app.dataset.state = "ready";
  app.dataset.layout = "signed-in";
  layout = { user, main };
  return main;
}

/** A centred single-card layout for sign-in and invitations. */
export function publicLayout() {
  layout = null;
  stopNotifications();
  const app = document.getElementById("app");
  const main = h("main", { id: "main", class: "public-main", tabindex: "-1" });
  const corner = h("div", { class: "public-corner" }, themeButton());
  replace(app, corner, main);
  app.dataset.state = "ready";
  app.dataset.layout = "public";
  return main;
}

export function markActive(pathname) {
  // The longest matching entry wins, so /proposals/history marks "Proposals", not "New proposal".
  const links = [...document.querySelectorAll(".nav-link")];
  const matches = (href) => (href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`));
  const best = links.filter((l) => matches(l.dataset.nav)).sort((a, b) => b.dataset.nav.length - a.dataset.nav.length)[0];
  links.forEach((link) => {
    if (link === best) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  });
}
