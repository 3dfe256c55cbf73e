// Admin: every account, with name, roles and activation editable.
import { ApiError, api } from "../api.js";
import { field, formatDateTime, h, replace } from "../dom.js";
import { roleLabel, roleName } from "../meta.js";
import { rolesEditor } from "../roles-editor.js";
import { busy, clearErrors, confirmDialog, emptyState, openDialog, reportError, showFormError, toast } from "../ui.js";

function companiesOf(users) {
  const codes = new Set();
  users.forEach((u) => u.roles.forEach((r) => r.company && codes.add(r.company)));
  return [...codes].sort();
}

function editUser(target, companies, onSaved) {
  const name = field({ label: "Name", name: "name", value: target.name, required: true, attrs: { maxlength: 200 } });
  const active = h("input", { type: "checkbox", id: "user-active", name: "is_active", checked: target.is_active });
  const roles = rolesEditor(target.roles, companies);
  const save = h("button", { type: "submit", class: "btn btn-primary" }, "Save changes");
  const cancel = h("button", { type: "button", class: "btn" }, "Cancel");
  const form = h(
    "form",
    { class: "form", novalidate: true },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("p", { class: "muted" }, target.email),
    name.wrap,
    h("label", { class: "check", for: "user-active" }, active, "Active (may sign in)"),
    roles.element,
    h("div", { class: "form-actions" }, cancel, save),
  );
  const { close } = openDialog({ title: `Edit ${target.name}`, body: form });
  cancel.addEventListener("click", () => close(null));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const problem = roles.validate();
    if (problem) {
      showFormError(form, new ApiError(422, "validation_failed", problem));
      return;
    }
    await busy(save, async () => {
      try {
        const updated = await api.patch(`/api/users/${target.id}`, {
          name: name.input.value.trim(),
          is_active: active.checked,
          roles: roles.value(),
        });
        close(null);
        toast(`Saved ${updated.name}.`);
        onSaved();
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
}

// Roles an admin marks as needing two-step sign-in (audited); until then the server's setting.
async function mfaPanel() {
  const panel = h("section", { class: "card", "aria-labelledby": "mfa-roles-title" });
  let policy;
  try {
    policy = await api.get("/api/settings/mfa-roles");
  } catch (err) {
    reportError(err, panel);
    return panel;
  }
  const boxes = policy.roles.map((role) => {
    const id = `mfa-role-${role}`;
    const box = h("input", { type: "checkbox", id, name: "required_roles", value: role, checked: policy.required_roles.includes(role) });
    return { role, box, label: h("label", { class: "check", for: id }, box, roleName(role)) };
  });
  const save = h("button", { type: "submit", class: "btn btn-primary" }, "Save two-step sign-in rule");
  const note = h("p", { class: "muted", id: "mfa-roles-source" }, policy.source === "default" ? "Using the server's default until you save a choice here." : `Last changed ${formatDateTime(policy.updated_at)}.`);
  const form = h(
    "form",
    { class: "form", novalidate: true },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("fieldset", {}, h("legend", {}, "Roles that must use two-step sign-in"), boxes.map((b) => b.label)),
    note,
    h("div", { class: "form-actions" }, save),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    await busy(save, async () => {
      try {
        const saved = await api.put("/api/settings/mfa-roles", { required_roles: boxes.filter((b) => b.box.checked).map((b) => b.role) });
        note.textContent = `Last changed ${formatDateTime(saved.updated_at)}.`;
        toast("Saved. People with these roles set up two-step sign-in at their next sign-in.");
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
  replace(
    panel,
    h("h2", { id: "mfa-roles-title" }, "Two-step sign-in"),
    h("p", { class: "muted" }, "Someone holding a marked role who has not set up an authenticator app is taken to Settings to set it up, and can use nothing else until then."),
    form,
  );
  return panel;
}

export async function render({ main, user }) {
  const search = h("input", { type: "search", id: "user-filter", placeholder: "Filter by name, e-mail or role", "aria-label": "Filter users" });
  const body = h("div", { class: "users-body" });
  let users = [];

  const paint = () => {
    const q = search.value.trim().toLowerCase();
    const shown = users.filter((u) => !q || `${u.name} ${u.email} ${u.roles.map(roleLabel).join(" ")}`.toLowerCase().includes(q));
    if (!shown.length) {
      replace(body, emptyState(q ? "No user matches the filter." : "There are no users yet.", q ? "Clear the filter to see everyone." : "Invite someone from the Invitations page."));
      return;
    }
    const companies = companiesOf(users);
    replace(
      body,
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "table", "aria-label": "Users" },
          h("thead", {}, h("tr", {}, ["Name", "E-mail", "Roles", "Status", "Last sign-in", ""].map((c) => h("th", { scope: "col" }, c)))),
          h(
            "tbody",
            {},
            shown.map((u) => {
              const edit = h("button", { type: "button", class: "btn btn-small", "aria-label": `Edit ${u.name}` }, "Edit");
              edit.addEventListener("click", () => editUser(u, companies, load));
              const toggle = h("button", { type: "button", class: "btn btn-small btn-quiet", disabled: u.id === user.id }, u.is_active ? "Deactivate" : "Activate");
              toggle.setAttribute("aria-label", `${u.is_active ? "Deactivate" : "Activate"} ${u.name}`);
              toggle.addEventListener("click", () =>
                busy(toggle, async () => {
                  try {
                    await api.patch(`/api/users/${u.id}`, { is_active: !u.is_active });
                    toast(`${u.name} is now ${u.is_active ? "deactivated" : "active"}.`);
                    await load();
                  } catch (err) {
                    reportError(err);
                  }
                }),
              );
              const signOut = h("button", { type: "button", class: "btn btn-small btn-quiet", "aria-label": `Sign out ${u.name} everywhere` }, "Sign out everywhere");
              signOut.addEventListener("click", async () => {
                const ok = await confirmDialog({
                  title: "Sign out everywhere?",
                  message: `${u.name} will be signed out on every device at once. API keys keep working; revoke them separately.`,
                  confirmLabel: "Sign out",
                  danger: true,
                });
                if (!ok) return;
                try {
                  await api.del(`/api/users/${u.id}/sessions`);
                  toast(`${u.name} was signed out everywhere.`);
                } catch (err) {
                  reportError(err);
                }
              });
              return h(
                "tr",
                { dataset: { email: u.email } },
                h("td", {}, u.name),
                h("td", {}, u.email),
                h("td", {}, h("ul", { class: "chips" }, u.roles.map((r) => h("li", { class: "chip" }, roleLabel(r))))),
                h("td", {}, h("span", { class: `badge ${u.is_active ? "badge-ok" : "badge-muted"}` }, u.is_active ? "Active" : "Deactivated")),
                h("td", { class: "nowrap" }, u.last_login_at ? formatDateTime(u.last_login_at) : "Never"),
                h("td", { class: "actions" }, edit, toggle, signOut),
              );
            }),
          ),
        ),
      ),
    );
  };

  async function load() {
    try {
      users = await api.get("/api/users");
      paint();
    } catch (err) {
      reportError(err, body);
    }
  }

  search.addEventListener("input", paint);
  replace(
    main,
    h("header", { class: "page-head" }, h("h1", {}, "Users"), h("a", { href: "/admin/invites", class: "btn btn-primary" }, "Invite someone")),
    h("div", { class: "toolbar" }, search),
    body,
  );
  await load();
  main.append(await mfaPanel());
  return null;
}
