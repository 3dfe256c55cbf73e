// Role labels come from the server (GET /api/meta, built from users/roles.ROLE_LABELS): the UI
// keeps no copy of them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

// The /api/meta roles as the server sends them (tests/api/commercial/test_meta.py checks them).
const META = {
  timezone: "Asia/Dubai",
  roles: [
    { name: "admin", label: "Admin", company_scoped: false },
    { name: "hos", label: "Head of sales", company_scoped: true },
    { name: "coordinator", label: "Coordinator", company_scoped: true },
    { name: "finance", label: "Finance", company_scoped: true },
    { name: "sales_person", label: "Sales person", company_scoped: false },
    { name: "viewer", label: "Read-only", company_scoped: false },
  ],
};

const requested = [];
globalThis.fetch = async (url) => {
  requested.push(url);
  return new Response(JSON.stringify(META), { status: 200, headers: { "content-type": "application/json" } });
};

const meta = await import("../../salesbot/web/static/js/meta.js");

test("before /api/meta has loaded a role reads as its own name", () => {
  assert.equal(meta.roleName("hos"), "hos");
  assert.equal(meta.roleLabel({ role: "hos", company: "viola" }), "hos · viola");
  assert.equal(meta.isCompanyRole("hos"), false);
});

test("role labels, pickers and company roles follow the server's answer", async () => {
  await meta.loadMeta();
  assert.deepEqual(requested, ["/api/meta"]);
  assert.equal(meta.roleName("hos"), "Head of sales");
  // A label the server changes is what the UI shows: nothing is copied into the client.
  assert.equal(meta.roleName("viewer"), "Read-only");
  assert.equal(meta.roleLabel({ role: "coordinator", company: "backlite" }), "Coordinator · backlite");
  assert.equal(meta.roleLabel({ role: "sales_person", company: null }), "Sales person");
  assert.equal(meta.roleName("auditor"), "auditor"); // unknown roles are shown as they are
  assert.deepEqual(meta.roleChoices(), META.roles.map((r) => [r.name, r.label]));
  assert.deepEqual(
    META.roles.map((r) => r.name).filter(meta.isCompanyRole),
    ["hos", "coordinator", "finance"],
  );
});

test("no script keeps its own table of role labels", () => {
  for (const file of ["dom.js", "roles-editor.js", "pages/admin-users.js", "pages/admin-invites.js", "pages/settings.js", "pages/home.js"]) {
    const source = readFileSync(new URL(`../../salesbot/web/static/js/${file}`, import.meta.url), "utf8");
    assert.doesNotMatch(source, /ROLE_NAMES|COMPANY_ROLES|"Head of sales"/, file);
  }
});
