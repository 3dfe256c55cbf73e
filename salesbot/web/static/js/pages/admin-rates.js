// Admin: the currency rates proposals and booking orders convert AED with (AED per one unit).
import { ApiError, api } from "../api.js";
import { h, replace, uid } from "../dom.js";
import { busy, clearErrors, showFormError, toast } from "../ui.js";

const CODE = /^[A-Z]{3}$/;
const RATE = /^\d{1,10}(\.\d{1,8})?$/;

export async function render({ main }) {
  const rows = h("tbody", {});
  const save = h("button", { type: "submit", class: "btn btn-primary" }, "Save rates");
  const addRow = h("button", { type: "button", class: "btn" }, "Add a currency");
  const form = h(
    "form",
    { class: "form", novalidate: true, "aria-label": "Currency rates" },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "table rates-table" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Currency"), h("th", { scope: "col", class: "money" }, "AED per 1 unit"), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Remove")))),
        rows,
      ),
    ),
    h("div", { class: "form-actions" }, addRow, save),
  );

  function row(code = "", rate = "") {
    const codeInput = h("input", { id: uid("code"), name: "code", value: code, maxlength: 3, "aria-label": "Currency code", placeholder: "USD", autocapitalize: "characters" });
    const rateInput = h("input", { id: uid("rate"), name: "rate", value: rate, inputmode: "decimal", class: "money-input", "aria-label": `AED per 1 ${code || "unit"}` });
    codeInput.addEventListener("input", () => {
      codeInput.value = codeInput.value.toUpperCase();
      rateInput.setAttribute("aria-label", `AED per 1 ${codeInput.value || "unit"}`);
      remove.setAttribute("aria-label", `Remove ${codeInput.value || "this currency"}`);
    });
    const remove = h("button", { type: "button", class: "btn btn-small btn-quiet", "aria-label": `Remove ${code || "this currency"}` }, "Remove");
    const tr = h("tr", {}, h("td", {}, h("div", { class: "field" }, codeInput)), h("td", {}, h("div", { class: "field" }, rateInput)), h("td", { class: "actions" }, remove));
    remove.addEventListener("click", () => {
      tr.remove();
      save.focus();
    });
    return tr;
  }

  function mark(input, message) {
    input.setAttribute("aria-invalid", "true");
    const id = `${input.id}-error`;
    input.setAttribute("aria-describedby", id);
    input.closest(".field").append(h("p", { class: "field-error", id }, message));
  }

  async function load() {
    const current = await api.get("/api/settings/currency-rates");
    replace(rows, Object.entries(current.rates).sort(([a], [b]) => a.localeCompare(b)).map(([c, r]) => row(c, r)));
  }

  addRow.addEventListener("click", () => {
    const tr = row();
    rows.append(tr);
    tr.querySelector("input").focus();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const rates = {};
    let bad = null;
    for (const tr of rows.querySelectorAll("tr")) {
      const [codeInput, rateInput] = tr.querySelectorAll("input");
      const code = codeInput.value.trim();
      const rate = rateInput.value.trim().replace(/,/g, "");
      if (!CODE.test(code) || code === "AED") {
        mark(codeInput, code === "AED" ? "AED is the base currency: it is always 1." : "Use the 3-letter code, e.g. USD.");
        bad = bad || codeInput;
      } else if (rates[code]) {
        mark(codeInput, `${code} is listed twice.`);
        bad = bad || codeInput;
      }
      if (!RATE.test(rate) || /^0+(\.0+)?$/.test(rate)) {
        mark(rateInput, "Enter how many AED one unit costs, e.g. 3.6725.");
        bad = bad || rateInput;
      }
      rates[code] = rate;
    }
    if (bad) {
      const box = form.querySelector(".form-error");
      box.textContent = "Please fix the highlighted rates.";
      box.hidden = false;
      bad.focus();
      return;
    }
    if (!Object.keys(rates).length) {
      showFormError(form, new ApiError(422, "validation_failed", "Keep at least one currency besides AED."));
      return;
    }
    await busy(save, async () => {
      try {
        await api.put("/api/settings/currency-rates", { rates });
        toast("Saved the currency rates. New proposals use them from now on.");
        await load();
      } catch (err) {
        showFormError(form, err);
      }
    });
  });

  replace(
    main,
    h("header", { class: "page-head" }, h("h1", {}, "Currency rates"), h("p", { class: "muted" }, "Proposals and booking orders are priced in AED and converted with these rates. A currency left out is no longer offered.")),
    h("section", { class: "card" }, form),
  );
  await load();
  return null;
}
