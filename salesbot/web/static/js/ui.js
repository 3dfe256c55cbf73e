// Toasts, accessible dialogs, and errors shown next to what caused them.
import { ApiError } from "./api.js";
import { h } from "./dom.js";

/* ---------- toasts ---------- */

export function toast(message, { kind = "info", timeout = 6000 } = {}) {
  const host = document.getElementById("toasts");
  if (!host) return;
  const close = h("button", { type: "button", class: "icon-btn", "aria-label": "Dismiss" }, "×");
  const item = h(
    "div",
    { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status" },
    h("span", {}, message),
    close,
  );
  const remove = () => item.remove();
  close.addEventListener("click", remove);
  host.append(item);
  if (timeout) setTimeout(remove, timeout);
}

/* ---------- dialogs ---------- */

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * openDialog({title, body, actions}) → {dialog, close}
 * A modal <dialog>: the page behind is inert, Tab cycles inside, Escape closes, focus returns
 * to what was focused before.
 */
export function openDialog({ title, body, actions = [], onClose = null, wide = false }) {
  const opener = document.activeElement;
  const titleId = `dialog-title-${Math.random().toString(36).slice(2, 8)}`;
  const closeBtn = h("button", { type: "button", class: "icon-btn dialog-close", "aria-label": "Close" }, "×");
  const dialog = h(
    "dialog",
    { class: wide ? "dialog dialog-wide" : "dialog", "aria-labelledby": titleId },
    h("header", { class: "dialog-head" }, h("h2", { id: titleId }, title), closeBtn),
    h("div", { class: "dialog-body" }, body),
    actions.length ? h("footer", { class: "dialog-actions" }, actions) : null,
  );
  let closed = false;
  const close = (result) => {
    if (closed) return;
    closed = true;
    dialog.close();
    dialog.remove();
    if (opener && typeof opener.focus === "function" && document.contains(opener)) opener.focus();
    if (onClose) onClose(result);
  };
  closeBtn.addEventListener("click", () => close(null));
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    close(null);
  });
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close(null);
      return;
    }
    if (event.key !== "Tab") return;
    const items = [...dialog.querySelectorAll(FOCUSABLE)].filter((el) => el.offsetParent !== null);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
  document.body.append(dialog);
  dialog.showModal();
  const autofocus = dialog.querySelector("[autofocus]") || dialog.querySelector(`.dialog-body ${FOCUSABLE}`);
  (autofocus || closeBtn).focus();
  return { dialog, close };
}

/** Ask to confirm; resolves true/false. With `reason`, resolves the typed reason or null. */
export function confirmDialog({ title, message, confirmLabel = "Confirm", danger = false, reason = null, reasonRequired = "Please give a reason." }) {
  return new Promise((resolve) => {
    const errorBox = h("p", { class: "form-error", role: "alert", hidden: true });
    let reasonInput = null;
    const parts = [h("p", {}, message)];
    if (reason) {
      reasonInput = h("textarea", { id: "confirm-reason", name: "reason", rows: "3", required: true, maxlength: "1000" });
      parts.push(h("div", { class: "field" }, h("label", { for: "confirm-reason" }, reason), reasonInput));
    }
    parts.push(errorBox);
    const ok = h("button", { type: "button", class: danger ? "btn btn-danger" : "btn btn-primary" }, confirmLabel);
    const cancel = h("button", { type: "button", class: "btn" }, "Cancel");
    let answered = false;
    const { close } = openDialog({
      title,
      body: parts,
      actions: [cancel, ok],
      onClose: (result) => {
        if (!answered) resolve(reason ? null : false);
        return result;
      },
    });
    cancel.addEventListener("click", () => close(null));
    ok.addEventListener("click", () => {
      if (reasonInput) {
        const text = reasonInput.value.trim();
        if (!text) {
          errorBox.textContent = reasonRequired;
          errorBox.hidden = false;
          reasonInput.setAttribute("aria-invalid", "true");
          reasonInput.focus();
          return;
        }
        answered = true;
        resolve(text);
      } else {
        answered = true;
        resolve(true);
      }
      close(null);
    });
  });
}

/* ---------- errors next to their cause ---------- */

export function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((el) => el.remove());
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  const box = form.querySelector(".form-error");
  if (box) {
    box.textContent = "";
    box.hidden = true;
  }
}

function formErrorBox(form) {
  let box = form.querySelector(".form-error");
  if (!box) {
    box = h("p", { class: "form-error", role: "alert" });
    form.prepend(box);
  }
  return box;
}

/**
 * Show an error on a form: field errors (422 details) under their inputs, everything else in
 * the form's error box. Errors that are not from the API are shown generically.
 */
export function showFormError(form, err) {
  clearErrors(form);
  const message = err instanceof ApiError ? err.message : "Something went wrong. Please try again.";
  let placed = false;
  if (err instanceof ApiError) {
    for (const { field, message: fieldMessage } of err.fieldErrors) {
      const name = field.split(".")[0];
      const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
      if (!input) continue;
      input.setAttribute("aria-invalid", "true");
      const id = `${input.id || name}-error`;
      const note = h("p", { class: "field-error", id }, fieldMessage);
      input.setAttribute("aria-describedby", id);
      input.insertAdjacentElement("afterend", note);
      if (!placed) input.focus();
      placed = true;
    }
  }
  const box = formErrorBox(form);
  box.textContent = message;
  box.hidden = false;
  if (err && !(err instanceof ApiError)) console.warn(err);
}

/** Errors outside a form: a toast, or an inline note when a container is given. */
export function reportError(err, container = null) {
  const message = err instanceof ApiError ? err.message : "Something went wrong. Please try again.";
  if (container) {
    container.replaceChildren(h("p", { class: "inline-error", role: "alert" }, message));
  } else {
    toast(message, { kind: "error" });
  }
  if (err && !(err instanceof ApiError)) console.warn(err);
}

/** Disable a button while an async action runs. */
export async function busy(button, action) {
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await action();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = label;
  }
}

/** An empty state that says what to do next. */
export function emptyState(title, next, action = null) {
  return h("div", { class: "empty" }, h("p", { class: "empty-title" }, title), h("p", {}, next), action);
}

/** Copy to clipboard with a visible confirmation. */
export async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    if (button) {
      const label = button.textContent;
      button.textContent = "Copied";
      setTimeout(() => {
        button.textContent = label;
      }, 1500);
    }
  } catch {
    toast("Copying is blocked by the browser: select the text and copy it by hand.", { kind: "warn" });
  }
}
