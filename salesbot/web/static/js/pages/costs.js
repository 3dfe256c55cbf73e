// Costs: model usage and its cost per day, per person and per model, as charts and tables.
import { api } from "../api.js";
import { columnChart, barChart } from "../charts.js";
import { h, replace, uid } from "../dom.js";
import { formatCost, plainDecimal } from "../format.js";
import { busy, emptyState, reportError } from "../ui.js";

const METRICS = {
  cost: { label: "Cost (US$)", value: (l) => Number(plainDecimal(l.cost)), text: (l) => formatCost(l.cost), axis: (n) => `$${n >= 1 ? Math.round(n).toLocaleString("en-US") : n.toFixed(n === 0 ? 0 : n >= 0.01 ? 2 : 4)}` },
  calls: { label: "Model calls", value: (l) => l.calls, text: (l) => l.calls.toLocaleString("en-US"), axis: (n) => Math.round(n).toLocaleString("en-US") },
  tokens: { label: "Tokens", value: (l) => l.input_tokens + l.output_tokens, text: (l) => (l.input_tokens + l.output_tokens).toLocaleString("en-US"), axis: (n) => Math.round(n).toLocaleString("en-US") },
};
const COLUMNS = ["", "Calls", "Input tokens", "Cached tokens", "Output tokens", "Cost"];

function isoDay(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

function cells(l) {
  // A free model (the built-in offline one) has no tokens to show and costs nothing.
  if (l.free) return [l.calls.toLocaleString("en-US"), "—", "—", "—", "Free"];
  return [l.calls, l.input_tokens, l.cached_tokens, l.output_tokens].map((n) => n.toLocaleString("en-US")).concat(formatCost(l.cost));
}

/** Every day of the range, with zero for the days nobody used the assistant. */
function everyDay(report) {
  const byDay = new Map(report.items.map((l) => [l.key, l]));
  const out = [];
  const [y, m, d] = report.from.split("-").map(Number);
  const day = new Date(y, m - 1, d);
  for (let i = 0; i < 400; i += 1) {
    const key = isoDay(day);
    out.push(byDay.get(key) || { key, calls: 0, input_tokens: 0, cached_tokens: 0, output_tokens: 0, cost: "0" });
    if (key >= report.to) break;
    day.setDate(day.getDate() + 1);
  }
  return out;
}

const shortDay = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });

export async function render({ main }) {
  // The first load asks for the server's default period (the last 30 days in the configured time
  // zone, which the usage is counted in) and shows it here; the browser's own date may differ.
  const from = h("input", { type: "date", id: uid("cost-from"), name: "from" });
  const to = h("input", { type: "date", id: uid("cost-to"), name: "to" });
  const apply = h("button", { type: "submit", class: "btn btn-primary" }, "Show");
  const filterError = h("div", { hidden: true });
  const filters = h(
    "form",
    { class: "filters", "aria-label": "Costs period" },
    h("div", { class: "field" }, h("label", { for: from.id }, "From"), from),
    h("div", { class: "field" }, h("label", { for: to.id }, "Until"), to),
    h("div", { class: "field field-button" }, apply),
  );
  const metricBox = h(
    "fieldset",
    { class: "metric-set" },
    h("legend", {}, "Show"),
    Object.entries(METRICS).map(([key, m]) => {
      const id = uid(`metric-${key}`);
      return h("label", { class: "check", for: id }, h("input", { type: "radio", name: "metric", id, value: key, checked: key === "cost" }), m.label);
    }),
  );
  const summary = h("div", { class: "grid cards stat-cards" });
  const body = h("div", { class: "stack" });
  let reports = null;
  let metric = "cost";

  function stat(label, value) {
    return h("div", { class: "card stat" }, h("p", { class: "muted small" }, label), h("p", { class: "stat-value num" }, value));
  }

  function paint() {
    const [days, users, models] = reports;
    const total = days.total;
    replace(
      summary,
      stat("Cost", formatCost(total.cost)),
      stat("Model calls", total.calls.toLocaleString("en-US")),
      stat("Input tokens", total.input_tokens.toLocaleString("en-US")),
      stat("Output tokens", total.output_tokens.toLocaleString("en-US")),
    );
    if (!total.calls) {
      replace(body, emptyState("No assistant usage in this period.", "Pick a wider period, or come back after the team has used the chat."));
      return;
    }
    const m = METRICS[metric];
    // Draw at the width the charts get (a card's inner width), so their text stays readable.
    const width = Math.max(300, Math.min(720, body.clientWidth - 48));
    const dayItems = everyDay(days).map((l) => {
      const [y, mo, d] = l.key.split("-").map(Number);
      return { label: l.key, short: shortDay.format(new Date(y, mo - 1, d)), value: m.value(l), text: m.text(l), cells: cells(l) };
    });
    const ranked = (report) =>
      [...report.items]
        .sort((a, b) => m.value(b) - m.value(a))
        .map((l) => ({ label: l.label || l.key, value: m.value(l), text: l.free && metric === "cost" ? "Free" : m.text(l), cells: cells(l) }));
    const section = (id, title, note, chart) => h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), note ? h("p", { class: "muted small" }, note) : null, chart);
    replace(
      body,
      section("chart-day", "Per day", null, columnChart({ title: `${m.label} per day`, items: dayItems, axis: m.axis, columns: ["Day", ...COLUMNS.slice(1)], width, integer: metric !== "cost" })),
      section(
        "chart-user",
        "Per person",
        users.scope === "own" ? "Only your own usage is shown; heads of sales and admins see everyone's." : null,
        barChart({ title: `${m.label} per person`, items: ranked(users), columns: ["Person", ...COLUMNS.slice(1)], width }),
      ),
      section("chart-model", "Per model", null, barChart({ title: `${m.label} per model`, items: ranked(models), columns: ["Model", ...COLUMNS.slice(1)], width })),
    );
  }

  let chosen = false;
  async function load() {
    filterError.hidden = true;
    try {
      const query = { from: from.value || null, to: to.value || null };
      reports = await Promise.all(["day", "user", "model"].map((g) => api.get("/api/costs", { query: { ...query, group_by: g } })));
      if (!from.value) from.value = reports[0].from;
      if (!to.value) to.value = reports[0].to;
      // Free usage (the offline model) draws nothing as cost: show calls until the user picks.
      if (!chosen && reports[0].total.calls && Number(plainDecimal(reports[0].total.cost)) === 0) {
        metric = "calls";
        metricBox.querySelector('input[value="calls"]').checked = true;
      }
      paint();
    } catch (err) {
      reportError(err, filterError);
      filterError.hidden = false;
    }
  }

  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(apply, load);
  });
  metricBox.addEventListener("change", (event) => {
    metric = event.target.value;
    chosen = true;
    if (reports) paint();
  });
  replace(
    main,
    h("header", { class: "page-head" }, h("h1", {}, "Costs"), h("p", { class: "muted" }, "What the assistant's model calls cost, in US dollars, and who made them.")),
    h("section", { class: "card" }, filters, filterError, metricBox),
    summary,
    body,
  );
  await load();
  return null;
}
