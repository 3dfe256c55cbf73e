// Mockup studio: put uploaded artwork (or a described one) on a billboard photo; your gallery.
import { api, can } from "../api.js";
import { uploadFile } from "../chat/upload.js";
import { formatBytes, formatDateTime, h, replace, uid } from "../dom.js";
import { busy, emptyState, reportError } from "../ui.js";

const POLL_MS = 1000;
const MAX_CREATIVES = 10;

function radio(name, value, label, checked) {
  const id = uid(name);
  return h("label", { class: "check", for: id }, h("input", { type: "radio", id, name, value, checked }), label);
}

function photoLabel(p) {
  return `${p.name} · ${p.time_of_day === "night" ? "Night" : "Day"} · ${p.finish} · ${p.frame_count} frame${p.frame_count === 1 ? "" : "s"}`;
}

/** One mockup in the gallery: its image (or progress / error) and a download link. */
export function mockupCard(m) {
  const title = `${m.location_name} · ${m.time_of_day === "night" ? "night" : "day"}`;
  let visual;
  if (m.status === "done" && m.file) {
    const src = m.file.preview_url || m.file.download_url;
    visual = h("a", { href: m.file.download_url, target: "_blank", rel: "noopener", class: "mockup-image" }, h("img", { src, alt: `Mockup on ${m.location_name} (${m.photo_name})`, loading: "lazy" }));
  } else if (m.status === "failed") {
    visual = h("p", { class: "inline-error", role: "alert" }, m.error || "This mockup could not be made.");
  } else {
    visual = h("div", { class: "mockup-wait" }, h("progress", { max: 100, value: m.progress, "aria-label": `${title} progress` }), h("p", { class: "muted small" }, m.message || "Waiting for a free slot…"));
  }
  return h(
    "article",
    { class: "card mockup-card", dataset: { id: m.id, status: m.status }, "aria-label": title },
    visual,
    h(
      "div",
      { class: "mockup-meta" },
      h("strong", {}, m.location_name),
      h("span", { class: "muted small" }, `${m.photo_name} · ${m.finish} · ${m.creative_source === "upload" ? "your artwork" : m.creative_source === "ai" ? "AI artwork" : "poster"}`),
      h("span", { class: "muted small" }, formatDateTime(m.created_at)),
      m.file ? h("a", { href: m.file.download_url, download: m.file.name, class: "btn btn-small", "aria-label": `Download ${m.file.name}` }, "Download") : null,
    ),
  );
}

export async function render({ main, user }) {
  const photos = await api.get("/api/mockups/photos");
  const byLocation = new Map();
  for (const p of photos) {
    if (!byLocation.has(p.location_key)) byLocation.set(p.location_key, { key: p.location_key, name: p.location_name, photos: [] });
    byLocation.get(p.location_key).photos.push(p);
  }
  const places = [...byLocation.values()].sort((a, b) => a.name.localeCompare(b.name));
  const maySetUp = can(user, "mockups:setup");

  const gallery = h("div", { class: "mockup-gallery", role: "list", "aria-label": "Your mockups" });
  const galleryBox = h("div", {});
  const more = h("button", { type: "button", class: "btn", hidden: true }, "Load more");
  let cursor = null;
  const timers = new Set();
  let disposed = false;

  const head = h(
    "header",
    { class: "page-head" },
    h("h1", {}, "Mockups"),
    maySetUp ? h("a", { href: "/mockups/setup", class: "btn" }, "Set up photos") : null,
    h("p", { class: "muted" }, "Show a client their artwork on a real billboard: pick a location, add the artwork or describe it, and generate."),
  );

  if (!places.length) {
    replace(
      main,
      head,
      emptyState(
        "No billboard photos are set up yet.",
        maySetUp ? "Add a photo and mark its frames under Set up photos." : "Ask a coordinator to add billboard photos; then mockups can be made here.",
        maySetUp ? h("a", { href: "/mockups/setup", class: "btn btn-primary" }, "Set up photos") : null,
      ),
    );
    return null;
  }

  /* ---------- the form ---------- */
  const form = h("form", { class: "form", novalidate: true, "aria-label": "Generate a mockup" });
  const formError = h("p", { class: "form-error", role: "alert", hidden: true });
  const locationSelect = h("select", { id: uid("mock-loc"), name: "location" }, places.map((p) => h("option", { value: p.key }, p.name)));
  const timeSelect = h("select", { id: uid("mock-time"), name: "time_of_day" }, [["", "Any"], ["day", "Day"], ["night", "Night"]].map(([v, l]) => h("option", { value: v }, l)));
  const finishSelect = h("select", { id: uid("mock-finish"), name: "finish" });
  const photoSelect = h("select", { id: uid("mock-photo"), name: "photo_id" });
  const sourceSet = h(
    "fieldset",
    { class: "kind-set" },
    h("legend", {}, "Artwork"),
    radio("source", "upload", "Upload artwork", true),
    radio("source", "prompt", "Describe it", false),
    radio("source", "reuse", "Reuse my last artwork (kept 30 minutes)", false),
  );
  const fileInput = h("input", { type: "file", id: uid("creative"), multiple: true, accept: "image/png,image/jpeg,image/webp", hidden: true, "aria-label": "Artwork images" });
  const pickBtn = h("button", { type: "button", class: "btn" }, "Choose images…");
  pickBtn.addEventListener("click", () => fileInput.click());
  const tray = h("ul", { class: "attach-tray creative-tray", "aria-label": "Artwork files" });
  const drop = h("div", { class: "drop-zone", tabindex: "-1" }, pickBtn, h("span", { class: "muted small" }, "or drop images here. One image fills every frame; several fill the frames in order."), fileInput);
  const uploadPart = h("div", { class: "field" }, drop, tray);
  const prompt = h("textarea", { id: uid("prompt"), name: "prompt", rows: 3, maxlength: 1000, placeholder: "e.g. Nike running shoes on a bold orange background, ‘Just do it’" });
  const promptPart = h("div", { class: "field", hidden: true }, h("label", { for: prompt.id }, "Describe the artwork"), prompt);
  const generate = h("button", { type: "submit", class: "btn btn-primary" }, "Generate mockup");
  const progressBox = h("div", { class: "mockup-progress", hidden: true, role: "status" });

  const field = (label, control) => h("div", { class: "field" }, h("label", { for: control.id }, label), control);
  form.append(
    formError,
    h("div", { class: "row" }, field("Location", locationSelect), field("Time of day", timeSelect), field("Finish", finishSelect)),
    field("Photo", photoSelect),
    sourceSet,
    uploadPart,
    promptPart,
    h("div", { class: "form-actions" }, generate),
    progressBox,
  );

  const creatives = []; // {file, node, meta, error, progress}

  function refreshPhotos() {
    const place = byLocation.get(locationSelect.value);
    const finishes = [...new Set(place.photos.map((p) => p.finish))].sort();
    const keepFinish = finishSelect.value;
    replace(finishSelect, h("option", { value: "" }, "Any"), finishes.map((f) => h("option", { value: f, selected: f === keepFinish }, f)));
    const matching = place.photos.filter((p) => (!timeSelect.value || p.time_of_day === timeSelect.value) && (!finishSelect.value || p.finish === finishSelect.value));
    replace(
      photoSelect,
      h("option", { value: "" }, matching.length ? `Any matching photo (${matching.length})` : "No photo matches these filters"),
      matching.map((p) => h("option", { value: p.id }, photoLabel(p))),
    );
  }

  function source() {
    return form.querySelector('input[name="source"]:checked').value;
  }

  function showSource() {
    uploadPart.hidden = source() !== "upload";
    promptPart.hidden = source() !== "prompt";
  }

  function addFiles(list) {
    for (const file of list) {
      if (creatives.length >= MAX_CREATIVES) {
        formError.textContent = `Up to ${MAX_CREATIVES} images at a time.`;
        formError.hidden = false;
        break;
      }
      const bar = h("progress", { max: 100, value: 0, "aria-label": `Uploading ${file.name}` });
      const status = h("span", { class: "muted small" }, formatBytes(file.size));
      const remove = h("button", { type: "button", class: "icon-btn", "aria-label": `Remove ${file.name}` }, "×");
      const node = h("li", { class: "attachment" }, h("span", { class: "attachment-name", title: file.name }, file.name), bar, status, remove);
      const entry = { file, node, meta: null, error: null };
      creatives.push(entry);
      tray.append(node);
      remove.addEventListener("click", () => {
        creatives.splice(creatives.indexOf(entry), 1);
        node.remove();
      });
      entry.done = uploadFile(file, (f) => {
        bar.value = Math.round(f * 100);
      })
        .then((meta) => {
          entry.meta = meta;
          bar.remove();
          status.textContent = "Ready";
        })
        .catch((err) => {
          entry.error = err.message;
          bar.remove();
          node.classList.add("attachment-error");
          status.textContent = err.message;
          status.setAttribute("role", "alert");
        });
    }
  }

  fileInput.addEventListener("change", () => {
    addFiles([...fileInput.files]);
    fileInput.value = "";
  });
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("dragging");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("dragging"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("dragging");
    if (event.dataTransfer && event.dataTransfer.files.length) addFiles([...event.dataTransfer.files]);
  });
  locationSelect.addEventListener("change", refreshPhotos);
  timeSelect.addEventListener("change", refreshPhotos);
  finishSelect.addEventListener("change", refreshPhotos);
  sourceSet.addEventListener("change", showSource);

  function showProgress(m) {
    progressBox.hidden = false;
    replace(progressBox, h("progress", { max: 100, value: m.progress, "aria-label": "Mockup progress" }), h("span", { class: "muted small" }, m.message || "Working…"));
  }

  async function follow(m) {
    let current = m;
    while (!disposed && (current.status === "queued" || current.status === "running")) {
      showProgress(current);
      await new Promise((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, POLL_MS);
        timers.add(t);
      });
      if (disposed) return current;
      current = await api.get(current.status_url);
    }
    return current;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    formError.hidden = true;
    form.querySelectorAll(".field-error").forEach((el) => el.remove());
    const body = { location: locationSelect.value };
    if (timeSelect.value) body.time_of_day = timeSelect.value;
    if (finishSelect.value) body.finish = finishSelect.value;
    if (photoSelect.value) body.photo_id = photoSelect.value;
    const kind = source();
    if (kind === "upload") {
      if (!creatives.length) {
        formError.textContent = "Choose at least one image of the artwork, or describe it instead.";
        formError.hidden = false;
        pickBtn.focus();
        return;
      }
      await Promise.all(creatives.map((c) => c.done));
      if (creatives.some((c) => c.error)) {
        formError.textContent = "Remove the images that could not be uploaded, then try again.";
        formError.hidden = false;
        return;
      }
      body.file_ids = creatives.map((c) => c.meta.id);
    } else if (kind === "prompt") {
      if (!prompt.value.trim()) {
        formError.textContent = "Describe the artwork, or upload it instead.";
        formError.hidden = false;
        prompt.setAttribute("aria-invalid", "true");
        prompt.focus();
        return;
      }
      body.prompt = prompt.value.trim();
    } else {
      body.reuse_previous = true;
    }
    await busy(generate, async () => {
      generate.textContent = "Generating…";
      try {
        const started = await api.post("/api/mockups", body);
        const done = await follow(started);
        progressBox.hidden = true;
        if (disposed) return;
        if (done.status === "failed") {
          formError.textContent = done.error || "The mockup could not be made.";
          formError.hidden = false;
          return;
        }
        const card = mockupCard(done);
        card.setAttribute("role", "listitem");
        card.classList.add("is-new");
        card.tabIndex = -1;
        gallery.prepend(card);
        if (galleryBox.querySelector(".empty")) replace(galleryBox, gallery, more);
        card.focus();
        card.scrollIntoView({ block: "nearest" });
      } catch (err) {
        progressBox.hidden = true;
        formError.textContent = err.message || "The mockup could not be made.";
        formError.hidden = false;
      }
    });
  });

  async function loadGallery(append) {
    try {
      const page = await api.get("/api/mockups", { query: { cursor: append ? cursor : null, limit: 12 } });
      cursor = page.next_cursor;
      more.hidden = !page.has_more;
      if (!append && !page.items.length) {
        replace(galleryBox, emptyState("You have not made a mockup yet.", "Use the form above: your mockups appear here."));
        return;
      }
      if (!append) replace(galleryBox, gallery, more);
      page.items.forEach((m) => {
        const card = mockupCard(m);
        card.setAttribute("role", "listitem");
        gallery.append(card);
      });
    } catch (err) {
      reportError(err, galleryBox);
    }
  }
  more.addEventListener("click", () => busy(more, () => loadGallery(true)));

  refreshPhotos();
  showSource();
  replace(
    main,
    head,
    h("section", { class: "card" }, form),
    h("section", { class: "gallery-section", "aria-labelledby": "gallery-title" }, h("h2", { id: "gallery-title" }, "Your mockups"), galleryBox),
  );
  await loadGallery(false);
  return () => {
    disposed = true;
    timers.forEach((t) => clearTimeout(t));
  };
}
