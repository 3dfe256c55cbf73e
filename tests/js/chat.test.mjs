// The chat page's pure parts: the composer's rules, search hits, the run's events, file cards.
import assert from "node:assert/strict";
import { test } from "node:test";

import { normaliseFile, toolLabel } from "../../salesbot/web/static/js/chat/messages.js";
import { RUN_KEY, readEvent, saveRun, savedRun } from "../../salesbot/web/static/js/chat/run-events.js";
import {
  composerCheck,
  counterLevel,
  counterText,
  filesThatFit,
  highlightPieces,
  hitHref,
  pinnedFirst,
  visibleMessages,
  repeats,
} from "../../salesbot/web/static/js/chat/rules.js";

// The limits the page passes in come from /api/meta; these are the served defaults.
const MAX_CHARS = 10_000;
const MAX_FILES = 10;

test("the counter reads like the tests and users expect, and warns near the limit", () => {
  assert.equal(counterText(17, MAX_CHARS), "17 / 10,000");
  assert.equal(counterText(10_001, MAX_CHARS), "10,001 / 10,000");
  assert.equal(counterLevel(9_000, MAX_CHARS), "");
  assert.equal(counterLevel(9_001, MAX_CHARS), "near");
  assert.equal(counterLevel(MAX_CHARS, MAX_CHARS), "near");
  assert.equal(counterLevel(MAX_CHARS + 1, MAX_CHARS), "over");
});

test("the counter and the check follow the limit they are given", () => {
  assert.equal(counterText(5, 2_000), "5 / 2,000");
  assert.equal(counterLevel(1_801, 2_000), "near");
  assert.equal(counterLevel(2_001, 2_000), "over");
  assert.equal(composerCheck({ text: "x".repeat(2_000), maxChars: 2_000 }).canSend, true);
  assert.equal(composerCheck({ text: "x".repeat(2_001), maxChars: 2_000 }).error, "Messages can have at most 2,000 characters; this one has 2,001.");
  assert.equal(filesThatFit(2, 5, 3), 1);
});

test("the composer sends written text within the limit, with every attachment uploaded", () => {
  assert.deepEqual(composerCheck({ maxChars: MAX_CHARS, text: "hello" }), { canSend: true, error: "" });
  assert.equal(composerCheck({ maxChars: MAX_CHARS, text: "   \n" }).canSend, false);
  assert.equal(composerCheck({ maxChars: MAX_CHARS, text: "x".repeat(MAX_CHARS) }).canSend, true);
  assert.deepEqual(composerCheck({ maxChars: MAX_CHARS, text: "x".repeat(MAX_CHARS + 1) }), {
    canSend: false,
    error: "Messages can have at most 10,000 characters; this one has 10,001.",
  });
  assert.equal(composerCheck({ maxChars: MAX_CHARS, text: "hi", streaming: true }).canSend, false);
  assert.equal(composerCheck({ maxChars: MAX_CHARS, text: "hi", mayWrite: false }).canSend, false);
  assert.deepEqual(composerCheck({ maxChars: MAX_CHARS, text: "hi", attachments: [{ status: "done" }, { status: "uploading" }] }), { canSend: false, error: "" });
  assert.deepEqual(composerCheck({ maxChars: MAX_CHARS, text: "hi", attachments: [{ status: "error" }] }), {
    canSend: false,
    error: "Remove the files that could not be uploaded to send.",
  });
  // Too long says so first, even with a failed upload.
  assert.match(composerCheck({ maxChars: MAX_CHARS, text: "x".repeat(MAX_CHARS + 1), attachments: [{ status: "error" }] }).error, /at most/);
});

test("at most MAX_FILES files are attached to one message", () => {
  assert.equal(filesThatFit(0, 3, MAX_FILES), 3);
  assert.equal(filesThatFit(8, 5, MAX_FILES), MAX_FILES - 8);
  assert.equal(filesThatFit(MAX_FILES, 1, MAX_FILES), 0);
});

test("pinned conversations come first, otherwise in the API's order", () => {
  const items = [
    { id: "a", pinned: false },
    { id: "b", pinned: true },
    { id: "c", pinned: false },
    { id: "d", pinned: true },
  ];
  assert.deepEqual(pinnedFirst(items).map((c) => c.id), ["b", "d", "a", "c"]);
  assert.deepEqual(items.map((c) => c.id), ["a", "b", "c", "d"]); // not sorted in place
});

test("system prompts and tool-call-only assistant turns get no bubble", () => {
  const items = [
    { id: 1, role: "system", content: "You are…" },
    { id: 2, role: "user", content: "hi" },
    { id: 3, role: "assistant", content: "", tool_calls: [{ id: "t" }] },
    { id: 4, role: "tool", content: "done" },
    { id: 5, role: "assistant", content: "Here it is", tool_calls: [{ id: "t" }] },
    { id: 6, role: "assistant", content: "" },
  ];
  assert.deepEqual(visibleMessages(items).map((m) => m.id), [2, 4, 5, 6]);
});

test("a reply that only repeats the tool's result is shown once, as the card", () => {
  const summary = "Proposal for Nike (AED):\n- The Landmark, from 1 Jan 2027: 2 Weeks AED 1,578,696";
  const items = [
    { id: 1, role: "user", content: "landmark proposal…" },
    { id: 2, role: "tool", content: summary },
    { id: 3, role: "assistant", content: summary.replace("\n", "\n\n") },
    { id: 4, role: "tool", content: "Done" },
    { id: 5, role: "assistant", content: "The deck is ready; anything else?" },
  ];
  assert.deepEqual(visibleMessages(items).map((m) => m.id), [1, 2, 4, 5]);
  assert.equal(repeats("", ""), false);
});

test("a search hit links to the conversation, at the message when there is one", () => {
  assert.equal(hitHref({ conversation_id: "c1" }), "/chat/c1");
  assert.equal(hitHref({ conversation_id: "c1", message_id: "m9" }), "/chat/c1?m=m9");
});

test("highlight ranges cut the snippet into marked and plain pieces", () => {
  assert.deepEqual(highlightPieces("find the zebra here", [[9, 14]]), [
    { text: "find the ", mark: false },
    { text: "zebra", mark: true },
    { text: " here", mark: false },
  ]);
  assert.deepEqual(highlightPieces("ab cd", [[3, 5], [0, 2]]), [
    { text: "ab", mark: true },
    { text: " ", mark: false },
    { text: "cd", mark: true },
  ]);
  assert.deepEqual(highlightPieces("", null), []);
});

test("overlapping, empty, reversed, out-of-bounds and malformed ranges are ignored", () => {
  const plain = [{ text: "abcdef", mark: false }];
  for (const ranges of [[[4, 2]], [[3, 3]], [[2, 99]], [[-1, 2]], [[1]], ["ab"], [null], undefined]) {
    assert.deepEqual(highlightPieces("abcdef", ranges), plain, JSON.stringify(ranges));
  }
  assert.deepEqual(highlightPieces("abcdef", [[0, 3], [2, 5]]), [
    { text: "abc", mark: true },
    { text: "def", mark: false },
  ]);
});

test("run events become actions, whatever the field spelling", () => {
  assert.deepEqual(readEvent("run", { run_id: 42 }), { type: "run", runId: "42", started: false });
  assert.deepEqual(readEvent("message_start", {}), { type: "run", runId: null, started: true });
  assert.deepEqual(readEvent("delta", { text: "Hi" }), { type: "delta", text: "Hi" });
  assert.deepEqual(readEvent("delta", { content: "Hi" }), { type: "delta", text: "Hi" });
  assert.deepEqual(readEvent("delta", { delta: 5 }), { type: "delta", text: "5" });
  assert.deepEqual(readEvent("delta", "not an object"), { type: "delta", text: "" });
  assert.deepEqual(readEvent("tool_started", { tool_call_id: "t1", name: "list_locations" }), { type: "tool_started", id: "t1", name: "list_locations" });
  assert.deepEqual(readEvent("tool_started", { id: "t2", tool: "find_location" }), { type: "tool_started", id: "t2", name: "find_location" });
  assert.equal(readEvent("heartbeat", {}), null);
  assert.equal(readEvent("something_new", {}), null);
  assert.deepEqual(readEvent("message_end", {}), { type: "end" });
});

test("tool progress is a fraction, from a percent or a fraction", () => {
  assert.equal(readEvent("tool_progress", { id: "t", percent: 40 }).fraction, 0.4);
  assert.equal(readEvent("tool_progress", { id: "t", progress: 0.25 }).fraction, 0.25);
  assert.ok(Number.isNaN(readEvent("tool_progress", { id: "t" }).fraction)); // the bar stays as it was
  assert.equal(readEvent("tool_progress", { stage: "Rendering" }).message, "Rendering");
});

test("a tool result is failed when the server says so in any of its ways", () => {
  const ok = readEvent("tool_result", { id: "t", summary: "2 PDFs", files: [{ id: "f" }] });
  assert.deepEqual([ok.ok, ok.summary, ok.cards], [true, "2 PDFs", [{ id: "f" }]]);
  assert.equal(readEvent("tool_result", { ok: false }).ok, false);
  assert.equal(readEvent("tool_result", { is_error: true }).ok, false);
  const failed = readEvent("tool_result", { error: "No such location" });
  assert.deepEqual([failed.ok, failed.summary, failed.cards], [false, "No such location", []]);
  assert.deepEqual(readEvent("tool_result", { file_cards: [1] }).cards, [1]);
  assert.deepEqual(readEvent("tool_result", { cards: [2] }).cards, [2]);
});

test("an error event carries its message, or a generic one", () => {
  assert.deepEqual(readEvent("error", { message: "Quota reached" }), { type: "error", message: "Quota reached" });
  assert.match(readEvent("error", {}).message, /could not finish this reply/);
});

function memoryStorage() {
  const items = new Map();
  return {
    getItem: (k) => (items.has(k) ? items.get(k) : null),
    setItem: (k, v) => items.set(k, String(v)),
    removeItem: (k) => items.delete(k),
    items,
  };
}

test("the run followed is remembered across a reload, and forgotten", () => {
  const storage = memoryStorage();
  assert.equal(savedRun(storage), null);
  saveRun({ runId: "r1", conversationId: "c1" }, storage);
  assert.deepEqual(savedRun(storage), { runId: "r1", conversationId: "c1" });
  saveRun(null, storage);
  assert.equal(storage.items.has(RUN_KEY), false);
  storage.setItem(RUN_KEY, "{not json");
  assert.equal(savedRun(storage), null);
});

test("with storage disabled nothing is remembered and nothing throws", () => {
  const fail = () => {
    throw new Error("SecurityError");
  };
  const blocked = { getItem: fail, setItem: fail, removeItem: fail };
  assert.equal(savedRun(blocked), null);
  saveRun({ runId: "r" }, blocked);
  saveRun(null, blocked);
  // Node has no sessionStorage at all: the default store fails the same quiet way.
  assert.equal(savedRun(), null);
  saveRun({ runId: "r" });
});

test("file cards accept both shapes and never link to javascript: or other sites' schemes", () => {
  assert.deepEqual(normaliseFile({ file_id: "f1", name: "a.pdf", content_type: "application/pdf", size: 10 }), {
    id: "f1",
    name: "a.pdf",
    type: "application/pdf",
    size: 10,
    download: "/api/files/f1/content",
    preview: null,
  });
  const meta = normaliseFile({ id: 7, original_name: "b.png", kind: "png", download_url: "https://s3.example/b.png", preview_url: "/p/7" });
  assert.deepEqual([meta.id, meta.name, meta.type, meta.download, meta.preview], ["7", "b.png", "png", "https://s3.example/b.png", "/p/7"]);
  for (const url of ["javascript:alert(1)", "data:image/png;base64,x", "//evil.example/x", "/\\evil.example"]) {
    const card = normaliseFile({ id: "f 2", download_url: url, preview_url: url });
    assert.equal(card.download, "/api/files/f%202/content", url);
    assert.equal(card.preview, null, url);
  }
  assert.equal(normaliseFile({ name: "no id" }), null);
  assert.equal(normaliseFile("f1"), null);
});

test("tools have a readable label, known or derived from their name", () => {
  assert.equal(toolLabel("create_separate_proposals"), "Creating proposals");
  assert.equal(toolLabel("export_costs"), "Export costs");
  assert.equal(toolLabel(""), "Working");
});

test("a produced proposal in a tool result can be shared from its card", () => {
  const data = { id: "p1", client_name: "Nike", root_id: "p1", locations: [] };
  assert.deepEqual(readEvent("tool_result", { id: "t", data }).proposal, { id: "p1", client_name: "Nike" });
  assert.equal(readEvent("tool_result", { id: "t", data: { share_id: "s" } }).proposal, null);
  assert.equal(readEvent("tool_result", { id: "t" }).proposal, null);
});
