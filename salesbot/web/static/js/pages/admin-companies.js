// Admin: each company's booking-order template (Excel with a "BO Form" sheet) and its stamp.
import { ApiError, api } from "../api.js";
import { fileCard } from "../chat/messages.js";
import { uploadFile } from "../chat/upload.js";
import { h, replace, uid } from "../dom.js";
import { busy, emptyState, reportError, toast } from "../ui.js";
import { knownCompanies } from "./admin-locations.js";

const KINDS = {
  template: { label: "Booking-order template", accept: ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", hint: "An Excel workbook with a “BO Form” sheet; values go in columns B and E.", button: "Upload a template" },
  stamp: { label: "Company stamp", accept: "image/png,image/jpeg", hint: "A PNG or JPEG of the stamp; it is placed on page 1 of approved originals.", button: "Upload a stamp" },
};

function documentPart(code, kind, file, onSaved) {
  const spec = KINDS[kind];
  const input = h("input", { type: "file", id: uid(`${code}-${kind}`), accept: spec.accept, "aria-describedby": `${code}-${kind}-hint` });
  const bar = h("progress", { max: 100, value: 0, hidden: true, "aria-label": `${spec.label} upload progress` });
  const error = h("div", {});
  const send = h("button", { type: "button", class: "btn btn-small" }, spec.button);
  send.addEventListener("click", () =>
    busy(send, async () => {
      replace(error);
      if (!input.files[0]) {
        reportError(new ApiError(422, "validation_failed", "Choose the file first."), error);
        return;
      }
      bar.hidden = false;
      try {
        const meta = await uploadFile(input.files[0], (f) => {
          bar.value = Math.round(f * 100);
        });
        const saved = await api.put(`/api/booking-orders/companies/${encodeURIComponent(code)}/${kind}`, { file_id: meta.id });
        toast(`${saved.company.name}: the new ${kind === "template" ? "template" : "stamp"} is in use.`);
        onSaved(saved);
      } catch (err) {
        reportError(err, error);
      } finally {
        bar.hidden = true;
      }
    }),
  );
  const current = file ? fileCard(file) : h("p", { class: "muted" }, "The product's default is used.");
  return h(
    "div",
    { class: "doc-part", role: "group", "aria-label": spec.label },
    h("h3", {}, spec.label),
    current,
    h("div", { class: "field" }, h("label", { for: input.id }, file ? "Replace with" : "Use your own"), input, h("p", { class: "hint", id: `${code}-${kind}-hint` }, spec.hint)),
    h("div", { class: "upload-row" }, bar, send),
    error,
  );
}

export async function render({ main }) {
  const page = await api.get("/api/locations", { query: { include_inactive: true, limit: 500 } });
  const companies = await knownCompanies(page.items);
  const body = h("div", { class: "stack" });

  async function card(code, name) {
    const section = h("section", { class: "card company-card", "aria-labelledby": `company-${code}` });
    const paint = (docs) =>
      replace(
        section,
        h("h2", { id: `company-${code}` }, docs.company.name, h("span", { class: "muted small company-code" }, ` · ${docs.company.code}`)),
        h("div", { class: "doc-parts" }, documentPart(code, "template", docs.template, paint), documentPart(code, "stamp", docs.stamp, paint)),
      );
    try {
      paint(await api.get(`/api/booking-orders/companies/${encodeURIComponent(code)}/documents`));
    } catch (err) {
      replace(section, h("h2", { id: `company-${code}` }, name));
      section.append(h("div", {}));
      reportError(err, section.lastChild);
    }
    return section;
  }

  replace(
    main,
    h("header", { class: "page-head" }, h("h1", {}, "Companies"), h("p", { class: "muted" }, "Each company's booking orders are filled into its own template and stamped with its own stamp when the head of sales approves them.")),
    body,
  );
  if (!companies.length) {
    replace(body, emptyState("There are no companies yet.", "Companies come with their locations: add a location for each company under Admin › Locations."));
    return null;
  }
  replace(body, await Promise.all(companies.map(([code, name]) => card(code, name))));
  return null;
}
