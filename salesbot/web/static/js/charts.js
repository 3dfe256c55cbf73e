// Small SVG charts drawn by the product (no library): columns over time and ranked bars.
// Geometry uses plain numbers; every label shown is the exact text the caller passes.
import { h, svg } from "./dom.js";

const WIDTH = 720;

function niceMax(value, integer) {
  // Whole counts get at least 0…4, so the four grid steps are whole numbers too.
  if (integer) return Math.max(4, Math.ceil(niceMax(value, false) / 4) * 4);
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

function dataTable(caption, head, items) {
  return h(
    "details",
    { class: "chart-table" },
    h("summary", {}, "Show as a table"),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "table" },
        h("caption", { class: "visually-hidden" }, caption),
        h("thead", {}, h("tr", {}, head.map((c, i) => h("th", { scope: "col", class: i ? "num" : null }, c)))),
        h("tbody", {}, items.map((it) => h("tr", {}, h("td", {}, it.label), it.cells.map((c) => h("td", { class: "num" }, c))))),
      ),
    ),
  );
}

/**
 * columnChart({title, items: [{label, short, value, text}], axis: (n) => text, width, integer})
 * One column per item (e.g. per day), with a value axis and every few labels under it.
 * `width` is the drawing's width in CSS pixels, so its text keeps its size on a phone.
 */
export function columnChart({ title, items, axis, columns = null, width = WIDTH, integer = false }) {
  const height = 240;
  const left = 64;
  const bottom = 28;
  const top = 12;
  const plotW = width - left - 8;
  const plotH = height - top - bottom;
  const max = niceMax(Math.max(0, ...items.map((i) => i.value)), integer);
  const step = plotW / Math.max(1, items.length);
  const barW = Math.max(2, Math.min(36, step * 0.7));
  const labelEvery = Math.max(1, Math.ceil(items.length / Math.max(2, Math.floor(plotW / 64))));
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = top + plotH - f * plotH;
    return [
      svg("line", { x1: left, x2: width - 8, y1: y, y2: y, class: "chart-grid" }),
      svg("text", { x: left - 8, y: y + 4, class: "chart-axis", "text-anchor": "end" }, axis(max * f)),
    ];
  });
  const bars = items.map((item, i) => {
    const x = left + i * step + (step - barW) / 2;
    const hgt = max ? (item.value / max) * plotH : 0;
    return svg(
      "g",
      {},
      svg("rect", { x, y: top + plotH - hgt, width: barW, height: Math.max(hgt, item.value > 0 ? 1 : 0), class: "chart-bar", rx: 2 }, svg("title", {}, `${item.label}: ${item.text}`)),
      i % labelEvery === 0 ? svg("text", { x: x + barW / 2, y: height - 8, class: "chart-axis", "text-anchor": "middle" }, item.short || item.label) : null,
    );
  });
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": title }, grid, bars);
  return h("figure", { class: "chart-figure" }, chart, dataTable(title, columns || ["", "Value"], items.map((i) => ({ label: i.label, cells: i.cells || [i.text] }))));
}

/** barChart({title, items: [{label, value, text}], width}): ranked horizontal bars with values. */
export function barChart({ title, items, columns = null, width = WIDTH }) {
  const row = 30;
  const labelW = Math.round(Math.min(220, width * 0.38));
  const valueW = Math.round(Math.min(110, width * 0.22));
  const height = Math.max(1, items.length) * row + 8;
  const plotW = width - labelW - valueW;
  const chars = Math.max(8, Math.floor((labelW - 8) / 8.5));
  const max = Math.max(0, ...items.map((i) => i.value)) || 1;
  const bars = items.map((item, i) => {
    const y = 4 + i * row;
    const w = (item.value / max) * plotW;
    const label = item.label.length > chars ? `${item.label.slice(0, chars - 1)}…` : item.label;
    return svg(
      "g",
      {},
      svg("text", { x: labelW - 8, y: y + 19, class: "chart-label", "text-anchor": "end" }, label, svg("title", {}, item.label)),
      svg("rect", { x: labelW, y: y + 5, width: Math.max(w, item.value > 0 ? 1 : 0), height: row - 10, class: "chart-bar", rx: 3 }, svg("title", {}, `${item.label}: ${item.text}`)),
      svg("text", { x: labelW + w + 8, y: y + 19, class: "chart-value" }, item.text),
    );
  });
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": title }, bars);
  return h("figure", { class: "chart-figure" }, chart, dataTable(title, columns || ["", "Value"], items.map((i) => ({ label: i.label, cells: i.cells || [i.text] }))));
}
