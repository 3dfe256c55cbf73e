// Edits a list of role assignments; company roles (HoS, coordinator, finance) need a company.
import { api } from "./api.js";
import { h, select, uid } from "./dom.js";
import { isCompanyRole, roleChoices, roleName } from "./meta.js";

/** Company codes seen on existing accounts (the admin's user list). */
export async function knownCompanies() {
  try {
    const users = await api.get("/api/users");
    const codes = new Set();
    users.forEach((u) => u.roles.forEach((r) => r.company && codes.add(r.company)));
    return [...codes].sort();
  } catch {
    return [];
  }
}

/** rolesEditor(initial, companies) → {element, value(), validate()} */
export function rolesEditor(initial, companies) {
  const rows = h("div", { class: "role-rows" });
  const listId = uid("companies");
  const datalist = h("datalist", { id: listId }, companies.map((c) => h("option", { value: c })));

  const addRow = (role = "sales_person", company = "") => {
    const roleSelect = select("role", roleChoices(), role, { "aria-label": "Role" });
    const companyInput = h("input", { name: "company", value: company || "", list: listId, placeholder: "company", "aria-label": "Company", maxlength: 40 });
    const sync = () => {
      const needs = isCompanyRole(roleSelect.value);
      companyInput.disabled = !needs;
      companyInput.required = needs;
      if (!needs) companyInput.value = "";
      else if (!companyInput.value && companies.length === 1) companyInput.value = companies[0];
    };
    roleSelect.addEventListener("change", sync);
    const remove = h("button", { type: "button", class: "icon-btn", "aria-label": "Remove this role" }, "×");
    const row = h("div", { class: "role-row" }, roleSelect, companyInput, remove);
    remove.addEventListener("click", () => {
      if (rows.children.length > 1) row.remove();
    });
    rows.append(row);
    sync();
  };

  (initial.length ? initial : [{ role: "sales_person" }]).forEach((r) => addRow(r.role, r.company));
  const add = h("button", { type: "button", class: "btn btn-small" }, "Add a role");
  add.addEventListener("click", () => addRow("sales_person", ""));

  const value = () =>
    [...rows.querySelectorAll(".role-row")].map((row) => {
      const role = row.querySelector('select[name="role"]').value;
      const company = row.querySelector('input[name="company"]').value.trim();
      return { role, company: isCompanyRole(role) ? company || null : null };
    });

  /** A message when a company role lacks its company, else null. */
  const validate = () => {
    const missing = value().find((r) => isCompanyRole(r.role) && !r.company);
    return missing ? `Choose the company for the ${roleName(missing.role)} role.` : null;
  };

  const element = h("fieldset", { class: "roles-editor" }, h("legend", {}, "Roles"), rows, datalist, add);
  return { element, value, validate };
}
