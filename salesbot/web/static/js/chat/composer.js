// The composer: the message box with its character counter, the attachment tray, Send and Stop.
import { h } from "../dom.js";
import { composerCheck, counterLevel, counterText } from "./rules.js";

const MAX_HEIGHT_PX = 240;

/** The message box; Enter asks to send (calls onEnter), Shift+Enter adds a line. */
function messageBox(mayWrite, onEnter) {
  const textarea = h("textarea", {
    id: "composer",
    name: "message",
    rows: "1",
    placeholder: "Ask for a proposal, a mockup or a booking order…",
    "aria-label": "Message",
    "aria-describedby": "composer-count composer-help",
    disabled: !mayWrite,
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      onEnter();
    }
  });
  return textarea;
}

/**
 * attachments: the tray (attachments.js); maxChars: the longest message (/api/meta);
 * onSend(): send what is written; onStop(): stop following the reply.
 */
export function messageComposer({ mayWrite, attachments, maxChars, onSend, onStop }) {
  let streaming = false;
  const trySend = () => {
    if (!sendBtn.disabled) onSend();
  };
  const textarea = messageBox(mayWrite, trySend);
  const counter = h("span", { id: "composer-count", class: "counter muted small", "aria-live": "polite" }, counterText(0, maxChars));
  const sendBtn = h("button", { type: "submit", class: "btn btn-primary", disabled: true }, "Send");
  const stopBtn = h("button", { type: "button", class: "btn", hidden: true }, "Stop");
  const error = h("p", { class: "field-error", role: "alert", hidden: true });
  const form = h(
    "form",
    { class: "composer", "aria-label": "Write a message" },
    attachments.tray,
    error,
    h("div", { class: "composer-row" }, attachments.attachBtn, attachments.fileInput, textarea, stopBtn, sendBtn),
    h("div", { class: "composer-foot" }, h("span", { id: "composer-help", class: "muted small" }, "Enter sends · Shift+Enter adds a line · drop or paste files to attach"), counter),
  );

  function update() {
    const length = textarea.value.length;
    counter.textContent = counterText(length, maxChars);
    counter.dataset.state = counterLevel(length, maxChars);
    const check = composerCheck({ text: textarea.value, maxChars, attachments: attachments.items, streaming, mayWrite });
    sendBtn.disabled = !check.canSend;
    error.hidden = !check.error;
    error.textContent = check.error;
    // Grow with the text up to a limit, then scroll.
    textarea.style.height = "auto";
    textarea.style.height = `${Math.min(textarea.scrollHeight, MAX_HEIGHT_PX)}px`;
  }

  textarea.addEventListener("input", update);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    trySend();
  });
  stopBtn.addEventListener("click", onStop);

  return {
    node: form,
    textarea,
    update,
    /** The message as it will be sent. */
    message() {
      return textarea.value.trim();
    },
    setText(text) {
      textarea.value = text;
      update();
    },
    /** A reply is streaming: Send waits for it and Stop shows. */
    setStreaming(active) {
      streaming = active;
      stopBtn.hidden = !active;
      textarea.disabled = !mayWrite;
      update();
    },
  };
}
