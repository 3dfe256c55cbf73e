// Server-Sent Events parsing: events cut anywhere across network chunks come out whole.
import assert from "node:assert/strict";
import { test } from "node:test";

import { SseParser, readEvents } from "../../salesbot/web/static/js/chat/sse.js";

function parse(...chunks) {
  const events = [];
  const parser = new SseParser((e) => events.push(e));
  chunks.forEach((c) => parser.feed(c));
  return events;
}

test("an event with an id, a name and JSON data", () => {
  assert.deepEqual(parse('id: 7\nevent: delta\ndata: {"text": "Hi"}\n\n'), [{ id: "7", event: "delta", data: { text: "Hi" } }]);
});

test("no event name means 'message'; no data means an empty object", () => {
  assert.deepEqual(parse('data: {"a": 1}\n\nevent: ping\n\n'), [
    { id: null, event: "message", data: { a: 1 } },
    { id: null, event: "ping", data: {} },
  ]);
});

test("data that is not JSON arrives as text; several data lines join with newlines", () => {
  assert.deepEqual(parse("data: plain words\n\n"), [{ id: null, event: "message", data: { text: "plain words" } }]);
  assert.deepEqual(parse("data: line one\ndata: line two\n\n"), [{ id: null, event: "message", data: { text: "line one\nline two" } }]);
  assert.deepEqual(parse('data: {"a":\ndata: 2}\n\n'), [{ id: null, event: "message", data: { a: 2 } }]);
});

test("CRLF, CR and LF line ends are all accepted", () => {
  const expected = [{ id: "1", event: "delta", data: { text: "x" } }];
  for (const nl of ["\n", "\r\n", "\r"]) {
    // (a CR at the end of what arrived so far waits for the next chunk: it may start a CRLF)
    assert.deepEqual(parse(`id: 1${nl}event: delta${nl}data: {"text":"x"}${nl}${nl}`, ": next\n"), expected, JSON.stringify(nl));
  }
});

test("an event split at every possible point is parsed the same", () => {
  const stream = 'id: 12\r\nevent: tool_progress\r\ndata: {"percent": 40, "message": "Rendering"}\r\n\r\n: keep-alive\n\nid: 13\nevent: message_end\ndata: {}\n\n';
  const whole = parse(stream);
  assert.equal(whole.length, 2);
  for (let cut = 1; cut < stream.length; cut += 1) {
    assert.deepEqual(parse(stream.slice(0, cut), stream.slice(cut)), whole, `cut at ${cut}`);
  }
  assert.deepEqual(parse(...stream), whole); // one character at a time
});

test("comments are skipped; one space after the colon is dropped, the rest kept; unknown fields ignored", () => {
  assert.deepEqual(parse(": heartbeat\n\n"), []);
  assert.deepEqual(parse("retry: 100\nfoo: bar\ndata:  two spaces\n\n"), [{ id: null, event: "message", data: { text: " two spaces" } }]);
  assert.deepEqual(parse("data\n\n"), [{ id: null, event: "message", data: {} }]); // a field without a value
});

test("the last id before the blank line wins; the id does not carry over to the next event", () => {
  assert.deepEqual(parse("id: 1\nid: 2\ndata: {}\n\ndata: {}\n\n"), [
    { id: "2", event: "message", data: {} },
    { id: null, event: "message", data: {} },
  ]);
});

function response(chunks) {
  const encoder = new TextEncoder();
  const body = new ReadableStream({
    start(controller) {
      chunks.forEach((c) => controller.enqueue(typeof c === "string" ? encoder.encode(c) : c));
      controller.close();
    },
  });
  return { body };
}

test("readEvents ends the last event even when the stream stops after a lone CR", async () => {
  const events = [];
  await readEvents(response(["event: message_end\r", "data: {}\r"]), (e) => events.push(e));
  assert.deepEqual(events, [{ id: null, event: "message_end", data: {} }]);
});

test("readEvents decodes UTF-8 split across chunks and flushes an unterminated last event", async () => {
  const bytes = new TextEncoder().encode('event: delta\ndata: {"text": "Café – ✓"}\n\nevent: message_end\ndata: {}');
  const cut = bytes.indexOf(0xc3) + 1; // inside "é"
  const events = [];
  await readEvents(response([bytes.slice(0, cut), bytes.slice(cut)]), (e) => events.push(e));
  assert.deepEqual(events, [
    { id: null, event: "delta", data: { text: "Café – ✓" } },
    { id: null, event: "message_end", data: {} },
  ]);
});
