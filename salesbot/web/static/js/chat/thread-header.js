// The open conversation's header: its title and Rename, Pin, Archive, Export and Delete.
import { api, can } from "../api.js";
import { append, h } from "../dom.js";
import { confirmDialog, openDialog, reportError, toast } from "../ui.js";

/** Ask for a new title; resolves through onTitle(title) when one is given. */
function renameDialog(current, onTitle) {
  const input = h("input", { id: "rename-input", name: "title", value: current, maxlength: 200, required: true });
  const errorBox = h("p", { class: "form-error", role: "alert", hidden: true });
  const save = h("button", { type: "submit", class: "btn btn-primary" }, "Save");
  const cancel = h("button", { type: "button", class: "btn" }, "Cancel");
  const form = h("form", { class: "form" }, errorBox, h("div", { class: "field" }, h("label", { for: "rename-input" }, "Title"), input), h("div", { class: "form-actions" }, cancel, save));
  const { close } = openDialog({ title: "Rename conversation", body: form });
  input.select();
  cancel.addEventListener("click", () => close(null));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (!value) {
      errorBox.textContent = "Please enter a title.";
      errorBox.hidden = false;
      input.setAttribute("aria-invalid", "true");
      return;
    }
    close(null);
    await onTitle(value);
  });
}

/**
 * state: the page's {id, conversation}; onBack(): show the list (phones);
 * onChanged(): the conversation was renamed, pinned or archived; onDeleted(): it is gone.
 */
export function threadHeader({ state, user, onBack, onChanged, onDeleted }) {
  const mayWrite = can(user, "conversations:create");
  const mayDelete = can(user, "conversations:delete");
  const mayExport = can(user, "conversations:export");
  const backBtn = h("button", { type: "button", class: "btn btn-small btn-quiet back-btn" }, "‹ Conversations");
  const title = h("h1", { class: "thread-title" }, "New chat");
  const actions = h("div", { class: "thread-actions" });
  // On a phone the actions fold into one menu; wider screens show them in a row (always open).
  const menu = h("details", { class: "thread-menu" }, h("summary", { class: "btn btn-small", "aria-label": "Conversation actions" }, "⋯"), actions);
  const phone = window.matchMedia("(max-width: 768px)");
  const fit = () => {
    menu.open = !phone.matches;
  };
  fit();
  phone.addEventListener("change", fit);
  actions.addEventListener("click", (event) => {
    if (phone.matches && event.target.closest("button, a")) menu.open = false;
  });
  backBtn.addEventListener("click", onBack);

  async function patch(body, message) {
    try {
      state.conversation = await api.patch(`/api/conversations/${state.id}`, body);
      paint();
      toast(message);
      await onChanged();
    } catch (err) {
      reportError(err);
    }
  }

  async function remove(c) {
    const ok = await confirmDialog({ title: "Delete this conversation?", message: `“${c.title}” will disappear from your list and from search.`, confirmLabel: "Delete", danger: true });
    if (!ok) return;
    try {
      await api.del(`/api/conversations/${c.id}`);
      toast("The conversation was deleted.");
      await onDeleted();
    } catch (err) {
      reportError(err);
    }
  }

  function button(label, onClick, attrs = {}) {
    const el = h("button", { type: "button", class: "btn btn-small", ...attrs }, label);
    el.addEventListener("click", onClick);
    return el;
  }

  /** Show the current conversation's title and the actions the user may take on it. */
  function paint() {
    const c = state.conversation;
    title.textContent = c ? c.title || "New chat" : "New chat";
    actions.replaceChildren();
    if (!c || !mayWrite) return;
    // dom.js's append skips the nulls (Element.append would show them as the text "null").
    append(actions, [
      button("Rename", () => renameDialog(c.title, (value) => patch({ title: value }, "Renamed."))),
      button(c.pinned ? "Unpin" : "Pin", () => patch({ pinned: !c.pinned }, c.pinned ? "Unpinned." : "Pinned."), { "aria-pressed": String(c.pinned) }),
      button(c.archived ? "Unarchive" : "Archive", () => patch({ archived: !c.archived }, c.archived ? "Moved back to your conversations." : "Archived.")),
      mayExport ? h("a", { class: "btn btn-small", href: `/api/conversations/${c.id}/export?format=md`, download: "" }, "Export") : null,
      mayDelete ? button("Delete", () => remove(c), { class: "btn btn-small btn-danger-quiet" }) : null,
    ]);
  }

  return { node: h("header", { class: "thread-head" }, backBtn, title, menu), paint };
}
