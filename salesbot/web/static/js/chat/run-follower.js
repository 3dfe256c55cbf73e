// Follows one assistant run at a time into a streaming reply: reconnects from the last event
// seen (Last-Event-ID) when the connection drops, and remembers the run so a reload resumes it.
import { ApiError } from "../api.js";
import { resumeChat } from "./sse.js";
import { readEvent, saveRun } from "./run-events.js";

const RECONNECTS = 5;
const STICKY_PX = 120;
const LOST = "The connection to the assistant was lost. Reload the page to see the reply.";

/** Apply one event to the reply view and to the run's bookkeeping. */
function apply(reply, run, action) {
  switch (action.type) {
    case "run":
      if (action.runId) run.runId = action.runId;
      break;
    case "delta":
      reply.delta(action.text);
      break;
    case "tool_started":
      reply.tool(action.id, action.name);
      break;
    case "tool_progress":
      reply.getTool(action.id, action.name).setProgress(action.fraction, action.message);
      break;
    case "tool_result":
      reply.getTool(action.id, action.name).finish(action);
      break;
    case "end":
      run.ended = true;
      reply.done();
      break;
    case "error":
      run.ended = true;
      reply.fail(action.message);
      break;
    default:
      break;
  }
}

/** The stream's onEvent for one run: remembers the last event id and the run id, feeds the reply. */
function eventHandler(reply, run, conversationId) {
  return ({ id, event, data }) => {
    if (id && event !== "heartbeat") run.lastEventId = id;
    const action = readEvent(event, data);
    if (action) apply(reply, run, action);
    if (run.runId && !run.ended && event === "message_start") saveRun({ runId: run.runId, conversationId: conversationId() });
  };
}

/** Keep the newest text of `node` in view while it grows, unless the reader scrolled up. */
function stickToBottom(log, node) {
  const observer = new MutationObserver(() => {
    if (log.scrollHeight - log.scrollTop - log.clientHeight < STICKY_PX) log.scrollTop = log.scrollHeight;
  });
  observer.observe(node, { childList: true, subtree: true, characterData: true });
  return observer;
}

/**
 * log: the scrolling message log; replies: where in it the reply goes (after the question);
 * conversationId(): the open conversation; onActive(bool): a run started or finished following.
 */
export function runFollower({ log, replies, conversationId, onActive }) {
  let current = null; // {controller}

  function setActive(active) {
    current = active;
    onActive(!!active);
  }

  /**
   * Show `reply` and feed it the run's events: starter(onEvent, signal) opens the stream.
   * run: {runId, lastEventId, ended}. Resolves to the error that ended it, or null.
   */
  async function follow(reply, run, starter) {
    const controller = new AbortController();
    setActive({ controller });
    replies.append(reply.node);
    log.scrollTop = log.scrollHeight;
    const onEvent = eventHandler(reply, run, conversationId);
    const observer = stickToBottom(log, reply.node);
    let failure = null;
    try {
      await starter(onEvent, controller.signal);
      // A dropped connection ends the stream early: reconnect from the last event seen.
      for (let attempt = 0; !run.ended && run.runId && attempt < RECONNECTS; attempt += 1) {
        await resumeChat(run.runId, run.lastEventId, onEvent, controller.signal);
      }
      if (!run.ended) reply.done();
    } catch (err) {
      failure = err;
      if (err && err.name === "AbortError") reply.done();
      else reply.fail(err instanceof ApiError ? err.message : LOST);
    } finally {
      observer.disconnect();
      if (run.ended) saveRun(null);
      setActive(null);
    }
    return failure;
  }

  return {
    follow,
    get active() {
      return current !== null;
    },
    /** Stop following; the reply keeps being written on the server and shows on reload. */
    stop() {
      if (current) current.controller.abort();
      saveRun(null);
    },
    dispose() {
      if (current) current.controller.abort();
    },
  };
}
