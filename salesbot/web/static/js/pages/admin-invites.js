// Admin: invite people by e-mail with their roles; the link is shown once; pending invites can be revoked.
import { ApiError, api } from "../api.js";
import { field, formatDate, h, replace } from "../dom.js";
import { roleLabel } from "../meta.js";
import { knownCompanies, rolesEditor } from "../roles-editor.js";
import { busy, clearErrors, confirmDialog, copyText, emptyState, openDialog, reportError, showFormError, toast } from "../ui.js";

const STATUS_BADGE = { pending: "badge-warn", accepted: "badge-ok", revoked: "badge-muted", expired: "badge-muted" };
const STATUS_LABEL = { pending: "Pending", accepted: "Accepted", revoked: "Revoked", expired: "Expired" };

function showLink(created) {
  const link = h("code", { class: "secret", id: "invite-link" }, created.link);
  const copy = h("button", { type: "button", class: "btn" }, "Copy link");
  copy.addEventListener("click", () => copyText(created.link, copy));
  const done = h("button", { type: "button", class: "btn btn-primary" }, "Done");
  const { close } = openDialog({
    title: "Invitation created",
    body: [
      h("p", {}, `Send this link to ${created.email}. It is shown only once and works until ${formatDate(created.expires_at)}.`),
      h("div", { class: "secret-row" }, link, copy),
    ],
    actions: [done],
  });
  done.addEventListener("click", () => close(null));
}

export async function render({ main }) {
  const list = h("div", {});
  const companies = await knownCompanies();
  const email = field({ label: "E-mail", name: "email", type: "email", required: true, attrs: { maxlength: 320, autocomplete: "off" } });
  const days = field({ label: "Link valid for (days)", name: "days", type: "number", value: "7", hint: "Between 1 and 30 days.", attrs: { min: 1, max: 30 } });
  const roles = rolesEditor([{ role: "sales_person" }], companies);
  const submit = h("button", { type: "submit", class: "btn btn-primary" }, "Create invitation");
  const form = h(
    "form",
    { class: "form", novalidate: true, "aria-label": "New invitation" },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "row" }, email.wrap, days.wrap),
    roles.element,
    submit,
  );

  const load = async () => {
    try {
      const invites = await api.get("/api/invites");
      if (!invites.length) {
        replace(list, emptyState("No invitations yet.", "Invite a colleague with the form above."));
        return;
      }
      replace(
        list,
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "table", "aria-label": "Invitations" },
            h("thead", {}, h("tr", {}, ["E-mail", "Roles", "Created", "Expires", "Status", ""].map((c) => h("th", { scope: "col" }, c)))),
            h(
              "tbody",
              {},
              invites.map((inv) => {
                let action = null;
                if (inv.status === "pending") {
                  action = h("button", { type: "button", class: "btn btn-small btn-danger-quiet", "aria-label": `Revoke the invitation for ${inv.email}` }, "Revoke");
                  action.addEventListener("click", async () => {
                    const ok = await confirmDialog({ title: "Revoke this invitation?", message: `The link sent to ${inv.email} will stop working.`, confirmLabel: "Revoke", danger: true });
                    if (!ok) return;
                    try {
                      await api.del(`/api/invites/${inv.id}`);
                      toast("The invitation was revoked.");
                      await load();
                    } catch (err) {
                      reportError(err);
                    }
                  });
                }
                return h(
                  "tr",
                  { dataset: { email: inv.email } },
                  h("td", {}, inv.email),
                  h("td", {}, inv.roles.map(roleLabel).join(", ")),
                  h("td", {}, formatDate(inv.created_at)),
                  h("td", {}, formatDate(inv.expires_at)),
                  h("td", {}, h("span", { class: `badge ${STATUS_BADGE[inv.status] || ""}` }, STATUS_LABEL[inv.status] || inv.status)),
                  h("td", {}, action),
                );
              }),
            ),
          ),
        ),
      );
    } catch (err) {
      reportError(err, list);
    }
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const problem = roles.validate();
    if (!email.input.value.trim()) {
      showFormError(form, new ApiError(422, "validation_failed", "Please enter the e-mail address.", [{ field: "email", message: "Required." }]));
      return;
    }
    if (problem) {
      showFormError(form, new ApiError(422, "validation_failed", problem));
      return;
    }
    await busy(submit, async () => {
      try {
        const created = await api.post("/api/invites", { email: email.input.value.trim(), roles: roles.value(), days: Number(days.input.value) || 7 });
        email.input.value = "";
        showLink(created);
        await load();
      } catch (err) {
        showFormError(form, err);
      }
    });
  });

  replace(
    main,
    h("header", { class: "page-head" }, h("h1", {}, "Invitations")),
    h("section", { class: "card", "aria-labelledby": "new-invite-title" }, h("h2", { id: "new-invite-title" }, "Invite someone"), form),
    h("section", { class: "card", "aria-labelledby": "invites-title" }, h("h2", { id: "invites-title" }, "Sent invitations"), list),
  );
  await load();
  return null;
}
