// Company-wide occupancy by week: each location's booked and held share of every week, with
// a link to its calendar and an Excel export of the same view.
import { api } from "../api.js";
import { h, replace, uid } from "../dom.js";
import { busy, emptyState, reportError } from "../ui.js";

const weekLabel = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: "UTC" });

function cell(w) {
  const text = !w.booked_pct && !w.held_pct ? "free" : [w.booked_pct ? `${w.booked_pct}% booked` : "", w.held_pct ? `${w.held_pct}% held` : ""].filter(Boolean).join(", ");
  const state = w.booked_pct >= 100 ? "booked" : w.booked_pct || w.held_pct ? (w.booked_pct ? "partly" : "held") : "free";
  // Set through the CSSOM: the content security policy refuses inline style attributes.
  const bar = h("span", { class: "occ-bar" });
  bar.style.setProperty("--booked", `${w.booked_pct}%`);
  bar.style.setProperty("--held", `${w.held_pct}%`);
  return h("td", { class: `occ occ-${state}`, dataset: { week: w.start, state }, title: text }, bar, h("span", { class: "occ-text" }, text));
}

export async function render({ main }) {
  const from = h("input", { type: "date", id: uid("occ-from"), name: "from" });
  const weeks = h("input", { type: "number", id: uid("occ-weeks"), name: "weeks", min: 1, max: 104, value: 12 });
  const apply = h("button", { type: "submit", class: "btn btn-primary" }, "Show");
  const exportLink = h("a", { class: "btn", href: "/api/inventory/occupancy/export", download: "occupancy.xlsx" }, "Export to Excel");
  const filters = h(
    "form",
    { class: "filters", "aria-label": "Occupancy period" },
    h("div", { class: "field" }, h("label", { for: from.id }, "From week of"), from),
    h("div", { class: "field" }, h("label", { for: weeks.id }, "Weeks"), weeks),
    h("div", { class: "field field-button" }, apply),
  );
  const body = h("div", {});

  async function load() {
    try {
      const query = { from: from.value || null, weeks: weeks.value || null };
      const view = await api.get("/api/inventory/occupancy", { query });
      if (!from.value) from.value = view.weeks[0];
      const params = new URLSearchParams({ from: view.weeks[0], weeks: String(view.weeks.length) });
      exportLink.href = `/api/inventory/occupancy/export?${params}`;
      if (!view.rows.length) {
        replace(body, emptyState("No active locations.", "Add locations under Admin → Locations."));
        return;
      }
      replace(
        body,
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "table occupancy", "aria-label": "Occupancy by week" },
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Location"), view.weeks.map((w) => h("th", { scope: "col", class: "num" }, weekLabel.format(new Date(`${w}T00:00:00Z`)))))),
            h(
              "tbody",
              {},
              view.rows.map((r) =>
                h(
                  "tr",
                  { dataset: { key: r.key } },
                  h("th", { scope: "row" }, h("a", { href: `/locations/${encodeURIComponent(r.key)}/availability?from=${view.weeks[0]}` }, r.display_name), h("span", { class: "muted small" }, ` ${r.capacity} ${r.unit}s`)),
                  r.weeks.map(cell),
                ),
              ),
            ),
          ),
        ),
      );
    } catch (err) {
      reportError(err, body);
    }
  }

  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(apply, load);
  });
  replace(
    main,
    h("header", { class: "page-head" }, h("h1", {}, "Availability"), h("div", { class: "head-actions" }, exportLink)),
    h("p", { class: "muted" }, "Booked comes from approved booking orders, held from proposals' holds (until they expire). Each cell is the share of the week's faces or spots."),
    filters,
    body,
  );
  await load();
  return null;
}
