// Admin: data lifecycle — retention policies per company, legal holds, and erasing a person
// (with a typed confirmation: the person's e-mail address).
import { api } from "../api.js";
import { field, formatDateTime, h, replace, select } from "../dom.js";
import { busy, clearErrors, confirmDialog, emptyState, reportError, showFormError, toast } from "../ui.js";

const PERIODS = [
  ["archive_idle_days", "Archive idle conversations after (days)"],
  ["purge_deleted_days", "Delete deleted items after (days)"],
  ["orphan_upload_days", "Delete unused files after (days)"],
  ["business_record_years", "Keep business records (years)"],
];

function policyRow(policy, onSaved) {
  const inputs = PERIODS.map(([name, label]) =>
    h("input", {
      name,
      type: "number",
      min: name === "business_record_years" ? 1 : 0,
      value: policy.configured[name] ?? "",
      placeholder: String(policy.effective[name]),
      "aria-label": `${label} for ${policy.company}`,
      disabled: policy.company_id === null,
    }),
  );
  const save = h("button", { type: "button", class: "btn btn-small" }, "Save");
  save.addEventListener("click", () =>
    busy(save, async () => {
      const body = Object.fromEntries(inputs.map((input) => [input.name, input.value === "" ? null : Number(input.value)]));
      try {
        await api.put(`/api/retention/policies/${policy.company_id}`, body);
        toast(`Retention for ${policy.company} saved.`, { kind: "ok" });
        onSaved();
      } catch (err) {
        reportError(err);
      }
    }),
  );
  return h("tr", {}, h("th", { scope: "row" }, policy.company_id ? policy.company : "Default (settings)"), inputs.map((i) => h("td", {}, i)), h("td", {}, policy.company_id ? save : null));
}

function policiesCard(companies) {
  const body = h("div", {});
  const preview = h("div", { "aria-live": "polite" });
  const refresh = async () => {
    try {
      const rows = await api.get("/api/retention/policies");
      companies.splice(0, companies.length, ...rows.filter((r) => r.company_id));
      replace(
        body,
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "table" },
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Company"), PERIODS.map(([, label]) => h("th", { scope: "col" }, label)), h("th", { scope: "col" }, ""))),
            h("tbody", {}, rows.map((r) => policyRow(r, refresh))),
          ),
        ),
      );
    } catch (err) {
      reportError(err, body);
    }
  };
  const run = h("button", { type: "button", class: "btn" }, "Preview a run");
  run.addEventListener("click", () =>
    busy(run, async () => {
      try {
        const report = await api.get("/api/retention/preview");
        const counts = Object.entries(report.counts);
        replace(preview, counts.length ? h("ul", {}, counts.map(([kind, n]) => h("li", {}, `${kind.replaceAll("_", " ")}: ${n}`))) : h("p", { class: "muted" }, "A run now would change nothing."));
      } catch (err) {
        reportError(err, preview);
      }
    }),
  );
  refresh();
  return h(
    "section",
    { class: "card", "aria-labelledby": "retention-title" },
    h("h2", { id: "retention-title" }, "Retention"),
    h("p", { class: "muted" }, "Empty fields use the default; 0 days turns a rule off. Nothing under a legal hold is ever deleted."),
    body,
    h("div", { class: "actions" }, run),
    preview,
  );
}

function holdsCard(users, companies) {
  const list = h("div", {});
  const refresh = async () => {
    try {
      const holds = await api.get("/api/legal-holds");
      if (!holds.length) {
        replace(list, emptyState("No legal holds.", "Place one below to stop every purge of what it covers."));
        return;
      }
      replace(
        list,
        h(
          "ul",
          { class: "plain-list" },
          holds.map((hold) => {
            const release = h("button", { type: "button", class: "btn btn-small btn-danger-quiet" }, "Release");
            release.addEventListener("click", async () => {
              const ok = await confirmDialog({ title: "Release this hold?", message: "Retention may then delete what it covered.", confirmLabel: "Release", danger: true });
              if (!ok) return;
              try {
                await api.del(`/api/legal-holds/${hold.id}`);
                await refresh();
              } catch (err) {
                reportError(err);
              }
            });
            const who = hold.scope === "user" ? users.find((u) => u.id === hold.target_id)?.email : companies.find((c) => c.company_id === hold.target_id)?.company;
            return h("li", {}, h("strong", {}, `${hold.scope}: ${who || hold.target_id}`), ` — ${hold.reason} (since ${formatDateTime(hold.created_at)}) `, release);
          }),
        ),
      );
    } catch (err) {
      reportError(err, list);
    }
  };
  const scope = select("scope", [["user", "A person"], ["company", "A company"], ["conversation", "A conversation (its id)"]], "user");
  const target = field({ label: "Person, company or conversation id", name: "target", required: true, hint: "An e-mail address, a company code, or a conversation id." });
  const reason = field({ label: "Reason", name: "reason", required: true, attrs: { maxlength: 500 } });
  const submit = h("button", { type: "submit", class: "btn btn-primary" }, "Place hold");
  const form = h("form", { class: "form", novalidate: true, "aria-label": "New legal hold" }, h("p", { class: "form-error", role: "alert", hidden: true }), field({ label: "Hold on", name: "scope", control: scope }).wrap, target.wrap, reason.wrap, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const wanted = target.input.value.trim();
    const id =
      scope.value === "user" ? users.find((u) => u.email.toLowerCase() === wanted.toLowerCase())?.id : scope.value === "company" ? companies.find((c) => c.company.toLowerCase() === wanted.toLowerCase())?.company_id : wanted;
    await busy(submit, async () => {
      try {
        await api.post("/api/legal-holds", { scope: scope.value, target_id: id || wanted, reason: reason.input.value.trim() });
        form.reset();
        await refresh();
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
  refresh();
  return h("section", { class: "card", "aria-labelledby": "holds-title" }, h("h2", { id: "holds-title" }, "Legal holds"), list, h("h3", {}, "Place a hold"), form);
}

function erasureCard(users) {
  const person = select("user", [["", "Choose a person"], ...users.map((u) => [u.id, `${u.name} <${u.email}>`])], "");
  const reason = field({ label: "Reason (kept in the audit log)", name: "reason", required: true, attrs: { maxlength: 500 } });
  const typed = field({ label: "Type the person's e-mail address to confirm", name: "confirm", required: true, attrs: { autocomplete: "off" } });
  const submit = h("button", { type: "submit", class: "btn btn-danger", disabled: true }, "Erase this person");
  const result = h("div", { "aria-live": "polite" });
  const chosen = () => users.find((u) => u.id === person.value);
  const check = () => {
    const user = chosen();
    submit.disabled = !user || typed.input.value.trim().toLowerCase() !== user.email.toLowerCase() || reason.input.value.trim().length < 3;
  };
  [person, typed.input, reason.input].forEach((el) => el.addEventListener("input", check));
  person.addEventListener("change", check);
  const form = h("form", { class: "form", novalidate: true, "aria-label": "Erase a person" }, h("p", { class: "form-error", role: "alert", hidden: true }), field({ label: "Person", name: "user", control: person }).wrap, reason.wrap, typed.wrap, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const user = chosen();
    if (!user || submit.disabled) return;
    await busy(submit, async () => {
      try {
        const done = await api.del(`/api/users/${user.id}`, { body: { reason: reason.input.value.trim() } });
        const redone = done.documents_reproduced ? ` ${done.documents_reproduced} booking-order documents were produced again under it.` : "";
        const withdrawn = done.documents_withdrawn ? ` ${done.documents_withdrawn} booking orders' documents could not be and were removed; produce them again from each booking order.` : "";
        replace(result, h("p", { class: "ok", id: "erasure-result" }, `Erased. ${done.conversations} conversations, ${done.messages} messages and ${done.files_deleted} files deleted; business records now show “${done.pseudonym}”.${redone}${withdrawn}`));
        users.splice(users.indexOf(user), 1);
        person.querySelector(`option[value="${user.id}"]`)?.remove();
        form.reset();
        check();
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
  return h(
    "section",
    { class: "card", "aria-labelledby": "erase-title" },
    h("h2", { id: "erase-title" }, "Erase a person"),
    h("p", { class: "muted" }, "Deletes their conversations, messages, files, mockups and notifications and ends their sessions. Booking orders and proposals stay, with the name replaced by a pseudonym (approved booking orders' documents are produced again under it). This cannot be undone."),
    form,
    result,
  );
}

export async function render({ main }) {
  const users = await api.get("/api/users");
  const companies = [];
  replace(main, h("header", { class: "page-head" }, h("h1", {}, "Data lifecycle")), h("div", { class: "stack" }, policiesCard(companies), holdsCard(users, companies), erasureCard(users)));
  return null;
}
