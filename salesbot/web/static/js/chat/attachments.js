// The composer's attachment tray: files picked, dropped or pasted upload at once, each with its
// progress, its own error and a remove button.
import { ApiError } from "../api.js";
import { h } from "../dom.js";
import { toast } from "../ui.js";
import { CLIP, icon } from "./icons.js";
import { filesThatFit } from "./rules.js";
import { uploadFile } from "./upload.js";

/** One file in the tray: its name, then its progress, its error or "Ready", and Remove. */
function itemNode(a, onRemove) {
  const remove = h("button", { type: "button", class: "icon-btn", "aria-label": `Remove ${a.file.name}` }, "×");
  remove.addEventListener("click", onRemove);
  return h(
    "li",
    { class: `attachment attachment-${a.status}`, dataset: { name: a.file.name } },
    h("span", { class: "attachment-name" }, a.file.name),
    a.status === "uploading" ? h("progress", { max: 100, value: Math.round(a.progress * 100), "aria-label": `Uploading ${a.file.name}` }) : null,
    a.status === "error" ? h("span", { class: "field-error", role: "alert" }, a.error) : null,
    a.status === "done" ? h("span", { class: "muted small" }, "Ready") : null,
    remove,
  );
}

/** Upload item.file, moving its progress bar in `tray`; onSettled() once it is done or failed. */
function upload(item, tray, onSettled) {
  const { file } = item;
  uploadFile(file, (fraction) => {
    item.progress = fraction;
    const bar = tray.querySelector(`[data-name="${CSS.escape(file.name)}"] progress`);
    if (bar) bar.value = Math.round(fraction * 100);
  })
    .then((meta) => {
      item.status = "done";
      item.meta = meta;
    })
    .catch((err) => {
      item.status = "error";
      item.error = err instanceof ApiError ? err.message : "The upload failed.";
    })
    .finally(onSettled);
}

/**
 * enabled: the user may attach files; maxFiles: the most one message carries (/api/meta);
 * onChange(): the tray's state changed (re-check the composer).
 */
export function attachmentTray({ enabled, maxFiles, onChange }) {
  let items = []; // {file, status: "uploading" | "done" | "error", progress, meta, error}
  const tray = h("ul", { class: "attach-tray", "aria-label": "Attachments" });
  const fileInput = h("input", { type: "file", multiple: true, hidden: true, id: "attach-input" });
  const attachBtn = h("button", { type: "button", class: "icon-btn", "aria-label": "Attach files", disabled: !enabled, title: "Attach files" }, icon(CLIP));

  const paint = () => {
    tray.replaceChildren(
      ...items.map((a) =>
        itemNode(a, () => {
          items = items.filter((x) => x !== a);
          changed();
        }),
      ),
    );
  };
  const changed = () => {
    paint();
    onChange();
  };

  function add(files) {
    if (!enabled) return;
    const list = [...files];
    const fit = filesThatFit(items.length, list.length, maxFiles);
    if (fit < list.length) toast(`You can attach up to ${maxFiles} files to one message.`, { kind: "warn" });
    for (const file of list.slice(0, fit)) {
      const item = { file, status: "uploading", progress: 0, meta: null, error: "" };
      items.push(item);
      upload(item, tray, changed);
    }
    changed();
  }

  fileInput.addEventListener("change", () => {
    add(fileInput.files);
    fileInput.value = "";
  });
  attachBtn.addEventListener("click", () => fileInput.click());

  return {
    tray,
    fileInput,
    attachBtn,
    add,
    /** Every file with its status, for the composer's check. */
    get items() {
      return items;
    },
    /** The metadata of the files uploaded so far. */
    ready() {
      return items.filter((a) => a.status === "done").map((a) => a.meta);
    },
    /** Empty the tray once the message is sent. */
    clear() {
      items = [];
      paint();
    },
  };
}

const carriesFiles = (event) => !!event.dataTransfer && [...event.dataTransfer.types].includes("Files");

/** Files dropped anywhere on `target` are attached; `hint` shows while they are dragged over it. */
export function acceptDrops(target, hint, add) {
  let depth = 0; // dragenter/dragleave fire for every child crossed
  target.addEventListener("dragenter", (event) => {
    if (!carriesFiles(event)) return;
    depth += 1;
    hint.hidden = false;
  });
  target.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (!depth) hint.hidden = true;
  });
  target.addEventListener("dragover", (event) => {
    if (carriesFiles(event)) event.preventDefault();
  });
  target.addEventListener("drop", (event) => {
    depth = 0;
    hint.hidden = true;
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault();
    add(event.dataTransfer.files);
  });
}

/** Files pasted into `field` are attached instead of pasted as text. */
export function acceptPaste(field, add) {
  field.addEventListener("paste", (event) => {
    const files = event.clipboardData ? [...event.clipboardData.files] : [];
    if (files.length) {
      event.preventDefault();
      add(files);
    }
  });
}
