// Admin: the location catalogue — add, edit, (de)activate, delete, template decks, slide photos,
// import/export.
import { ApiError, api } from "../api.js";
import { uploadFile } from "../chat/upload.js";
import { h, replace, uid } from "../dom.js";
import { formatMoney } from "../format.js";
import { defaultUploadFee, loadMeta } from "../meta.js";
import { busy, clearErrors, confirmDialog, emptyState, openDialog, reportError, showFormError, toast } from "../ui.js";

/** Companies known to the product: those selling a location, and those named in roles. */
export async function knownCompanies(locations) {
  const companies = new Map(locations.map((l) => [l.company, l.company_name]));
  try {
    const users = await api.get("/api/users");
    users.forEach((u) => u.roles.forEach((r) => r.company && !companies.has(r.company) && companies.set(r.company, r.company)));
  } catch {
    /* the locations alone still name the companies that sell something */
  }
  return [...companies.entries()].sort((a, b) => a[1].localeCompare(b[1]));
}

function input(name, attrs = {}) {
  return h("input", { id: uid(name), name, ...attrs });
}

function labelled(label, control, hint = null) {
  const hintNode = hint ? h("p", { class: "hint", id: `${control.id}-hint` }, hint) : null;
  if (hint) control.setAttribute("aria-describedby", `${control.id}-hint`);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintNode);
}

function sizeText(l) {
  return l.width_m && l.height_m ? `${l.width_m}m × ${l.height_m}m` : "—";
}

/** The add/edit dialog; resolves after a successful save. */
function locationDialog(existing, companies, onSaved) {
  const l = existing || {};
  const name = input("display_name", { value: l.display_name || "", required: true, maxlength: 200 });
  const key = input("key", { value: l.key || "", maxlength: 80, placeholder: "made from the name" });
  const company = h("select", { id: uid("company"), name: "company" }, companies.map(([code, label]) => h("option", { value: code, selected: code === l.company }, label)));
  const type = h("select", { id: uid("display_type"), name: "display_type" }, h("option", { value: "digital", selected: l.display_type !== "static" }, "Digital (LED screen)"), h("option", { value: "static", selected: l.display_type === "static" }, "Static (printed)"));
  const aliases = input("aliases", { value: (l.aliases || []).join(", "), maxlength: 1000 });
  const series = input("series", { value: l.series || "", maxlength: 200 });
  const width = input("width_m", { value: l.width_m || "", inputmode: "decimal" });
  const height = input("height_m", { value: l.height_m || "", inputmode: "decimal" });
  const faces = input("number_of_faces", { type: "number", min: 1, max: 50, value: l.number_of_faces || 1 });
  const spot = input("spot_duration_s", { type: "number", min: 1, max: 3600, value: l.spot_duration_s ?? "", placeholder: "16" });
  const loop = input("loop_duration_s", { type: "number", min: 1, max: 3600, value: l.loop_duration_s ?? "", placeholder: "96" });
  const sov = input("sov_pct", { value: l.sov_pct ?? "", inputmode: "decimal", placeholder: "16.6" });
  const fee = input("upload_fee", { value: l.upload_fee ?? "", inputmode: "decimal", placeholder: defaultUploadFee(), class: "money-input" });
  const active = h("input", { type: "checkbox", id: uid("active"), name: "is_active", checked: existing ? l.is_active : true });
  const digital = h("fieldset", {}, h("legend", {}, "Digital screens"), h("div", { class: "row" }, labelled("Spot (seconds)", spot), labelled("Loop (seconds)", loop), labelled("Share of voice (%)", sov), labelled("Upload fee (AED)", fee)));
  const showDigital = () => {
    digital.hidden = type.value !== "digital";
  };
  type.addEventListener("change", showDigital);
  showDigital();
  const save = h("button", { type: "submit", class: "btn btn-primary" }, existing ? "Save changes" : "Add location");
  const cancel = h("button", { type: "button", class: "btn" }, "Cancel");
  const form = h(
    "form",
    { class: "form", novalidate: true },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "row" }, labelled("Name", name), labelled("Key", key, "Lower case, words joined by _")),
    h("div", { class: "row" }, labelled("Company", company), labelled("Type", type)),
    labelled("Aliases", aliases, "Other names people use, separated by commas."),
    labelled("Series", series),
    h("div", { class: "row" }, labelled("Width (m)", width), labelled("Height (m)", height), labelled("Faces", faces)),
    digital,
    h("label", { class: "check", for: active.id }, active, "Active (offered in proposals)"),
    h("div", { class: "form-actions" }, cancel, save),
  );
  const { close } = openDialog({ title: existing ? `Edit ${l.display_name}` : "Add a location", body: form, wide: true });
  cancel.addEventListener("click", () => close(null));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!name.value.trim()) {
      showFormError(form, new ApiError(422, "validation_failed", "Enter the location's name.", [{ field: "display_name", message: "Required." }]));
      return;
    }
    const optional = (el) => (el.value.trim() === "" ? null : el.value.trim());
    const body = {
      display_name: name.value.trim(),
      company: company.value,
      display_type: type.value,
      aliases: aliases.value,
      series: series.value.trim(),
      width_m: optional(width),
      height_m: optional(height),
      number_of_faces: Number(faces.value) || 1,
      is_active: active.checked,
    };
    if (key.value.trim()) body.key = key.value.trim();
    if (type.value === "digital") {
      body.spot_duration_s = optional(spot) && Number(spot.value);
      body.loop_duration_s = optional(loop) && Number(loop.value);
      body.sov_pct = optional(sov);
      body.upload_fee = optional(fee);
    }
    if (!existing) Object.keys(body).forEach((k) => body[k] === null && delete body[k]);
    await busy(save, async () => {
      try {
        const saved = existing ? await api.patch(`/api/locations/${encodeURIComponent(l.key)}`, body) : await api.post("/api/locations", body);
        close(null);
        toast(existing ? `Saved ${saved.display_name}.` : `Added ${saved.display_name}.`);
        onSaved(saved);
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
}

/**
 * A dialog that uploads one file for location `l` and PUTs its id to `/api/locations/<key>/<path>`,
 * or PUTs null to go back to the default (the quiet button, shown when `own` is set).
 */
function uploadDialog(l, onSaved, o) {
  const file = h("input", { type: "file", id: uid(o.name), accept: o.accept });
  const bar = h("progress", { max: 100, value: 0, hidden: true, "aria-label": o.progressLabel });
  const save = h("button", { type: "submit", class: "btn btn-primary" }, o.saveText);
  const reset = h("button", { type: "button", class: "btn btn-quiet", hidden: !o.own }, o.resetText);
  const form = h(
    "form",
    { class: "form", novalidate: true },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    o.intro,
    labelled(o.label, file, o.hint),
    bar,
    h("div", { class: "form-actions" }, reset, save),
  );
  const { close } = openDialog({ title: o.title, body: form });
  const put = async (fileId) => {
    const saved = await api.put(`/api/locations/${encodeURIComponent(l.key)}/${o.path}`, { file_id: fileId });
    close(null);
    toast(o.done(fileId));
    onSaved(saved);
  };
  reset.addEventListener("click", () => busy(reset, () => put(null).catch((err) => showFormError(form, err))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!file.files[0]) {
      showFormError(form, new ApiError(422, "validation_failed", o.missing));
      return;
    }
    bar.hidden = false;
    await busy(save, async () => {
      try {
        const meta = await uploadFile(file.files[0], (f) => {
          bar.value = Math.round(f * 100);
        });
        await put(meta.id);
      } catch (err) {
        showFormError(form, err);
      } finally {
        bar.hidden = true;
      }
    });
  });
}

/** Upload a .pptx as the location's deck, or go back to the generated default. */
function deckDialog(l, onSaved) {
  uploadDialog(l, onSaved, {
    name: "deck",
    path: "template",
    accept: ".pptx,application/vnd.openxmlformats-officedocument.presentationml.presentation",
    progressLabel: "Deck upload progress",
    saveText: "Use this deck",
    resetText: "Use the generated deck",
    own: l.template_file_id,
    intro: h("p", { class: "muted" }, l.template_file_id ? "This location uses its own PowerPoint deck." : "This location uses the clean generated deck (title, facts, closing slide)."),
    label: "PowerPoint deck (.pptx)",
    title: `Deck for ${l.display_name}`,
    missing: "Choose a .pptx file.",
    done: (fileId) => (fileId ? `${l.display_name} now uses the uploaded deck.` : `${l.display_name} now uses the generated deck.`),
  });
}

/** Upload the photo the location's proposal slides show, or go back to its mockup photos. */
function photoDialog(l, onSaved) {
  const shown = l.slide_photo_file_id ? h("img", { class: "location-photo-preview", src: `/api/files/${encodeURIComponent(l.slide_photo_file_id)}/content?inline=1`, alt: `Slide photo of ${l.display_name}`, loading: "lazy" }) : null;
  const about = l.template_file_id
    ? "This location uses its own PowerPoint deck, which presents the site itself; the photo is used when the generated deck is."
    : l.photo_file_id
      ? "Proposal slides show this uploaded photo."
      : "Proposal slides show the best mockup photo of this location (a day photo, the largest) when it has one. Upload a photo to choose one yourself.";
  uploadDialog(l, onSaved, {
    name: "photo",
    path: "photo",
    accept: ".jpg,.jpeg,.png,.webp,image/jpeg,image/png,image/webp",
    progressLabel: "Photo upload progress",
    saveText: "Use this photo",
    resetText: "Use the mockup photos",
    own: l.photo_file_id,
    intro: [h("p", { class: "muted" }, about), shown],
    label: "Photo (JPEG, PNG or WebP)",
    hint: "A landscape photo of the site works best; slides use a copy of about 1600 pixels.",
    title: `Slide photo for ${l.display_name}`,
    missing: "Choose a JPEG, PNG or WebP photo.",
    done: (fileId) => (fileId ? `${l.display_name}'s slides now show the uploaded photo.` : `${l.display_name}'s slides now show its mockup photos.`),
  });
}

/** Import a CSV/XLSX catalogue: check first (dry run), show what would change, then import. */
function importDialog(onDone) {
  const file = h("input", { type: "file", id: uid("catalogue"), accept: ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
  const report = h("div", { class: "import-report", "aria-live": "polite" });
  const check = h("button", { type: "submit", class: "btn" }, "Check the file");
  const run = h("button", { type: "button", class: "btn btn-primary", disabled: true }, "Import");
  const form = h(
    "form",
    { class: "form", novalidate: true },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("p", { class: "muted" }, "Use the columns of the export (key, display_name, company, display_type, …). Rows are matched by key; locations missing from the file stay as they are. Nothing is written unless every row is valid."),
    labelled("Catalogue file (.csv or .xlsx)", file),
    report,
    h("div", { class: "form-actions" }, check, run),
  );
  const { close } = openDialog({ title: "Import locations", body: form, wide: true });
  let fileId = null;

  const problems = (rows) =>
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "table", "aria-label": "Rows with problems" },
        h("thead", {}, h("tr", {}, ["Row", "Key", "Problems"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, rows.map((r) => h("tr", {}, h("td", { class: "num" }, String(r.row)), h("td", {}, r.key || "—"), h("td", {}, h("ul", { class: "plain-list" }, r.errors.map((e) => h("li", {}, e))))))),
      ),
    );

  const send = async (dryRun) => {
    clearErrors(form);
    try {
      const result = await api.post("/api/locations/import", { file_id: fileId, dry_run: dryRun });
      return result;
    } catch (err) {
      showFormError(form, err);
      if (err instanceof ApiError && err.details && Array.isArray(err.details.rows)) replace(report, problems(err.details.rows));
      return null;
    }
  };

  file.addEventListener("change", () => {
    fileId = null;
    run.disabled = true;
    replace(report);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!file.files[0]) {
      showFormError(form, new ApiError(422, "validation_failed", "Choose the file to import."));
      return;
    }
    await busy(check, async () => {
      try {
        if (!fileId) fileId = (await uploadFile(file.files[0])).id;
      } catch (err) {
        showFormError(form, err);
        return;
      }
      const result = await send(true);
      if (!result) return;
      replace(report, h("p", { class: "status", dataset: { state: "ok" } }, `The file is valid: ${result.created} to add, ${result.updated} to update.`));
      run.disabled = false;
      run.focus();
    });
  });
  run.addEventListener("click", () =>
    busy(run, async () => {
      const result = await send(false);
      if (!result) return;
      close(null);
      toast(`Imported: ${result.created} added, ${result.updated} updated.`);
      onDone();
    }),
  );
}

export async function render({ main }) {
  const search = h("input", { type: "search", id: "location-filter", placeholder: "Filter by name, key, series or company", "aria-label": "Filter locations" });
  const showInactive = h("input", { type: "checkbox", id: "show-inactive" });
  const body = h("div", {});
  let locations = [];
  let companies = [];

  const add = h("button", { type: "button", class: "btn btn-primary", disabled: true }, "Add a location");
  const importBtn = h("button", { type: "button", class: "btn" }, "Import…");
  const exportCsv = h("a", { class: "btn", href: "/api/locations/export?format=csv", download: "locations.csv" }, "Export CSV");
  const exportXlsx = h("a", { class: "btn", href: "/api/locations/export?format=xlsx", download: "locations.xlsx" }, "Export Excel");

  function paint() {
    const q = search.value.trim().toLowerCase();
    const shown = locations.filter((l) => (showInactive.checked || l.is_active) && (!q || `${l.display_name} ${l.key} ${l.series} ${l.company_name} ${l.aliases.join(" ")}`.toLowerCase().includes(q)));
    if (!shown.length) {
      replace(body, emptyState(q ? "No location matches the filter." : "There are no locations yet.", q ? "Clear the filter to see them all." : "Add one, or import your catalogue from a CSV or Excel file."));
      return;
    }
    replace(
      body,
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "table", "aria-label": "Locations" },
          h("thead", {}, h("tr", {}, ["Location", "Company", "Type", "Size", "Faces", "Upload fee", "Deck", "Photo", "Status", ""].map((c, i) => h("th", { scope: "col", class: i === 4 || i === 5 ? "money" : null }, c)))),
          h(
            "tbody",
            {},
            shown.map((l) => {
              const edit = h("button", { type: "button", class: "btn btn-small", "aria-label": `Edit ${l.display_name}` }, "Edit");
              edit.addEventListener("click", () => locationDialog(l, companies, load));
              const deck = h("button", { type: "button", class: "btn btn-small btn-quiet", "aria-label": `Deck for ${l.display_name}: ${l.template_file_id ? "custom" : "generated"}` }, l.template_file_id ? "Custom" : "Generated");
              deck.addEventListener("click", () => deckDialog(l, load));
              const photoState = l.photo_file_id ? "Uploaded" : "Automatic";
              const photoBtn = h("button", { type: "button", class: "btn btn-small btn-quiet", "aria-label": `Slide photo for ${l.display_name}: ${photoState.toLowerCase()}` }, photoState);
              photoBtn.addEventListener("click", () => photoDialog(l, load));
              const remove = h("button", { type: "button", class: "btn btn-small btn-danger-quiet", "aria-label": `Delete ${l.display_name}` }, "Delete");
              remove.addEventListener("click", async () => {
                const ok = await confirmDialog({ title: `Delete ${l.display_name}?`, message: "The location is removed from the catalogue. Past proposals keep their copy of it. To stop offering it for now, deactivate it instead.", confirmLabel: "Delete", danger: true });
                if (!ok) return;
                try {
                  await api.del(`/api/locations/${encodeURIComponent(l.key)}`);
                  toast(`Deleted ${l.display_name}.`);
                  await load();
                } catch (err) {
                  reportError(err);
                }
              });
              return h(
                "tr",
                { dataset: { key: l.key } },
                h("td", {}, h("strong", {}, l.display_name), h("div", { class: "muted small" }, [l.key, l.series].filter(Boolean).join(" · "))),
                h("td", {}, l.company_name),
                h("td", {}, l.display_type === "digital" ? "Digital" : "Static"),
                h("td", { class: "nowrap" }, sizeText(l)),
                h("td", { class: "num" }, String(l.number_of_faces)),
                h("td", { class: "money" }, l.display_type === "digital" && l.upload_fee ? formatMoney(l.upload_fee, "AED", 0) : "—"),
                h("td", {}, deck),
                h("td", {}, photoBtn),
                h("td", {}, h("span", { class: `badge ${l.is_active ? "badge-ok" : "badge-muted"}` }, l.is_active ? "Active" : "Inactive")),
                h("td", { class: "actions" }, edit, remove),
              );
            }),
          ),
        ),
      ),
    );
  }

  async function load() {
    try {
      // loadMeta: the location form shows the configured upload fee as its placeholder.
      const [page] = await Promise.all([api.get("/api/locations", { query: { include_inactive: true, limit: 500 } }), loadMeta()]);
      locations = page.items;
      companies = await knownCompanies(locations);
      // Adding needs the company list: the button waits for it instead of offering an empty choice.
      add.disabled = false;
      paint();
    } catch (err) {
      reportError(err, body);
    }
  }

  search.addEventListener("input", paint);
  showInactive.addEventListener("change", paint);
  add.addEventListener("click", () => locationDialog(null, companies, load));
  importBtn.addEventListener("click", () => importDialog(load));
  replace(
    main,
    h("header", { class: "page-head" }, h("h1", {}, "Locations"), h("div", { class: "head-actions" }, exportCsv, exportXlsx, importBtn, add)),
    h("div", { class: "toolbar" }, search, h("label", { class: "check", for: "show-inactive" }, showInactive, "Show inactive")),
    body,
  );
  await load();
  return null;
}
