// New proposal: separate or combined, locations picked by search, duration/rate rows, live totals.
import { api, currentUser } from "../api.js";
import { fileCard } from "../chat/messages.js";
import { h, replace, uid } from "../dom.js";
import { formatDay } from "../format.js";
import { busy, emptyState, reportError } from "../ui.js";
import { optionsTable, packageTable } from "../figures.js";
import { loadMeta } from "../meta.js";
import { locationPicker } from "../location-picker.js";
import { openShareDialog } from "../share-dialog.js";
import { followRender, newRenderId } from "../render-progress.js";

const DURATIONS = ["1 week", "2 weeks", "3 weeks", "4 weeks", "6 weeks", "8 weeks", "12 weeks", "1 month", "3 months"];
const PREVIEW_PATH = "/api/proposals/preview";
const PREVIEW_DELAY_MS = 400;

function newItem(location) {
  return { location, start_date: "", end_date: "", spots: 1, production_fee: "", duration: "", options: [{ duration: "", rate: "" }] };
}

/** Fill the form from a stored proposal's input (history → "Open in form"). */
function fromInput(input, byKey, byName) {
  const find = (name) => byKey.get(String(name || "").toLowerCase()) || byName(String(name || ""));
  const state = {
    kind: input.kind === "combined" ? "combined" : "separate",
    client_name: input.client_name || "",
    payment_terms: input.payment_terms || "",
    currency: input.currency || "AED",
    rates_currency: input.rates_currency || "AED",
    combined_net_rate: input.combined_net_rate != null ? String(input.combined_net_rate) : "",
    items: [],
  };
  const rows = state.kind === "combined" ? input.locations || [] : input.proposals || [];
  for (const row of rows) {
    const location = find(row.location);
    if (!location) continue;
    const item = newItem(location);
    item.start_date = /^\d{4}-\d{2}-\d{2}$/.test(row.start_date || "") ? row.start_date : "";
    item.end_date = /^\d{4}-\d{2}-\d{2}$/.test(row.end_date || "") ? row.end_date : "";
    item.spots = Number(row.spots) || 1;
    item.production_fee = row.production_fee != null ? String(row.production_fee) : "";
    item.duration = row.duration || "";
    const durations = row.durations || [];
    const rates = row.net_rates || [];
    if (durations.length) item.options = durations.map((d, i) => ({ duration: d, rate: rates[i] != null ? String(rates[i]) : "" }));
    state.items.push(item);
  }
  return state;
}

/** The request body the API takes, from the form state (blank optional fields left out). */
export function requestBody(state) {
  const common = { kind: state.kind, client_name: state.client_name.trim() };
  if (state.payment_terms.trim()) common.payment_terms = state.payment_terms.trim();
  if (state.currency) common.currency = state.currency;
  if (state.rates_currency && state.rates_currency !== "AED") common.rates_currency = state.rates_currency;
  const extras = (item) => {
    const out = {};
    if (item.location.display_type === "digital") out.spots = Number(item.spots) || 1;
    if (item.location.display_type === "static" && item.production_fee.trim()) out.production_fee = item.production_fee.trim();
    return out;
  };
  if (state.kind === "combined") {
    const body = {
      ...common,
      locations: state.items.map((item) => ({
        location: item.location.key,
        start_date: item.start_date,
        ...(item.duration.trim() ? { duration: item.duration.trim() } : {}),
        ...extras(item),
      })),
    };
    if (state.combined_net_rate.trim()) body.combined_net_rate = state.combined_net_rate.trim();
    return body;
  }
  return {
    ...common,
    proposals: state.items.map((item) => ({
      location: item.location.key,
      start_date: item.start_date,
      ...(item.end_date ? { end_date: item.end_date } : {}),
      durations: item.options.map((o) => o.duration.trim()),
      net_rates: item.options.map((o) => o.rate.trim()),
      ...extras(item),
    })),
  };
}

/** What is still missing, as [{input, message}] (checked before asking the API). */
function problems(state, refs) {
  const out = [];
  if (!state.client_name.trim()) out.push({ input: refs.client, message: "Enter the client's name." });
  if (!state.items.length) out.push({ input: refs.picker, message: "Add at least one location." });
  if (state.kind === "combined" && state.items.length === 1) out.push({ input: refs.picker, message: "A combined package needs at least 2 locations." });
  state.items.forEach((item) => {
    const r = item.refs;
    if (!item.start_date) out.push({ input: r.start, message: "Choose the start date." });
    if (state.kind === "combined") {
      if (!item.duration.trim()) out.push({ input: r.duration, message: "Enter the duration, e.g. 4 weeks." });
    } else {
      item.options.forEach((o, i) => {
        if (!o.duration.trim()) out.push({ input: r.options[i].duration, message: "Enter the duration." });
        if (!o.rate.trim()) out.push({ input: r.options[i].rate, message: "Enter the net rate." });
      });
    }
    if (item.location.display_type === "static" && !item.production_fee.trim()) {
      out.push({ input: r.fee, message: "Static locations need a production fee." });
    }
  });
  if (state.kind === "combined" && !state.combined_net_rate.trim()) out.push({ input: refs.packageRate, message: "Enter the package net rate." });
  return out;
}

function markField(input, message) {
  input.setAttribute("aria-invalid", "true");
  const id = `${input.id}-error`;
  const note = h("p", { class: "field-error", id }, message);
  input.setAttribute("aria-describedby", id);
  (input.closest(".field") || input.parentElement).append(note);
}

/** A warning beside a field (e.g. a start date that has passed): shown, never blocking. */
function warnField(input, message) {
  const id = `${input.id}-warning`;
  const note = h("p", { class: "field-warning", id, role: "status" }, message);
  input.setAttribute("aria-describedby", id);
  (input.closest(".field") || input.parentElement).append(note);
}

/** Put each of the server's warnings beside the field it is about. */
function showWarnings(root, state, warnings) {
  root.querySelectorAll(".field-warning").forEach((el) => el.remove());
  for (const w of warnings || []) {
    const item = state.items.find((i) => i.location.key === w.location);
    const input = item && w.field === "start_date" ? item.refs.start : null;
    if (input && input.isConnected) warnField(input, w.message);
  }
}

function clearMarks(root) {
  root.querySelectorAll(".field-error").forEach((el) => el.remove());
  root.querySelectorAll("[aria-invalid]").forEach((el) => {
    el.removeAttribute("aria-invalid");
    el.removeAttribute("aria-describedby");
  });
}

function input(attrs) {
  return h("input", { id: uid(attrs.name || "f"), ...attrs });
}

function labelled(label, control, hint = null) {
  const hintNode = hint ? h("p", { class: "hint", id: `${control.id}-hint` }, hint) : null;
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintNode);
}

/** Figures of a produced (or previewed) proposal: a table per location, or the package. */
export function figuresView(result) {
  // How the typed amounts were read, when any was converted or is shown converted.
  const note = result.currency_note ? h("p", { class: "currency-note small" }, result.currency_note) : null;
  if (result.kind === "combined" && result.package) {
    return h(
      "div",
      { class: "figures" },
      h("ul", { class: "chips" }, result.locations.map((l) => h("li", { class: "chip" }, `${l.display_name} · ${l.date_text}`))),
      packageTable(result.package, result.locations),
      note,
    );
  }
  return h(
    "div",
    { class: "figures" },
    result.locations.map((l) => h("section", { class: "figure-block" }, h("h3", {}, l.display_name), h("p", { class: "muted small" }, l.date_text), optionsTable(l))),
    note,
  );
}

export async function render({ main, query }) {
  // loadMeta: the figures tables label VAT with the configured percentage.
  const [locPage, rates] = await Promise.all([api.get("/api/locations", { query: { limit: 500 } }), api.get("/api/settings/currency-rates"), loadMeta()]);
  const locations = locPage.items.filter((l) => l.is_active);
  const byKey = new Map(locations.map((l) => [l.key, l]));
  const byName = (name) => locations.find((l) => l.display_name.toLowerCase() === name.toLowerCase() || l.aliases.some((a) => a.toLowerCase() === name.toLowerCase()));

  if (!locations.length) {
    replace(main, h("h1", {}, "New proposal"), emptyState("There are no locations to offer yet.", "Ask an admin to add locations under Admin › Locations."));
    return null;
  }

  let state = { kind: "separate", client_name: "", payment_terms: "", currency: "AED", rates_currency: "AED", combined_net_rate: "", items: [] };
  const from = query.get("from");
  if (from) {
    try {
      const source = await api.get(`/api/proposals/${encodeURIComponent(from)}`);
      state = fromInput({ ...source.input, kind: source.kind }, byKey, byName);
    } catch (err) {
      reportError(err);
    }
  }

  const form = h("form", { class: "form proposal-form", novalidate: true, "aria-label": "New proposal" });
  const formError = h("p", { class: "form-error", role: "alert", hidden: true });
  const kindSeparate = h("input", { type: "radio", name: "kind", value: "separate", id: "kind-separate", checked: state.kind === "separate" });
  const kindCombined = h("input", { type: "radio", name: "kind", value: "combined", id: "kind-combined", checked: state.kind === "combined" });
  const kindSet = h(
    "fieldset",
    { class: "kind-set" },
    h("legend", {}, "Kind"),
    h("label", { class: "check", for: "kind-separate" }, kindSeparate, "Separate proposals (rate options per location)"),
    h("label", { class: "check", for: "kind-combined" }, kindCombined, "Combined package (one rate for all locations)"),
  );
  const client = input({ name: "client_name", required: true, maxlength: 120, value: state.client_name, autocomplete: "organization" });
  const currencies = ["AED", ...Object.keys(rates.rates).sort()];
  const currency = h("select", { id: uid("currency"), name: "currency" }, currencies.map((c) => h("option", { value: c, selected: c === state.currency }, c)));
  // The currency of rates and fees typed without one ("$400k" always means dollars).
  const ratesCurrency = h("select", { id: uid("rates-currency"), name: "rates_currency" }, currencies.map((c) => h("option", { value: c, selected: c === state.rates_currency }, c)));
  const inRates = () => state.rates_currency || "AED";
  const terms = input({ name: "payment_terms", maxlength: 300, value: state.payment_terms, placeholder: "100% upfront" });
  const picker = locationPicker(locations, (location) => {
    if (state.items.some((i) => i.location.key === location.key)) {
      itemsBox.querySelector(`[data-key="${CSS.escape(location.key)}"] input`)?.focus();
      return;
    }
    state.items.push(newItem(location));
    paintItems();
    itemsBox.querySelector(`[data-key="${CSS.escape(location.key)}"] input`)?.focus();
    schedulePreview();
  });
  const itemsBox = h("div", { class: "items" });
  const packageRate = input({ name: "combined_net_rate", inputmode: "decimal", value: state.combined_net_rate, placeholder: "e.g. 2,000,000 or 2M", "aria-describedby": "package-rate-hint" });
  const packageBox = h("div", { class: "field package-rate" }, h("label", { for: packageRate.id, class: "rates-in" }, `Package net rate (${inRates()})`), packageRate, h("p", { class: "hint", id: "package-rate-hint" }, "One net rate for the whole package."));
  const generate = h("button", { type: "submit", class: "btn btn-primary" }, "Generate proposal");
  // The rendering job's latest step while the request waits ("Rendering slides 1/2… (35%)").
  const renderStatus = h("p", { class: "render-status muted", role: "status", "aria-live": "polite", hidden: true });
  const datalist = h("datalist", { id: "duration-options" }, DURATIONS.map((d) => h("option", { value: d })));
  const refs = { client, picker: picker.input, packageRate };

  const previewBox = h("div", { class: "preview-body", "aria-live": "polite" });
  const preview = h("aside", { class: "card preview-card", "aria-labelledby": "preview-title" }, h("h2", { id: "preview-title" }, "Totals"), previewBox);
  const resultBox = h("section", { class: "card result-card", hidden: true, "aria-labelledby": "result-title", tabindex: "-1" });

  form.append(
    formError,
    kindSet,
    h("div", { class: "row" }, labelled("Client", client), labelled("Currency", currency, "Shown in the proposal."), labelled("Rates entered in", ratesCurrency, "For amounts typed without a currency."), labelled("Payment terms", terms, "Leave empty for 100% upfront.")),
    h("fieldset", { class: "locations-set" }, h("legend", {}, "Locations"), picker.element, itemsBox),
    packageBox,
    datalist,
    h("div", { class: "form-actions" }, generate, renderStatus),
  );

  function optionRow(item, option, index) {
    const duration = input({ name: `duration-${index}`, list: "duration-options", value: option.duration, placeholder: "2 weeks", "aria-label": `Duration, option ${index + 1}` });
    const rate = input({ name: `rate-${index}`, inputmode: "decimal", value: option.rate, placeholder: "1.5M", "aria-label": `Net rate (${inRates()}), option ${index + 1}`, class: "money-input" });
    const remove = h("button", { type: "button", class: "icon-btn", "aria-label": `Remove option ${index + 1}`, title: "Remove this option", disabled: item.options.length === 1 }, "×");
    duration.addEventListener("input", () => {
      option.duration = duration.value;
      schedulePreview();
    });
    rate.addEventListener("input", () => {
      option.rate = rate.value;
      schedulePreview();
    });
    remove.addEventListener("click", () => {
      item.options.splice(index, 1);
      paintItems();
      schedulePreview();
    });
    return { row: h("div", { class: "option-row" }, h("div", { class: "field" }, duration), h("div", { class: "field" }, rate), remove), duration, rate };
  }

  function itemBlock(item, index) {
    const loc = item.location;
    const start = input({ name: "start_date", type: "date", value: item.start_date, required: true });
    const end = input({ name: "end_date", type: "date", value: item.end_date });
    const spots = input({ name: "spots", type: "number", min: 1, max: 100, value: item.spots });
    const fee = input({ name: "production_fee", inputmode: "decimal", value: item.production_fee, placeholder: "e.g. 5,000", class: "money-input" });
    const duration = input({ name: "duration", list: "duration-options", value: item.duration, placeholder: "4 weeks" });
    const bind = (el, key) =>
      el.addEventListener("input", () => {
        item[key] = el.value;
        schedulePreview();
      });
    bind(start, "start_date");
    bind(end, "end_date");
    bind(spots, "spots");
    bind(fee, "production_fee");
    bind(duration, "duration");
    const remove = h("button", { type: "button", class: "btn btn-small btn-quiet", "aria-label": `Remove ${loc.display_name}` }, "Remove");
    remove.addEventListener("click", () => {
      state.items.splice(index, 1);
      paintItems();
      picker.input.focus();
      schedulePreview();
    });
    item.refs = { start, fee, duration, options: [] };
    const facts = [loc.series, loc.display_type === "digital" ? "Digital" : "Static", loc.company_name].filter(Boolean).join(" · ");
    const fields = [labelled("Start date", start)];
    if (state.kind === "separate") fields.push(labelled("End date (optional)", end));
    else fields.push(labelled("Duration", duration));
    if (loc.display_type === "digital") fields.push(labelled("Spots", spots));
    else fields.push(labelled(`Production fee (${inRates()})`, fee, "Required for static locations."));
    let optionsPart = null;
    if (state.kind === "separate") {
      const rows = item.options.map((o, i) => {
        const r = optionRow(item, o, i);
        item.refs.options.push(r);
        return r.row;
      });
      const add = h("button", { type: "button", class: "btn btn-small" }, "Add an option");
      add.disabled = item.options.length >= 8;
      add.addEventListener("click", () => {
        item.options.push({ duration: "", rate: "" });
        paintItems();
        const last = item.refs.options[item.options.length - 1];
        if (last) last.duration.focus();
      });
      optionsPart = h(
        "div",
        { class: "options", role: "group", "aria-label": `Rate options for ${loc.display_name}` },
        h("div", { class: "option-head", "aria-hidden": "true" }, h("span", {}, "Duration"), h("span", {}, `Net rate (${inRates()})`), h("span", {})),
        rows,
        add,
      );
    }
    return h(
      "div",
      { class: "item", dataset: { key: loc.key }, role: "group", "aria-label": loc.display_name },
      h("div", { class: "item-head" }, h("div", {}, h("strong", {}, loc.display_name), h("p", { class: "muted small" }, facts)), remove),
      h("div", { class: "row" }, fields),
      optionsPart,
    );
  }

  function paintItems() {
    packageBox.hidden = state.kind !== "combined";
    if (!state.items.length) {
      replace(itemsBox, h("p", { class: "muted small items-empty" }, "Search above and pick a location to add it."));
      return;
    }
    replace(itemsBox, state.items.map(itemBlock));
  }

  /* ---------- live totals ---------- */
  let timer = null;
  let inflight = null;

  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(runPreview, PREVIEW_DELAY_MS);
  }

  function ready() {
    if (!state.items.length || !state.client_name.trim()) return false;
    if (state.kind === "combined" && (state.items.length < 2 || !state.combined_net_rate.trim())) return false;
    return problems(state, refs).length === 0;
  }

  async function runPreview() {
    if (!ready()) {
      replace(
        previewBox,
        h("p", { class: "muted" }, state.kind === "combined" ? "Add the client, at least 2 locations with start dates and durations, and the package rate to see the totals." : "Add the client, a location with its start date, and each option's duration and rate to see the totals."),
      );
      return;
    }
    if (inflight) inflight.abort();
    const controller = new AbortController();
    inflight = controller;
    previewBox.setAttribute("aria-busy", "true");
    try {
      const result = await api.post(PREVIEW_PATH, requestBody(state), { signal: controller.signal });
      if (controller.signal.aborted) return;
      replace(previewBox, figuresView(result));
      showWarnings(form, state, result.warnings);
    } catch (err) {
      if (err && err.name === "AbortError") return;
      reportError(err, previewBox);
    } finally {
      if (inflight === controller) {
        inflight = null;
        previewBox.removeAttribute("aria-busy");
      }
    }
  }

  /* ---------- events ---------- */
  const setKind = (kind) => {
    state.kind = kind;
    state.items.forEach((item) => {
      if (kind === "combined" && !item.duration) item.duration = item.options[0]?.duration || "";
      if (kind === "separate" && item.duration && !item.options[0].duration) item.options[0].duration = item.duration;
    });
    paintItems();
    schedulePreview();
  };
  kindSeparate.addEventListener("change", () => setKind("separate"));
  kindCombined.addEventListener("change", () => setKind("combined"));
  client.addEventListener("input", () => {
    state.client_name = client.value;
    schedulePreview();
  });
  currency.addEventListener("change", () => {
    state.currency = currency.value;
    schedulePreview();
  });
  ratesCurrency.addEventListener("change", () => {
    state.rates_currency = ratesCurrency.value;
    packageBox.querySelector(".rates-in").textContent = `Package net rate (${inRates()})`;
    paintItems();
    schedulePreview();
  });
  terms.addEventListener("input", () => {
    state.payment_terms = terms.value;
    schedulePreview();
  });
  packageRate.addEventListener("input", () => {
    state.combined_net_rate = packageRate.value;
    schedulePreview();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMarks(form);
    formError.hidden = true;
    const found = problems(state, refs);
    if (found.length) {
      found.forEach((p) => markField(p.input, p.message));
      formError.textContent = found.length === 1 ? found[0].message : `Please fix the ${found.length} highlighted fields.`;
      formError.hidden = false;
      found[0].input.focus();
      return;
    }
    await busy(generate, async () => {
      generate.textContent = "Generating…";
      renderStatus.textContent = "Generating…";
      renderStatus.hidden = false;
      const renderId = newRenderId();
      const stop = followRender(renderId, (label) => {
        renderStatus.textContent = label;
      });
      try {
        const result = await api.post("/api/proposals", requestBody(state), { query: { render_id: renderId } });
        stop();
        renderStatus.hidden = true;
        showResult(result);
      } catch (err) {
        stop();
        renderStatus.hidden = true;
        formError.textContent = err.message || "The proposal could not be produced.";
        formError.hidden = false;
        placeApiError(err);
      }
    });
  });

  /** Put the API's reason next to the location it is about, when it names one. */
  function placeApiError(err) {
    const details = err && err.details;
    if (details && Number.isInteger(details.position)) {
      const item = state.items[details.position - 1];
      if (item) markField(item.refs.start, err.message);
      return;
    }
    if (details && Array.isArray(details.missing)) {
      for (const m of details.missing) {
        const item = state.items.find((i) => i.location.key === m.location);
        if (item && m.field === "production_fee") markField(item.refs.fee, "Static locations need a production fee.");
      }
      return;
    }
    const message = String(err && err.message);
    const item = state.items.find((i) => message.includes(i.location.key) || message.includes(i.location.display_name));
    if (item) (item.refs.options[0]?.duration || item.refs.duration || item.refs.start).focus();
  }

  function shareResult(result) {
    const share = h("button", { type: "button", class: "btn btn-primary" }, "Share with client");
    share.addEventListener("click", async () => openShareDialog(result, await currentUser()));
    return share;
  }

  function showResult(result) {
    resultBox.hidden = false;
    replace(
      resultBox,
      h("h2", { id: "result-title" }, `Proposal for ${result.client_name} is ready`),
      h("p", { class: "muted" }, `Valid until ${formatDay(result.valid_until)} · amounts in ${result.currency}`),
      figuresView(result),
      h("h3", {}, "Files"),
      h("div", { class: "file-cards" }, result.files.map(fileCard)),
      h("div", { class: "form-actions" }, shareResult(result), h("a", { class: "btn", href: "/proposals/history" }, "See the history")),
    );
    resultBox.focus();
    resultBox.scrollIntoView({ block: "start" });
  }

  paintItems();
  runPreview();
  replace(
    main,
    h(
      "header",
      { class: "page-head" },
      h("h1", {}, "New proposal"),
      h("a", { href: "/proposals/history", class: "btn" }, "History"),
      h("p", { class: "muted" }, "Pick locations, add a duration and net rate per option, and check the totals before generating the PowerPoint and PDF."),
    ),
    h("div", { class: "proposal-layout" }, h("section", { class: "card" }, form), preview),
    resultBox,
  );
  return () => {
    clearTimeout(timer);
    if (inflight) inflight.abort();
  };
}
