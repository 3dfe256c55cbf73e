// The proposal form's render progress: its id and the line it shows for each snapshot.
import assert from "node:assert/strict";
import { test } from "node:test";

import { newRenderId, progressLabel } from "../../salesbot/web/static/js/render-progress.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("a render id is a UUID v4, also without crypto.randomUUID", () => {
  assert.match(newRenderId(), UUID);
  const noRandomUuid = { getRandomValues: (bytes) => globalThis.crypto.getRandomValues(bytes) };
  const made = newRenderId(noRandomUuid);
  assert.match(made, UUID);
  assert.notEqual(made, newRenderId(noRandomUuid));
});

test("the form shows the latest step with its percentage until the job ends", () => {
  assert.equal(progressLabel({ status: "queued", percent: 0, message: "Waiting for a worker" }), "Waiting for a worker (0%)");
  assert.equal(progressLabel({ status: "running", percent: 35, message: "Rendering slides 1/2…" }), "Rendering slides 1/2… (35%)");
  assert.equal(progressLabel({ status: "done", percent: 100, message: "Done" }), "");
  assert.equal(progressLabel({ status: "failed", percent: 15, message: "Unknown location" }), "");
  assert.equal(progressLabel(null), "");
});
