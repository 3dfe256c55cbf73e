// One location's availability calendar: a month of days, each booked / held / free, with the
// holds and bookings behind them (holds can be renewed once or released by whoever placed them).
import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { busy, confirmDialog, emptyState, reportError, toast } from "../ui.js";

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const monthName = new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric", timeZone: "UTC" });

function iso(date) {
  return date.toISOString().slice(0, 10);
}

/** The first and last day of the month holding `day` (YYYY-MM-DD), as UTC dates. */
function monthOf(day) {
  const [y, m] = day.split("-").map(Number);
  return [new Date(Date.UTC(y, m - 1, 1)), new Date(Date.UTC(y, m, 0))];
}

function shifted(first, months) {
  return iso(new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + months, 1)));
}

function dayState(d, capacity) {
  if (d.free === capacity) return "free";
  if (d.free > 0) return "partly";
  return d.booked >= capacity ? "booked" : "held";
}

function dayCell(d, capacity, unit) {
  const state = dayState(d, capacity);
  const detail = [`${d.free} of ${capacity} ${unit}s free`];
  if (d.booked) detail.push(`${d.booked} booked`);
  if (d.held) detail.push(`${d.held} held`);
  return h(
    "td",
    { class: `cal-day cal-${state}`, dataset: { day: d.date, state }, title: detail.join(", ") },
    h("span", { class: "cal-num" }, String(Number(d.date.slice(8)))),
    h("span", { class: "cal-note" }, state === "free" ? "free" : detail.slice(0).join(" · ")),
  );
}

function calendar(view) {
  const rows = [];
  let week = [];
  const lead = (new Date(`${view.days[0].date}T00:00:00Z`).getUTCDay() + 6) % 7;
  for (let i = 0; i < lead; i += 1) week.push(h("td", { class: "cal-pad" }));
  for (const d of view.days) {
    week.push(dayCell(d, view.capacity, view.unit));
    if (week.length === 7) {
      rows.push(h("tr", {}, week));
      week = [];
    }
  }
  if (week.length) {
    while (week.length < 7) week.push(h("td", { class: "cal-pad" }));
    rows.push(h("tr", {}, week));
  }
  return h(
    "table",
    { class: "calendar", "aria-label": `Availability of ${view.display_name}` },
    h("thead", {}, h("tr", {}, WEEKDAYS.map((w) => h("th", { scope: "col" }, w)))),
    h("tbody", {}, rows),
  );
}

export async function render({ main, params }) {
  const key = params.key;
  const query = new URLSearchParams(location.search);
  let [first, last] = monthOf(query.get("from") || iso(new Date()));
  const title = h("h1", {}, "Availability");
  const answer = h("p", { class: "cal-answer", role: "status" });
  const prev = h("button", { type: "button", class: "btn" }, "‹ Previous month");
  const next = h("button", { type: "button", class: "btn" }, "Next month ›");
  const label = h("h2", { class: "cal-month" });
  const body = h("div", { class: "stack" });
  const list = h("div", {});

  function commitmentRow(c, reload) {
    const actions = [];
    if (c.kind === "hold" && c.renewable) {
      const renew = h("button", { type: "button", class: "btn btn-small" }, "Renew");
      renew.addEventListener("click", () =>
        busy(renew, async () => {
          try {
            await api.post(`/api/inventory/holds/${c.id}/renew`);
            toast("Hold renewed.");
            await reload();
          } catch (err) {
            reportError(err);
          }
        }),
      );
      actions.push(renew);
    }
    if (c.kind === "hold" && c.counts) {
      const release = h("button", { type: "button", class: "btn btn-small" }, "Release");
      release.addEventListener("click", async () => {
        if (!(await confirmDialog({ title: "Release this hold?", message: c.text, confirmLabel: "Release" }))) return;
        try {
          await api.del(`/api/inventory/holds/${c.id}`);
          toast("Hold released.");
          await reload();
        } catch (err) {
          reportError(err);
        }
      });
      actions.push(release);
    }
    return h(
      "tr",
      { dataset: { kind: c.kind } },
      h("td", {}, h("span", { class: `badge badge-${c.kind}` }, c.kind === "hold" ? "Held" : "Booked")),
      h("td", {}, c.text),
      h("td", { class: "num" }, String(c.units)),
      h("td", {}, c.owner_name || "—"),
      h("td", { class: "actions" }, actions),
    );
  }

  async function load() {
    try {
      const view = await api.get(`/api/locations/${encodeURIComponent(key)}/availability`, { query: { from: iso(first), to: iso(last) } });
      title.textContent = `Availability: ${view.display_name}`;
      label.textContent = monthName.format(first);
      answer.textContent = view.answer;
      history.replaceState({}, "", `${location.pathname}?from=${iso(first)}`);
      replace(
        list,
        view.commitments.length
          ? h(
              "div",
              { class: "table-wrap" },
              h(
                "table",
                { class: "table", "aria-label": "Holds and bookings" },
                h("thead", {}, h("tr", {}, ["", "What", view.unit === "spot" ? "Spots" : "Faces", "By", ""].map((t) => h("th", { scope: "col" }, t)))),
                h("tbody", {}, view.commitments.map((c) => commitmentRow(c, load))),
              ),
            )
          : emptyState("Nothing booked or held this month.", "Hold a proposal's dates from its page, or approve a booking order."),
      );
      replace(body, calendar(view), h("p", { class: "muted small cal-legend" }, `Capacity: ${view.capacity} ${view.unit}s a day. Holds last a set number of days and can be renewed once.`));
    } catch (err) {
      reportError(err, body);
    }
  }

  prev.addEventListener("click", () => busy(prev, async () => {
    [first, last] = monthOf(shifted(first, -1));
    await load();
  }));
  next.addEventListener("click", () => busy(next, async () => {
    [first, last] = monthOf(shifted(first, 1));
    await load();
  }));
  replace(
    main,
    h("header", { class: "page-head" }, title, h("div", { class: "head-actions" }, h("a", { class: "btn", href: "/inventory" }, "All locations"))),
    h("div", { class: "toolbar cal-nav" }, prev, label, next),
    answer,
    body,
    h("section", { class: "card", "aria-labelledby": "cal-list" }, h("h2", { id: "cal-list" }, "Holds and bookings"), list),
  );
  await load();
  return null;
}
