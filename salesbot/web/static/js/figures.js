// Proposal figures as tables: the investment sheet's rows, one column per rate option.
import { h } from "./dom.js";
import { vatLabel } from "./meta.js";

function moneyCell(m, strong = false) {
  const text = m ? m.text : "—";
  return h("td", { class: "money" }, strong ? h("strong", {}, text) : text);
}

function row(label, cells, strong = false) {
  return h("tr", { class: strong ? "total-row" : null }, h("th", { scope: "row" }, label), cells.map((m) => moneyCell(m, strong)));
}

/** One location of a separate proposal: Duration, Net rate, fee, DM fee, VAT, Total per option. */
export function optionsTable(location) {
  const options = location.options || [];
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table figures-table", "aria-label": `Totals for ${location.display_name}` },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Option"), options.map((o) => h("th", { scope: "col", class: "money" }, o.duration)))),
      h(
        "tbody",
        {},
        row("Net rate", options.map((o) => o.net_rate)),
        row(location.fee_label.replace(/:$/, ""), options.map((o) => o.fee)),
        row("Municipality fee", options.map((o) => o.dm_fee)),
        row(vatLabel(), options.map((o) => o.vat)),
        row("Total", options.map((o) => o.total), true),
      ),
    ),
  );
}

/** A combined package: one column; the fee row lists each location's fee when they differ in kind. */
export function packageTable(pkg, locations = []) {
  const feeText = pkg.fee_label.startsWith("Upload/Production") ? pkg.fees.map((f) => f.text).join(" | ") : pkg.fee_total.text;
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table figures-table", "aria-label": "Package totals" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Package"), h("th", { scope: "col", class: "money" }, `${locations.length} locations`))),
      h(
        "tbody",
        {},
        row("Net rate", [pkg.net_rate]),
        h("tr", {}, h("th", { scope: "row" }, pkg.fee_label.replace(/:$/, "")), h("td", { class: "money" }, feeText)),
        row("Municipality fee", [pkg.dm_fee]),
        row(vatLabel(), [pkg.vat]),
        row("Total", [pkg.total], true),
      ),
    ),
  );
}
