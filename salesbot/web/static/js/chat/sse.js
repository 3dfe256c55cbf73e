// Server-Sent Events over fetch + ReadableStream (EventSource cannot POST or send our headers).
import { ApiError, request } from "../api.js";

/** Incremental SSE parser: feed text chunks, get {id, event, data} objects. */
export class SseParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buffer = "";
    this.reset();
  }

  reset() {
    this.id = null;
    this.event = "";
    this.data = [];
  }

  feed(chunk) {
    this.buffer += chunk;
    let index;
    while ((index = this.buffer.search(/\r\n|\r|\n/)) !== -1) {
      // A CR ending the chunk may be half of a CRLF: wait for the next chunk to tell.
      if (this.buffer[index] === "\r" && index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, index);
      const sep = this.buffer[index] === "\r" && this.buffer[index + 1] === "\n" ? 2 : 1;
      this.buffer = this.buffer.slice(index + sep);
      this.line(line);
    }
  }

  line(line) {
    if (line === "") {
      if (this.data.length || this.event) {
        const raw = this.data.join("\n");
        let data = raw;
        try {
          data = raw ? JSON.parse(raw) : {};
        } catch {
          data = { text: raw };
        }
        this.onEvent({ id: this.id, event: this.event || "message", data });
      }
      this.reset();
      return;
    }
    if (line.startsWith(":")) return; // a comment (heartbeats may be sent this way)
    const colon = line.indexOf(":");
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (name === "data") this.data.push(value);
    else if (name === "event") this.event = value;
    else if (name === "id") this.id = value;
  }
}

/**
 * Read an SSE response to the end, calling onEvent for each event.
 * Resolves when the stream closes; rejects with AbortError when aborted.
 */
export async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser(onEvent);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  parser.feed(decoder.decode());
  parser.feed("\n\n");
}

/** POST /api/chat and stream its events. */
export async function startChat(body, onEvent, signal) {
  const response = await request("POST", "/api/chat", { body, signal, raw: true, headers: { Accept: "text/event-stream" } });
  const runId = response.headers.get("X-Run-ID");
  if (runId) onEvent({ id: null, event: "run", data: { run_id: runId } });
  await readEvents(response, onEvent);
}

/** Follow a run from the last event seen (after a reload or a dropped connection). */
export async function resumeChat(runId, lastEventId, onEvent, signal) {
  const headers = { Accept: "text/event-stream" };
  if (lastEventId) headers["Last-Event-ID"] = lastEventId;
  const response = await request("GET", `/api/chat/runs/${encodeURIComponent(runId)}/events`, { signal, raw: true, headers });
  await readEvents(response, onEvent);
}

export { ApiError };
