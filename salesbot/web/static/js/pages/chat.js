// Chat: the conversation sidebar next to the open conversation, its composer and the streaming
// reply. The parts live in ../chat/; this page wires them together and sends messages.
import { ApiError, api, can } from "../api.js";
import { h, replace } from "../dom.js";
import { acceptDrops, acceptPaste, attachmentTray } from "../chat/attachments.js";
import { messageComposer } from "../chat/composer.js";
import { conversationList } from "../chat/conversation-list.js";
import { streamingReply } from "../chat/messages.js";
import { runFollower } from "../chat/run-follower.js";
import { savedRun, saveRun } from "../chat/run-events.js";
import { resumeChat, startChat } from "../chat/sse.js";
import { threadHeader } from "../chat/thread-header.js";
import { messageThread } from "../chat/thread.js";
import { limits, loadMeta } from "../meta.js";
import { reportError } from "../ui.js";

/** The page's parts, built and wired; `state` is shared with them. */
function layout({ state, user, query, navigate, send }) {
  const mayWrite = can(user, "conversations:create");
  const { max_message_chars: maxChars, max_message_files: maxFiles } = limits();
  const list = conversationList({ mayWrite, currentId: () => state.id, onNew: () => navigate("/chat?new=1"), isDisposed: () => state.disposed });
  const header = threadHeader({
    state,
    user,
    onBack: () => {
      root.dataset.view = "list";
    },
    onChanged: async () => {
      await list.load(true);
      list.markCurrent();
    },
    onDeleted: async () => {
      await list.load(true);
      navigate("/chat");
    },
  });
  const attachments = attachmentTray({ enabled: can(user, "files:upload") && mayWrite, maxFiles, onChange: () => composer.update() });
  const messages = messageThread({
    state,
    mayWrite,
    onLoaded: header.paint,
    onSuggestion: (text) => {
      composer.setText(text);
      send();
    },
  });
  const follower = runFollower({ log: messages.log, replies: messages.history, conversationId: () => state.id, onActive: (active) => composer.setStreaming(active) });
  const composer = messageComposer({ mayWrite, attachments, maxChars, onSend: send, onStop: () => follower.stop() });
  const dropHint = h("div", { class: "drop-hint", hidden: true }, "Drop files to attach them");
  const thread = h("section", { class: "thread", "aria-label": "Conversation" }, header.node, messages.log, composer.node, dropHint);
  acceptDrops(thread, dropHint, attachments.add);
  acceptPaste(composer.textarea, attachments.add);
  const root = h("div", { class: "chat", dataset: { view: state.id || query.get("new") ? "thread" : "list" } }, list.node, thread);
  return { root, list, header, attachments, messages, follower, composer, mayWrite };
}

/** Sending a message: the first one starts the conversation; the reply streams in below it. */
function sender(state, { root, list, header, attachments, messages, follower, composer }) {
  /** False when the conversation could not be created (the error was reported). */
  async function createConversation() {
    try {
      const created = await api.post("/api/conversations", {});
      state.id = created.id;
      state.conversation = created;
      messages.clear();
      window.history.replaceState({}, "", `/chat/${created.id}`);
      root.dataset.view = "thread";
      header.paint();
      list.load(true).then(list.markCurrent);
      return true;
    } catch (err) {
      reportError(err);
      return false;
    }
  }

  return async function send() {
    const message = composer.message();
    if (!message || message.length > limits().max_message_chars || follower.active) return;
    const attached = attachments.ready();
    if (!state.id && !(await createConversation())) return;
    messages.showAsked(message, attached);
    attachments.clear();
    composer.setText("");
    const body = { conversation_id: state.id, message };
    if (attached.length) body.file_ids = attached.map((meta) => meta.id);
    const run = { runId: null, lastEventId: null, ended: false };
    await follower.follow(streamingReply(), run, (onEvent, signal) => startChat(body, onEvent, signal));
    // The title is generated after the first exchange.
    if (state.id && state.conversation) {
      try {
        state.conversation = await api.get(`/api/conversations/${state.id}`);
        header.paint();
        list.load(true).then(list.markCurrent);
      } catch {
        /* the old title stays until the next load */
      }
    }
  };
}

/** After a reload mid-reply, follow the run again from its start into one reply. */
async function resumeIfRunning(state, { messages, follower }, target) {
  const saved = savedRun();
  if (!saved || !saved.runId || saved.conversationId !== state.id) return;
  // Nothing of the reply is on screen yet: drop what was already stored of this run and
  // replay the whole run (stored events, then live ones).
  messages.dropAfterRun(saved.runId);
  const reply = streamingReply();
  const run = { runId: saved.runId, lastEventId: null, ended: false };
  const failure = await follower.follow(reply, run, (onEvent, signal) => resumeChat(run.runId, null, onEvent, signal));
  if (failure instanceof ApiError && failure.status >= 400 && failure.status < 500) {
    // The run is no longer kept by the server: show what was stored instead.
    saveRun(null);
    reply.node.remove();
    await messages.open(target);
  }
}

export async function render({ main, user, params, query, navigate }) {
  const state = { id: params.id || null, conversation: null, disposed: false };
  await loadMeta(); // the composer's limits
  let send = null;
  const parts = layout({ state, user, query, navigate, send: () => send() });
  send = sender(state, parts);
  const { list, messages, follower, composer } = parts;
  main.classList.add("main-chat");
  replace(main, parts.root);

  composer.update();
  const listReady = list.load(true);
  await messages.open(query.get("m"));
  await listReady;
  list.markCurrent();
  if (parts.mayWrite) composer.textarea.focus();
  resumeIfRunning(state, parts, query.get("m"));

  return () => {
    state.disposed = true;
    list.dispose();
    messages.dispose();
    follower.dispose();
    main.classList.remove("main-chat");
  };
}
