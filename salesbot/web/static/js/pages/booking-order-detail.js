// One booking order: the form (editable when allowed), totals, documents, timeline and actions.
import { ApiError, api } from "../api.js";
import { fileCard } from "../chat/messages.js";
import { formatDateTime, h, replace, uid } from "../dom.js";
import { formatDay, formatMoney, groupDigits } from "../format.js";
import { busy, confirmDialog, emptyState, reportError, toast } from "../ui.js";
import { loadMeta, stageLabel, vatLabel } from "../meta.js";
import { stageBadge } from "./booking-orders.js";

const TEXT_FIELDS = [
  ["client", "Client"],
  ["bo_number", "BO number"],
  ["agency", "Agency"],
  ["brand_campaign", "Brand / campaign"],
  ["category", "Category"],
  ["payment_terms", "Payment terms"],
  ["sales_person", "Sales person"],
];
const AMOUNT_FIELDS = [
  ["municipality_fee", "Municipality fee"],
  ["production_upload_fee", "Production / upload fee"],
];
const PCT_FIELDS = [
  ["sla_pct", "SLA %"],
  ["commission_pct", "Commission %"],
];
const TOTALS = [
  ["rentals", "Rentals"],
  ["municipality_fee", "Municipality fee"],
  ["production_upload_fee", "Production / upload fee"],
  ["net_pre_vat", "Net (before VAT)"],
  ["vat", null], // labelled with the configured VAT from /api/meta
  ["gross", "Gross"],
  ["sla_deduction", "SLA deduction"],
  ["net_excl_sla", "Net excluding SLA"],
];
const ACTIONS = {
  submit: { label: "Submit for review", kind: "btn-primary", confirm: "Send this booking order to the company's coordinators?" },
  approve: { label: "Approve", kind: "btn-primary", confirm: "Approve this booking order?" },
  reject: { label: "Reject", kind: "", reason: "Why is it rejected? The reason goes back to the previous step." },
  revise: { label: "Revise", kind: "", confirm: "Open a new revision in coordinator review? The approved one stays as it is." },
  cancel: { label: "Cancel booking order", kind: "btn-danger-quiet", reason: "Why is it cancelled?" },
  book: { label: "Mark as booked", kind: "btn-primary", number: "po_number", prompt: "The client's PO number (e.g. PO-12345)", message: "Confirm the booking with the client's purchase order. The sales person, coordinators and head of sales are told." },
  invoice: { label: "Mark invoiced", kind: "btn-primary", number: "invoice_number", prompt: "Invoice number (e.g. INV-2026-0042)", message: "Record the invoice for this booking order. This can't be undone." },
};
const EVENT_NAMES = { create: "Uploaded", edit: "Edited", submit: "Submitted", approve: "Approved", reject: "Rejected", cancel: "Cancelled", revise: "Revised", documents: "Documents produced", book: "Booked", invoice: "Invoiced", acknowledge: "Totals acknowledged" };

function plain(value) {
  return value === null || value === undefined ? "" : String(value);
}

/** A typed amount as the API reads it: grouping commas and spaces dropped. */
function amountText(value) {
  return value.replace(/[,\s]/g, "").trim();
}

function moneyRow(label, value, currency, strong = false) {
  const text = formatMoney(value, currency);
  return h("tr", { class: strong ? "total-row" : null }, h("th", { scope: "row" }, label), h("td", { class: "money" }, strong ? h("strong", {}, text) : text));
}

export async function render({ main, params, navigate, setTitle }) {
  const id = params.id;
  let [bo] = await Promise.all([api.get(`/api/booking-orders/${encodeURIComponent(id)}`), loadMeta()]);
  const head = h("header", { class: "page-head" });
  const notices = h("div", { class: "bo-notices" });
  const actionsBar = h("div", { class: "bo-actions", role: "group", "aria-label": "Actions" });
  const actionError = h("div", {});
  const fieldsCard = h("section", { class: "card", "aria-labelledby": "bo-fields-title" });
  const totalsCard = h("section", { class: "card", "aria-labelledby": "bo-totals-title" });
  const locationsCard = h("section", { class: "card", "aria-labelledby": "bo-locations-title" });
  const FORM_ID = "bo-fields-form";
  const docsCard = h("section", { class: "card", "aria-labelledby": "bo-docs-title" });
  const timelineCard = h("section", { class: "card", "aria-labelledby": "bo-timeline-title" });

  function paintHead() {
    const title = `${bo.fields.bo_number || "Booking order"}${bo.fields.client ? ` · ${bo.fields.client}` : ""}`;
    setTitle(title);
    replace(
      head,
      h("div", { class: "bo-title" }, h("h1", {}, title), stageBadge(bo.state)),
      h(
        "p",
        { class: "muted" },
        [bo.company.name, bo.reference ? `Reference ${bo.reference}` : null, bo.revision > 1 ? `Revision ${bo.revision}` : null, bo.hos_name && bo.approved_at ? `Approved by ${bo.hos_name} on ${formatDateTime(bo.approved_at)}` : null, bo.po_number ? `PO ${bo.po_number}` : null, bo.invoice_number ? `Invoice ${bo.invoice_number}` : null]
          .filter(Boolean)
          .join(" · "),
      ),
    );
  }

  function paintNotices() {
    const lists = [];
    if (bo.missing.length) lists.push(h("div", { class: "notice notice-warn", role: "status" }, h("strong", {}, "Missing, needed before it can be submitted: "), bo.missing.join(", ")));
    if (bo.problems.length) lists.push(h("div", { class: "notice notice-danger" }, h("strong", {}, "Problems: "), h("ul", { class: "plain-list" }, bo.problems.map((p) => h("li", {}, p)))));
    const check = bo.totals_check;
    const others = bo.warnings.filter((w) => !check.differences.includes(w));
    if (others.length) lists.push(h("div", { class: "notice notice-warn" }, h("strong", {}, "Check: "), h("ul", { class: "plain-list" }, others.map((w) => h("li", {}, w)))));
    if (check.differences.length) lists.push(totalsNotice(check));
    replace(notices, lists);
  }

  /** The document's totals that differ from ours: one warning, acknowledged once by a coordinator. */
  function totalsNotice(check) {
    const list = h("ul", { class: "plain-list" }, check.differences.map((w) => h("li", {}, w)));
    if (!check.pending) {
      return h("div", { class: "notice", dataset: { totals: "acknowledged" } }, h("strong", {}, `Totals differ from the document — acknowledged by ${check.acknowledged_by} on ${formatDateTime(check.acknowledged_at)}: `), list);
    }
    const box = h("div", { class: "notice notice-warn", role: "status", dataset: { totals: "pending" } }, h("strong", {}, "The document's totals differ from the calculated ones. A coordinator must acknowledge this before it can be approved: "), list);
    if (bo.allowed_actions.includes("approve") && bo.state === "coordinator_review") {
      const button = h("button", { type: "button", class: "btn", dataset: { action: "acknowledge-totals" } }, "Acknowledge the differences");
      button.addEventListener("click", () =>
        busy(button, async () => {
          try {
            bo = await api.post(`/api/booking-orders/${bo.id}/acknowledge-totals`, { version: bo.version });
            toast("Acknowledged; it can now be approved.");
            await refresh();
          } catch (err) {
            reportError(err, actionError);
            if (err instanceof ApiError && err.status === 409) await refresh(true);
          }
        }),
      );
      box.append(h("div", { class: "head-actions" }, button));
    }
    return box;
  }

  function paintActions() {
    const buttons = bo.allowed_actions.map((name) => {
      const spec = ACTIONS[name];
      const button = h("button", { type: "button", class: `btn ${spec.kind}`.trim(), dataset: { action: name } }, spec.label);
      button.addEventListener("click", () => act(name, button));
      return button;
    });
    replace(actionsBar, buttons.length ? buttons : h("p", { class: "muted small" }, ["approved", "booked", "invoiced", "cancelled"].includes(bo.state) ? `This booking order is ${stageLabel(bo.state).toLowerCase()}.` : "Nothing for you to do at this stage."));
  }

  async function act(name, button) {
    const spec = ACTIONS[name];
    let reason = null;
    let number = null;
    if (spec.number) {
      number = await confirmDialog({ title: `${spec.label}?`, message: spec.message, confirmLabel: spec.label, reason: spec.prompt, reasonRequired: `Please enter the ${spec.prompt.split(" (")[0].replace(/^The client's /, "").toLowerCase()}.` });
      if (!number) return;
    } else if (spec.reason) {
      reason = await confirmDialog({ title: `${spec.label}?`, message: "The people involved are notified with your reason.", confirmLabel: spec.label, danger: name === "cancel", reason: spec.reason });
      if (!reason) return;
    } else if (!(await confirmDialog({ title: `${spec.label}?`, message: spec.confirm, confirmLabel: spec.label }))) {
      return;
    }
    replace(actionError);
    await busy(button, async () => {
      try {
        const result = await api.post(`/api/booking-orders/${bo.id}/${name}`, { version: bo.version, ...(reason ? { reason } : {}), ...(number ? { [spec.number]: number } : {}) });
        if (name === "revise" && result.id !== bo.id) {
          toast(`Revision ${result.revision} is open in coordinator review.`);
          navigate(`/booking-orders/${result.id}`);
          return;
        }
        bo = result;
        toast(`${stageLabel(bo.state)}: ${bo.fields.bo_number || "booking order"}.`);
        await refresh();
      } catch (err) {
        reportError(err, actionError);
        if (err instanceof ApiError && err.status === 409) await refresh(true);
      }
    });
  }

  /* ---------- the form ---------- */
  function input(name, value, attrs = {}) {
    return h("input", { id: uid(`bo-${name}`), name, value: plain(value), ...attrs });
  }

  function paintFields() {
    const f = bo.fields;
    const cur = f.currency;
    if (!bo.editable) {
      const rows = [
        ...TEXT_FIELDS.map(([k, l]) => [l, f[k] || "—"]),
        ["BO date", formatDay(f.bo_date)],
        ["Asset", f.asset.join(", ") || "—"],
        ...AMOUNT_FIELDS.map(([k, l]) => [l, formatMoney(f[k], cur)]),
        ...PCT_FIELDS.map(([k, l]) => [l, f[k] === null ? "—" : `${f[k]}%`]),
        ["Currency", cur],
        ["Notes", f.notes || "—"],
      ];
      replace(
        fieldsCard,
        h("h2", { id: "bo-fields-title" }, "Booking order"),
        h("dl", { class: "facts bo-facts" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", { class: AMOUNT_FIELDS.some(([, l]) => l === k) ? "money-left" : null }, v)])),
      );
      replace(locationsCard, h("h2", { id: "bo-locations-title" }, "Locations"), locationsTable(false));
      return;
    }
    const form = h("form", { class: "form bo-form", id: FORM_ID, novalidate: true, "aria-label": "Booking order fields" });
    const box = h("p", { class: "form-error", role: "alert", hidden: true });
    const controls = {};
    const textFields = TEXT_FIELDS.map(([k, l]) => {
      controls[k] = input(k, f[k], { maxlength: 500 });
      return h("div", { class: "field" }, h("label", { for: controls[k].id }, l), controls[k]);
    });
    controls.bo_date = input("bo_date", f.bo_date, { type: "date" });
    controls.asset = input("asset", f.asset.join(", "), { maxlength: 500 });
    const amounts = AMOUNT_FIELDS.map(([k, l]) => {
      controls[k] = input(k, f[k], { inputmode: "decimal", class: "money-input" });
      return h("div", { class: "field" }, h("label", { for: controls[k].id }, `${l} (${cur})`), controls[k]);
    });
    const pcts = PCT_FIELDS.map(([k, l]) => {
      controls[k] = input(k, f[k], { inputmode: "decimal", class: "money-input" });
      return h("div", { class: "field" }, h("label", { for: controls[k].id }, l), controls[k]);
    });
    controls.notes = h("textarea", { id: uid("bo-notes"), name: "notes", rows: 2, maxlength: 500 }, plain(f.notes));
    const save = h("button", { type: "submit", class: "btn btn-primary", form: FORM_ID }, "Save and recalculate");
    form.append(
      box,
      h("div", { class: "row" }, textFields.slice(0, 2), h("div", { class: "field" }, h("label", { for: controls.bo_date.id }, "BO date"), controls.bo_date)),
      h("div", { class: "row" }, textFields.slice(2)),
      h("div", { class: "row" }, h("div", { class: "field" }, h("label", { for: controls.asset.id }, "Asset"), controls.asset), amounts, pcts),
      h("div", { class: "field" }, h("label", { for: controls.notes.id }, "Notes"), controls.notes),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      box.hidden = true;
      form.querySelectorAll(".field-error").forEach((n) => n.remove());
      form.querySelectorAll("[aria-invalid]").forEach((n) => n.removeAttribute("aria-invalid"));
      const fields = {};
      for (const [k] of TEXT_FIELDS) if (controls[k].value.trim() !== plain(f[k])) fields[k] = controls[k].value.trim();
      if (controls.bo_date.value !== plain(f.bo_date)) fields.bo_date = controls.bo_date.value || null;
      if (controls.asset.value.trim() !== f.asset.join(", ")) fields.asset = controls.asset.value.trim();
      for (const [k] of [...AMOUNT_FIELDS, ...PCT_FIELDS]) {
        const typed = amountText(controls[k].value);
        if (typed !== plain(f[k])) fields[k] = typed === "" ? null : typed;
      }
      if (controls.notes.value.trim() !== plain(f.notes)) fields.notes = controls.notes.value.trim();
      const locations = [];
      locationsCard.querySelectorAll("tr[data-index]").forEach((tr) => {
        const index = Number(tr.dataset.index);
        const old = f.locations[index];
        const changes = {};
        tr.querySelectorAll("input[data-key]").forEach((el) => {
          const key = el.dataset.key;
          const typed = key === "net_amount" ? amountText(el.value) : el.value.trim();
          if (typed !== plain(old[key])) changes[key] = typed === "" ? null : typed;
        });
        if (Object.keys(changes).length) locations.push({ location: index, changes });
      });
      if (!Object.keys(fields).length && !locations.length) {
        box.textContent = "Nothing has changed.";
        box.hidden = false;
        return;
      }
      await busy(save, async () => {
        try {
          bo = await api.patch(`/api/booking-orders/${bo.id}`, { version: bo.version, fields, locations });
          // An amount typed in another currency was converted: say how, as the chat does.
          toast(bo.currency_note ? `Saved. ${bo.currency_note}` : "Saved; the totals are recalculated.");
          await refresh();
        } catch (err) {
          box.textContent = err.message;
          box.hidden = false;
          // Put the reason next to the field it names, when it names one.
          const named = Object.keys(fields).find((k) => err.message && err.message.toLowerCase().includes(k.replace(/_/g, " ")));
          if (named && controls[named]) {
            controls[named].setAttribute("aria-invalid", "true");
            controls[named].focus();
          }
          if (err instanceof ApiError && err.status === 409) await refresh(true);
        }
      });
    });
    replace(fieldsCard, h("h2", { id: "bo-fields-title" }, "Booking order"), form);
    replace(
      locationsCard,
      h("h2", { id: "bo-locations-title" }, "Locations"),
      locationsTable(true),
      h("div", { class: "form-actions" }, h("p", { class: "muted small save-hint" }, "Saving recalculates the totals and the document."), save),
    );
  }

  function locationsTable(editable) {
    const f = bo.fields;
    const cur = f.currency;
    const cols = ["Location", "Start", "End", "Duration", `Net (${cur})`, `After SLA (${cur})`];
    const rows = f.locations.map((l, index) => {
      const label = l.name || `Location ${index + 1}`;
      if (!editable) {
        // data-label: on a phone each location is a card, each value named (app.css .stack-sm).
        return h(
          "tr",
          {},
          h("td", { dataset: { label: cols[0] } }, label),
          h("td", { class: "nowrap", dataset: { label: cols[1] } }, formatDay(l.start_date)),
          h("td", { class: "nowrap", dataset: { label: cols[2] } }, formatDay(l.end_date)),
          h("td", { dataset: { label: cols[3] } }, l.campaign_duration || "—"),
          h("td", { class: "money", dataset: { label: cols[4] } }, l.net_amount === null ? "—" : groupDigits(l.net_amount)),
          h("td", { class: "money", dataset: { label: cols[5] } }, groupDigits(l.post_sla)),
        );
      }
      const cell = (key, column, attrs) => h("td", { dataset: { label: cols[column] } }, h("input", { value: plain(l[key]), dataset: { key }, form: FORM_ID, ...attrs }));
      return h(
        "tr",
        { dataset: { index } },
        cell("name", 0, { maxlength: 200, "aria-label": `Name of location ${index + 1}` }),
        cell("start_date", 1, { type: "date", "aria-label": `Start date for ${label}` }),
        cell("end_date", 2, { type: "date", "aria-label": `End date for ${label}` }),
        h("td", { dataset: { label: cols[3] } }, l.campaign_duration || "—"),
        cell("net_amount", 4, { inputmode: "decimal", class: "money-input", "aria-label": `Net amount for ${label}` }),
        h("td", { class: "money", dataset: { label: cols[5] } }, groupDigits(l.post_sla)),
      );
    });
    return h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "table bo-locations stack-sm", "aria-label": "Locations" },
        h("thead", {}, h("tr", {}, cols.map((c, i) => h("th", { scope: "col", class: i >= 4 ? "money" : null }, c)))),
        h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No locations were found in the document."))),
      ),
    );
  }

  function paintTotals() {
    const t = bo.totals;
    replace(
      totalsCard,
      h("h2", { id: "bo-totals-title" }, "Totals"),
      t
        ? h(
            "table",
            { class: "table figures-table", "aria-label": "Totals" },
            h(
              "tbody",
              {},
              TOTALS.map(([k, l]) => moneyRow(l ?? vatLabel(), t[k], t.currency, k === "gross")),
            ),
          )
        : emptyState("The totals cannot be worked out yet.", "Fill in what is listed as missing above."),
    );
  }

  function paintDocs() {
    const links = [
      h("a", { class: "btn", href: `/api/booking-orders/${bo.id}/preview?format=pdf`, target: "_blank", rel: "noopener" }, "Open the PDF preview"),
      h("a", { class: "btn", href: `/api/booking-orders/${bo.id}/preview?format=xlsx`, download: "" }, "Download the Excel form"),
    ];
    const finals = [
      ["Final PDF (form and stamped original)", bo.final_pdf_file],
      ["Signed Excel", bo.excel_file],
      ["Stamped original", bo.stamped_file],
    ].filter(([, file]) => file);
    const source = bo.source_file;
    replace(
      docsCard,
      h("h2", { id: "bo-docs-title" }, "Documents"),
      h("p", { class: "muted small" }, "The company form as it stands now, with every edit applied."),
      h("div", { class: "head-actions" }, links),
      finals.length ? [h("h3", {}, "Approved documents"), h("div", { class: "doc-list" }, finals.map(([label, file]) => h("div", { class: "doc-item" }, h("p", { class: "muted small" }, label), fileCard(file))))] : null,
      source ? [h("h3", {}, "The client's document"), h("div", { class: "file-cards" }, fileCard(source))] : null,
    );
  }

  async function paintTimeline() {
    try {
      const events = await api.get(`/api/booking-orders/${bo.id}/events`);
      replace(
        timelineCard,
        h("h2", { id: "bo-timeline-title" }, "Timeline"),
        h(
          "ol",
          { class: "timeline" },
          events.map((e) =>
            h(
              "li",
              { class: "timeline-item", dataset: { action: e.action } },
              h("p", { class: "timeline-what" }, h("strong", {}, EVENT_NAMES[e.action] || e.action), ` by ${e.actor_name || "someone"}`, e.to_state && e.from_state !== e.to_state ? h("span", { class: "muted" }, ` → ${stageLabel(e.to_state)}`) : null),
              h("p", { class: "muted small" }, formatDateTime(e.at)),
              e.reason ? h("blockquote", { class: "timeline-reason" }, e.reason) : null,
            ),
          ),
        ),
      );
    } catch (err) {
      reportError(err, timelineCard);
    }
  }

  async function refresh(reload = false) {
    if (reload) bo = await api.get(`/api/booking-orders/${bo.id}`);
    paintHead();
    paintNotices();
    paintActions();
    paintFields();
    paintTotals();
    paintDocs();
    await paintTimeline();
  }

  replace(
    main,
    head,
    notices,
    actionsBar,
    actionError,
    h("div", { class: "bo-layout" }, fieldsCard, totalsCard),
    locationsCard,
    h("div", { class: "bo-layout" }, docsCard, timelineCard),
  );
  await refresh();
  return null;
}
