// Booking orders: the list by stage and company, and uploading a new one.
import { api, can } from "../api.js";
import { formatDateTime, h, replace, uid } from "../dom.js";
import { formatMoney } from "../format.js";
import { loadMeta, stageLabel, stages } from "../meta.js";
import { busy, clearErrors, emptyState, openDialog, reportError, showFormError } from "../ui.js";
import { postForm } from "../upload-form.js";

const STAGE_BADGES = { draft: "badge-muted", coordinator_review: "badge-warn", hos_review: "badge-warn", approved: "badge-ok", booked: "badge-ok", invoiced: "badge-ok", cancelled: "badge-muted" };

export function stageBadge(state) {
  return h("span", { class: `badge ${STAGE_BADGES[state] || ""}`, dataset: { stage: state } }, stageLabel(state));
}

/** Companies a booking order can be for, from the catalogue (every company sells locations). */
export async function companyChoices() {
  try {
    const page = await api.get("/api/locations", { query: { limit: 500 } });
    return [...new Map(page.items.map((l) => [l.company, l.company_name])).entries()].sort((a, b) => a[1].localeCompare(b[1]));
  } catch {
    return [];
  }
}

function uploadDialog(companies, navigate) {
  const file = h("input", { type: "file", id: uid("bo-file"), name: "file", accept: ".pdf,.xlsx,.xls,.csv,image/png,image/jpeg" });
  const company = h(
    "select",
    { id: uid("bo-company"), name: "company" },
    h("option", { value: "" }, "Read it from the document"),
    companies.map(([code, name]) => h("option", { value: code }, name)),
  );
  const notes = h("textarea", { id: uid("bo-notes"), name: "notes", rows: 3, maxlength: 4000, placeholder: "e.g. booking order for Viola, upload fee is 2000" });
  const bar = h("progress", { max: 100, value: 0, hidden: true, "aria-label": "Upload progress" });
  const status = h("p", { class: "muted small", role: "status" });
  const send = h("button", { type: "submit", class: "btn btn-primary" }, "Read the booking order");
  const cancel = h("button", { type: "button", class: "btn" }, "Cancel");
  const field = (label, control, hint) =>
    h("div", { class: "field" }, h("label", { for: control.id }, label), control, hint ? h("p", { class: "hint" }, hint) : null);
  const form = h(
    "form",
    { class: "form", novalidate: true },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    field("The client's signed booking order", file, "PDF, Excel, CSV, or a photo (photos need an AI provider)."),
    field("Company", company),
    field("Anything to add", notes, "Values you state here override the document."),
    bar,
    status,
    h("div", { class: "form-actions" }, cancel, send),
  );
  const { close } = openDialog({ title: "Upload a booking order", body: form });
  cancel.addEventListener("click", () => close(null));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const chosen = file.files[0];
    if (!chosen) {
      const box = form.querySelector(".form-error");
      box.textContent = "Choose the booking order file.";
      box.hidden = false;
      file.focus();
      return;
    }
    await busy(send, async () => {
      bar.hidden = false;
      try {
        const uploaded = await postForm(
          "/api/files",
          () => {
            const body = new FormData();
            body.append("files", chosen, chosen.name);
            return body;
          },
          (f) => {
            bar.value = Math.round(f * 100);
          },
        );
        bar.hidden = true;
        status.textContent = "Reading the booking order…";
        const body = { file_id: uploaded[0].id, notes: notes.value.trim() };
        if (company.value) body.company = company.value;
        const bo = await api.post("/api/booking-orders", body);
        close(null);
        navigate(`/booking-orders/${bo.id}`);
      } catch (err) {
        bar.hidden = true;
        status.textContent = "";
        showFormError(form, err);
      }
    });
  });
}

export async function render({ main, user, query, navigate }) {
  const mayCreate = can(user, "booking_orders:create") && can(user, "files:upload");
  const [companies] = await Promise.all([companyChoices(), loadMeta()]);
  const wanted = new Set(query.getAll("stage"));
  const stageButtons = [["", "All"], ...stages()].map(([value, label]) =>
    h("button", { type: "button", class: "btn btn-small stage-btn", "aria-pressed": String(value ? wanted.has(value) : wanted.size === 0), dataset: { stage: value } }, label),
  );
  const stageBar = h("div", { class: "stage-bar", role: "group", "aria-label": "Stage" }, stageButtons);
  const companySelect = h(
    "select",
    { id: uid("bo-filter-company"), "aria-label": "Company" },
    h("option", { value: "" }, "All companies"),
    companies.map(([code, name]) => h("option", { value: code, selected: code === query.get("company") }, name)),
  );
  const exportLink = can(user, "booking_orders:finance") ? h("a", { class: "btn", href: "/api/booking-orders/export", download: "booking-orders.xlsx" }, "Export to Excel") : null;
  const upload = mayCreate ? h("button", { type: "button", class: "btn btn-primary" }, "Upload a booking order") : null;
  if (upload) upload.addEventListener("click", () => uploadDialog(companies, navigate));
  const tbody = h("tbody", {});
  const table = h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table stack-sm", "aria-label": "Booking orders" },
      h("thead", {}, h("tr", {}, ["Booking order", "Client", "Company", "Stage", "Gross", "Updated"].map((c) => h("th", { scope: "col", class: c === "Gross" ? "money" : null }, c)))),
      tbody,
    ),
  );
  const more = h("button", { type: "button", class: "btn", hidden: true }, "Load more");
  const results = h("div", {});
  let cursor = null;

  const selectedStages = () => stageButtons.filter((b) => b.dataset.stage && b.getAttribute("aria-pressed") === "true").map((b) => b.dataset.stage);

  const rowFor = (bo) =>
    h(
      "tr",
      { dataset: { id: bo.id } },
      h(
        "td",
        { dataset: { label: "Booking order" } },
        h(
          "div",
          {},
          h("a", { href: `/booking-orders/${bo.id}` }, bo.reference || bo.bo_number || "Booking order"),
          h("div", { class: "muted small" }, [bo.reference ? bo.bo_number : null, bo.revision > 1 ? `revision ${bo.revision}` : null].filter(Boolean).join(" · ")),
        ),
      ),
      h("td", { dataset: { label: "Client" } }, bo.client || "—"),
      h("td", { dataset: { label: "Company" } }, bo.company.name),
      h("td", { dataset: { label: "Stage" } }, stageBadge(bo.state)),
      h("td", { class: "money", dataset: { label: "Gross" } }, bo.gross ? formatMoney(bo.gross, bo.currency) : "—"),
      h("td", { class: "nowrap", dataset: { label: "Updated" } }, formatDateTime(bo.updated_at)),
    );

  async function load(append) {
    try {
      const stages = selectedStages();
      const q = { stage: stages, company: companySelect.value };
      const page = await api.get("/api/booking-orders", { query: { ...q, cursor: append ? cursor : null, limit: 20 } });
      if (exportLink) {
        const params = new URLSearchParams();
        stages.forEach((s) => params.append("stage", s));
        if (companySelect.value) params.append("company", companySelect.value);
        exportLink.href = `/api/booking-orders/export${params.toString() ? `?${params}` : ""}`;
      }
      cursor = page.next_cursor;
      more.hidden = !page.has_more;
      if (!append) {
        tbody.replaceChildren();
        if (!page.items.length) {
          const filtered = stages.length || companySelect.value;
          replace(
            results,
            filtered
              ? emptyState("No booking order is at this stage.", "Choose another stage or “All”.")
              : emptyState("No booking orders yet.", mayCreate ? "Upload a client's signed booking order to start." : "Booking orders your team uploads appear here.", upload ? h("button", { type: "button", class: "btn btn-primary", onclick: () => uploadDialog(companies, navigate) }, "Upload a booking order") : null),
          );
          return;
        }
        replace(results, table, more);
      }
      tbody.append(...page.items.map(rowFor));
    } catch (err) {
      reportError(err, results);
    }
  }

  const syncUrl = () => {
    const params = new URLSearchParams();
    selectedStages().forEach((s) => params.append("stage", s));
    if (companySelect.value) params.set("company", companySelect.value);
    history.replaceState({}, "", `/booking-orders${params.toString() ? `?${params}` : ""}`);
  };
  stageButtons.forEach((b) =>
    b.addEventListener("click", () => {
      if (!b.dataset.stage) {
        stageButtons.forEach((x) => x.setAttribute("aria-pressed", String(x === b)));
      } else {
        b.setAttribute("aria-pressed", String(b.getAttribute("aria-pressed") !== "true"));
        const any = selectedStages().length > 0;
        stageButtons[0].setAttribute("aria-pressed", String(!any));
      }
      syncUrl();
      load(false);
    }),
  );
  companySelect.addEventListener("change", () => {
    syncUrl();
    load(false);
  });
  more.addEventListener("click", () => busy(more, () => load(true)));
  replace(
    main,
    h("header", { class: "page-head" }, h("h1", {}, "Booking orders"), h("div", { class: "head-actions" }, exportLink, upload)),
    h("div", { class: "toolbar bo-toolbar" }, stageBar, companySelect),
    results,
  );
  await load(false);
  return null;
}
