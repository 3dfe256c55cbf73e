// Safe DOM building: text always goes in through textContent, never through innerHTML.

const BOOLEAN_PROPS = new Set(["disabled", "checked", "hidden", "required", "multiple", "readOnly", "selected"]);

/**
 * h("button", {class: "btn", onclick: fn, "aria-label": "Close"}, "Text", childNode, [more])
 * Strings become text nodes; null/undefined/false children are skipped; arrays are flattened.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      for (const [name, v] of Object.entries(value)) el.dataset[name] = String(v);
    } else if (key === "value") {
      el.value = value;
    } else if (BOOLEAN_PROPS.has(key)) {
      el[key] = Boolean(value);
    } else if (key === "text") {
      el.textContent = String(value);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

/** An SVG element (icons, charts). */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") el.textContent = String(value);
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Unique ids for label/field pairing. */
let counter = 0;
export function uid(prefix = "id") {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A labelled form field: returns {wrap, input}. */
export function field({ label, name, type = "text", value = "", required = false, hint = "", attrs = {}, control = null }) {
  const id = uid(name);
  const input =
    control ||
    h("input", { id, name, type, value, required, "aria-describedby": hint ? `${id}-hint` : null, ...attrs });
  if (control) {
    input.id = id;
    if (name) input.name = name;
  }
  const wrap = h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    input,
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null,
  );
  return { wrap, input };
}

/** A <select> with [value, label] options. */
export function select(name, options, selected = "", attrs = {}) {
  return h(
    "select",
    { name, ...attrs },
    options.map(([value, label]) => h("option", { value, selected: value === selected }, label)),
  );
}

// Times show in the product's configured zone (GET /api/meta → timezone), the one its file
// names, PDFs and exports use, whatever the browser's own zone; until it is known, the browser's.
let dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
let dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

/** Show times in `zone` (an IANA name such as "Asia/Dubai"); an unknown zone is ignored. */
export function setTimeZone(zone) {
  try {
    dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone: zone });
    dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: zone });
  } catch {
    // RangeError: a zone this browser does not know; keep the browser's own.
  }
}

export function formatDateTime(value) {
  if (!value) return "—";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? "—" : dateTime.format(d);
}

export function formatDate(value) {
  if (!value) return "—";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? "—" : dateOnly.format(d);
}

export function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

