// Mockup setup (coordinators): add billboard photos, mark frames on a canvas, tune, preview, save.
import { api, request } from "../api.js";
import { h, replace, uid } from "../dom.js";
import { CORNER_NAMES, frameEditor } from "../frame-editor.js";
import { busy, confirmDialog, emptyState, reportError, toast } from "../ui.js";
import { postForm } from "../upload-form.js";

// The spec's ranges and defaults; the API clamps too, so these only shape the sliders.
export const SETTINGS = [
  ["brightness", "Brightness", 50, 200, 100, 1, "%"],
  ["contrast", "Contrast", 50, 200, 100, 1, "%"],
  ["saturation", "Saturation", 0, 200, 100, 1, "%"],
  ["image_blur", "Image blur", 0, 20, 0, 1, ""],
  ["edge_blur", "Edge blur", 1, 21, 1, 2, ""],
  ["overlay", "Overlay (photo texture)", 0, 50, 0, 1, "%"],
  ["depth", "Depth (15 = off)", 5, 30, 15, 1, ""],
  ["shadow", "Shadow", 0, 100, 0, 1, ""],
  ["vignette", "Vignette", 0, 100, 0, 1, ""],
  ["sharpening", "Sharpening", 0, 100, 0, 1, ""],
  ["lighting", "Lighting", -50, 50, 0, 1, ""],
  ["temperature", "Temperature", -50, 50, 0, 1, ""],
  ["edge_smoother", "Edge smoother", 1, 20, 3, 1, ""],
];
const DEFAULTS = Object.fromEntries(SETTINGS.map(([key, , , , def]) => [key, def]));
const PREVIEW_DELAY_MS = 600;
const MAX_TOLERANCE = 442;

function companiesFor(user) {
  if (user.roles.some((r) => r.role === "admin")) return null;
  const grants = user.roles.filter((r) => ["coordinator", "hos"].includes(r.role));
  if (grants.some((g) => !g.company)) return null;
  return new Set(grants.map((g) => g.company));
}

function field(label, control, hint = null) {
  const hintNode = hint ? h("p", { class: "hint", id: `${control.id}-hint` }, hint) : null;
  if (hint) control.setAttribute("aria-describedby", `${control.id}-hint`);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintNode);
}

export async function render({ main, user, query }) {
  const scope = companiesFor(user);
  const [locPage, allPhotos] = await Promise.all([api.get("/api/locations", { query: { limit: 500 } }), api.get("/api/mockups/photos")]);
  const locations = locPage.items.filter((l) => l.is_active && (!scope || scope.has(l.company)));
  const head = h(
    "header",
    { class: "page-head" },
    h("h1", {}, "Mockup setup"),
    h("a", { href: "/mockups", class: "btn" }, "Mockup studio"),
    h("p", { class: "muted" }, "Add photos of your billboards, mark each screen's four corners, tune how artwork sits on it, and save."),
  );
  if (!locations.length) {
    replace(main, head, emptyState("There are no locations you can set up.", "Ask an admin to add your company's locations first."));
    return null;
  }
  const keys = new Set(locations.map((l) => l.key));
  let photos = allPhotos.filter((p) => keys.has(p.location_key));
  let disposed = false;
  let previewTimer = null;
  let previewAbort = null;
  let previewUrl = null;

  /* ---------- add a photo ---------- */
  const locSelect = h("select", { id: uid("setup-loc"), name: "location" }, locations.map((l) => h("option", { value: l.key, selected: l.key === query.get("location") }, l.display_name)));
  const timeSelect = h("select", { id: uid("setup-time"), name: "time_of_day" }, h("option", { value: "day" }, "Day"), h("option", { value: "night" }, "Night"));
  const finishInput = h("input", { id: uid("setup-finish"), name: "finish", list: "finish-options", value: "gold", maxlength: 40 });
  const fileInput = h("input", { type: "file", id: uid("setup-file"), name: "file", accept: "image/jpeg,image/png,image/webp", required: true });
  const uploadBtn = h("button", { type: "submit", class: "btn btn-primary" }, "Upload photo");
  const uploadBar = h("progress", { max: 100, value: 0, hidden: true, "aria-label": "Photo upload progress" });
  const addForm = h(
    "form",
    { class: "form", novalidate: true, "aria-label": "Add a billboard photo" },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "row" }, field("Location", locSelect), field("Time of day", timeSelect), field("Finish", finishInput, "gold, silver or your own tag")),
    field("Photo (JPEG, PNG or WebP)", fileInput),
    h("datalist", { id: "finish-options" }, h("option", { value: "gold" }), h("option", { value: "silver" })),
    h("div", { class: "form-actions" }, uploadBar, uploadBtn),
  );

  /* ---------- photo list ---------- */
  const filterSelect = h("select", { id: uid("setup-filter"), "aria-label": "Show photos of" }, h("option", { value: "" }, "All locations"), locations.map((l) => h("option", { value: l.key }, l.display_name)));
  const photoList = h("ul", { class: "photo-list", "aria-label": "Billboard photos" });
  const editorBox = h("section", { class: "card editor-card", "aria-labelledby": "editor-title", hidden: true });

  function paintPhotos(selectedId = null) {
    const shown = photos.filter((p) => !filterSelect.value || p.location_key === filterSelect.value);
    if (!shown.length) {
      replace(photoList, h("li", { class: "muted" }, "No photos yet. Add one above; then mark its frames."));
      return;
    }
    replace(
      photoList,
      shown.map((p) => {
        const open = h(
          "button",
          { type: "button", class: "photo-item", "aria-pressed": String(p.id === selectedId), "aria-label": `Set up ${p.name}` },
          h("img", { src: p.image_url, alt: "", loading: "lazy" }),
          h("span", { class: "photo-name" }, p.name),
          h("span", { class: "muted small" }, `${p.location_name} · ${p.time_of_day} · ${p.finish}`),
          h("span", { class: `badge ${p.frame_count ? "badge-ok" : "badge-warn"}` }, p.frame_count ? `${p.frame_count} frame${p.frame_count === 1 ? "" : "s"}` : "No frames yet"),
        );
        open.addEventListener("click", () => openEditor(p));
        return h("li", {}, open);
      }),
    );
  }

  addForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const errorBox = addForm.querySelector(".form-error");
    errorBox.hidden = true;
    const file = fileInput.files[0];
    if (!file) {
      errorBox.textContent = "Choose the photo to upload.";
      errorBox.hidden = false;
      fileInput.setAttribute("aria-invalid", "true");
      fileInput.focus();
      return;
    }
    fileInput.removeAttribute("aria-invalid");
    uploadBar.hidden = false;
    uploadBar.value = 0;
    await busy(uploadBtn, async () => {
      try {
        const made = () => {
          const form = new FormData();
          form.append("location", locSelect.value);
          form.append("time_of_day", timeSelect.value);
          if (finishInput.value.trim()) form.append("finish", finishInput.value.trim());
          form.append("file", file, file.name);
          return form;
        };
        const photo = await postForm("/api/mockups/photos", made, (f) => {
          uploadBar.value = Math.round(f * 100);
        });
        photos = [photo, ...photos];
        fileInput.value = "";
        toast(`Added ${photo.name}. Now mark its frames.`);
        filterSelect.value = "";
        openEditor(photo);
      } catch (err) {
        errorBox.textContent = err.message;
        errorBox.hidden = false;
      } finally {
        uploadBar.hidden = true;
      }
    });
  });
  filterSelect.addEventListener("change", () => paintPhotos());

  /* ---------- the editor ---------- */
  function openEditor(photo) {
    clearTimeout(previewTimer);
    if (previewAbort) previewAbort.abort();
    paintPhotos(photo.id);
    editorBox.hidden = false;
    const image = new Image();
    image.alt = "";
    const status = h("span", { class: "badge badge-muted", role: "status" }, "Saved");
    const setDirty = (value) => {
      status.textContent = value ? "Unsaved changes" : "Saved";
      status.className = `badge ${value ? "badge-warn" : "badge-muted"}`;
    };
    const frameTabs = h("div", { class: "frame-tabs", role: "group", "aria-label": "Frames" });
    const cornerBox = h("div", { class: "corner-grid" });
    const sliders = h("div", { class: "sliders" });
    const settingsBox = h("fieldset", { class: "settings-set" }, h("legend", {}, "Look of the selected frame"), sliders);
    const previewImg = h("img", { class: "preview-image", alt: `Preview of ${photo.name} with a test poster`, hidden: true });
    const previewNote = h("p", { class: "muted small", "aria-live": "polite" }, "The preview appears once a frame is marked.");
    const posterText = h("input", { id: uid("poster-text"), maxlength: 200, value: "Your artwork here" });

    const editor = frameEditor({
      image,
      width: photo.width,
      height: photo.height,
      onChange: (kind) => {
        setDirty(true);
        paintCorners();
        if (kind === "done") {
          paintTabs();
          schedulePreview();
        }
      },
      onSelect: () => {
        paintTabs();
        paintCorners();
        paintSliders();
      },
    });
    editor.frames = photo.frames.map((f) => ({ points: f.points.map((p) => [...p]), settings: { ...f.settings } }));

    const zoomLabel = h("span", { class: "muted small zoom-label", "aria-live": "polite" }, "100%");
    const showZoom = (z) => {
      zoomLabel.textContent = `${Math.round(z * 100)}%`;
    };
    const zoomOut = h("button", { type: "button", class: "btn btn-small", "aria-label": "Zoom out" }, "−");
    const zoomFit = h("button", { type: "button", class: "btn btn-small" }, "Fit");
    const zoomIn = h("button", { type: "button", class: "btn btn-small", "aria-label": "Zoom in" }, "+");
    zoomOut.addEventListener("click", () => showZoom(editor.setZoom(editor.zoom / 1.25)));
    zoomIn.addEventListener("click", () => showZoom(editor.setZoom(editor.zoom * 1.25)));
    zoomFit.addEventListener("click", () => showZoom(editor.fit()));

    const addBtn = h("button", { type: "button", class: "btn btn-small" }, "Add a frame");
    addBtn.addEventListener("click", () => {
      const w = photo.width;
      const hgt = photo.height;
      editor.addFrame([
        [w * 0.3, hgt * 0.3],
        [w * 0.7, hgt * 0.3],
        [w * 0.7, hgt * 0.7],
        [w * 0.3, hgt * 0.7],
      ]);
      editor.canvas.focus();
    });
    const removeBtn = h("button", { type: "button", class: "btn btn-small btn-danger-quiet" }, "Remove frame");
    removeBtn.addEventListener("click", () => editor.removeSelected());

    const colour = h("input", { type: "color", id: uid("screen-colour"), value: "#00ff00" });
    const tolerance = h("input", { type: "range", id: uid("tolerance"), min: 0, max: MAX_TOLERANCE, value: 100 });
    const toleranceOut = h("output", { for: tolerance.id, class: "num" }, "100");
    tolerance.addEventListener("input", () => {
      toleranceOut.textContent = tolerance.value;
    });
    const detectBtn = h("button", { type: "button", class: "btn btn-small" }, "Detect green screen");
    const detectNote = h("p", { class: "hint", "aria-live": "polite" });
    detectBtn.addEventListener("click", () =>
      busy(detectBtn, async () => {
        detectNote.textContent = "";
        try {
          const found = await api.post(`/api/mockups/photos/${photo.id}/detect-green`, { colour: colour.value, tolerance: Number(tolerance.value) });
          if (!found.frames.length) {
            detectNote.textContent = "No area of that colour was found. Pick the screen's colour or raise the tolerance.";
            return;
          }
          found.frames.forEach((f) => editor.addFrame(f.points, f.settings));
          detectNote.textContent = `Found ${found.frames.length} area${found.frames.length === 1 ? "" : "s"}: added as frame${found.frames.length === 1 ? "" : "s"}. Drag the corners to adjust.`;
        } catch (err) {
          detectNote.textContent = err.message;
        }
      }),
    );

    const saveBtn = h("button", { type: "button", class: "btn btn-primary" }, "Save frames");
    saveBtn.addEventListener("click", () =>
      busy(saveBtn, async () => {
        try {
          const saved = await api.put(`/api/mockups/photos/${photo.id}/frames`, { frames: editor.frames.map((f) => ({ points: f.points, settings: f.settings })) });
          Object.assign(photo, saved);
          photos = photos.map((p) => (p.id === saved.id ? saved : p));
          editor.frames = saved.frames.map((f) => ({ points: f.points.map((p) => [...p]), settings: { ...f.settings } }));
          editor.draw();
          setDirty(false);
          paintPhotos(photo.id);
          paintCorners();
          paintSliders();
          toast(`Saved ${saved.frame_count} frame${saved.frame_count === 1 ? "" : "s"} on ${saved.name}.`);
        } catch (err) {
          reportError(err, saveNote);
        }
      }),
    );
    const saveNote = h("div", {});
    const deleteBtn = h("button", { type: "button", class: "btn btn-small btn-danger-quiet" }, "Delete photo");
    deleteBtn.addEventListener("click", async () => {
      const ok = await confirmDialog({ title: "Delete this photo?", message: `${photo.name} and its frames are removed. Mockups already made from it are kept.`, confirmLabel: "Delete", danger: true });
      if (!ok) return;
      try {
        await api.del(`/api/mockups/photos/${photo.id}`);
        photos = photos.filter((p) => p.id !== photo.id);
        editorBox.hidden = true;
        paintPhotos();
        toast(`Deleted ${photo.name}.`);
      } catch (err) {
        reportError(err);
      }
    });

    function paintTabs() {
      replace(
        frameTabs,
        editor.frames.length
          ? editor.frames.map((_, i) => {
              const b = h("button", { type: "button", class: "btn btn-small", "aria-pressed": String(i === editor.selected) }, `Frame ${i + 1}`);
              b.addEventListener("click", () => editor.select(i));
              return b;
            })
          : h("span", { class: "muted small" }, "No frames yet: drag on the photo, use “Add a frame”, or detect a green screen."),
      );
      removeBtn.disabled = editor.selected < 0;
    }

    function paintCorners() {
      const frame = editor.frames[editor.selected];
      if (!frame) {
        replace(cornerBox, h("p", { class: "muted small" }, "Select a frame to edit its corners."));
        return;
      }
      replace(
        cornerBox,
        CORNER_NAMES.map((name, i) => {
          const make = (axis) => {
            const input = h("input", { type: "number", id: uid(`corner-${i}-${axis}`), min: 0, max: axis ? photo.height : photo.width, step: 1, value: Math.round(frame.points[i][axis]), "aria-label": `${name} ${axis ? "y" : "x"}` });
            input.addEventListener("change", () => {
              const value = Math.min(Number(input.max), Math.max(0, Math.round(Number(input.value) || 0)));
              frame.points[i][axis] = value;
              input.value = value;
              editor.draw();
              setDirty(true);
              schedulePreview();
            });
            input.addEventListener("focus", () => editor.select(editor.selected, i));
            return input;
          };
          return h("div", { class: "corner-row" }, h("span", { class: "small" }, name), make(0), make(1));
        }),
      );
    }

    function paintSliders() {
      const frame = editor.frames[editor.selected];
      settingsBox.disabled = !frame;
      replace(
        sliders,
        SETTINGS.map(([key, label, min, max, def, step, unit]) => {
          const value = frame && frame.settings[key] !== undefined ? frame.settings[key] : def;
          const input = h("input", { type: "range", id: uid(key), name: key, min, max, step, value });
          const out = h("output", { for: input.id, class: "num" }, `${value}${unit}`);
          input.addEventListener("input", () => {
            out.textContent = `${input.value}${unit}`;
            if (!frame) return;
            frame.settings[key] = Number(input.value);
            setDirty(true);
            schedulePreview();
          });
          return h("div", { class: "slider" }, h("label", { for: input.id }, label), input, out);
        }),
      );
    }

    const resetBtn = h("button", { type: "button", class: "btn btn-small btn-quiet" }, "Reset look");
    resetBtn.addEventListener("click", () => {
      const frame = editor.frames[editor.selected];
      if (!frame) return;
      frame.settings = { ...DEFAULTS };
      paintSliders();
      setDirty(true);
      schedulePreview();
    });

    function schedulePreview() {
      clearTimeout(previewTimer);
      previewTimer = setTimeout(runPreview, PREVIEW_DELAY_MS);
    }

    async function runPreview() {
      if (!editor.frames.length) {
        previewImg.hidden = true;
        previewNote.textContent = "The preview appears once a frame is marked.";
        return;
      }
      if (previewAbort) previewAbort.abort();
      const controller = new AbortController();
      previewAbort = controller;
      previewNote.textContent = "Updating the preview…";
      try {
        const response = await request("POST", "/api/mockups/preview", {
          body: { photo_id: photo.id, frames: editor.frames.map((f) => ({ points: f.points, settings: f.settings })), text: posterText.value.trim() || null, max_side: 1280 },
          signal: controller.signal,
          raw: true,
          headers: { Accept: "image/jpeg, application/json" },
        });
        const blob = await response.blob();
        if (controller.signal.aborted || disposed) return;
        if (previewUrl) URL.revokeObjectURL(previewUrl);
        previewUrl = URL.createObjectURL(blob);
        previewImg.src = previewUrl;
        previewImg.hidden = false;
        previewNote.textContent = "Preview with a test poster (not saved).";
      } catch (err) {
        if (err && err.name === "AbortError") return;
        previewNote.textContent = err.message || "The preview could not be made.";
      }
    }
    posterText.addEventListener("change", schedulePreview);

    replace(
      editorBox,
      h(
        "div",
        { class: "editor-head" },
        h("h2", { id: "editor-title" }, `${photo.name} · ${photo.location_name}`),
        status,
        h("div", { class: "head-actions" }, deleteBtn, saveBtn),
      ),
      saveNote,
      h("div", { class: "editor-tools" }, addBtn, removeBtn, h("span", { class: "tool-sep" }), zoomOut, zoomFit, zoomIn, zoomLabel),
      frameTabs,
      editor.element,
      h("div", { class: "detect-row" }, field("Screen colour", colour), h("div", { class: "field" }, h("label", { for: tolerance.id }, "Tolerance"), h("div", { class: "slider-line" }, tolerance, toleranceOut)), h("div", { class: "field field-button" }, detectBtn)),
      detectNote,
      h(
        "div",
        { class: "editor-grid" },
        h("div", {}, h("fieldset", {}, h("legend", {}, "Corners of the selected frame (pixels)"), cornerBox), settingsBox, resetBtn),
        h("section", { class: "preview-section", "aria-label": "Live preview" }, h("h3", {}, "Live preview"), field("Test poster text", posterText), previewNote, previewImg),
      ),
    );
    image.addEventListener("load", () => {
      showZoom(editor.fit());
      editor.select(editor.frames.length ? 0 : -1);
      runPreview();
    });
    image.addEventListener("error", () => replace(saveNote, h("p", { class: "inline-error", role: "alert" }, "The photo could not be loaded. Reload the page to try again.")));
    image.src = photo.image_url;
    paintTabs();
    paintCorners();
    paintSliders();
    editorBox.scrollIntoView({ block: "start" });
  }

  replace(
    main,
    head,
    h("section", { class: "card", "aria-labelledby": "add-photo-title" }, h("h2", { id: "add-photo-title" }, "Add a photo"), addForm),
    h("section", { class: "card", "aria-labelledby": "photos-title" }, h("div", { class: "editor-head" }, h("h2", { id: "photos-title" }, "Photos"), filterSelect), photoList),
    editorBox,
  );
  paintPhotos();
  const wanted = query.get("photo");
  const first = photos.find((p) => p.id === wanted);
  if (first) openEditor(first);
  return () => {
    disposed = true;
    clearTimeout(previewTimer);
    if (previewAbort) previewAbort.abort();
    if (previewUrl) URL.revokeObjectURL(previewUrl);
  };
}
