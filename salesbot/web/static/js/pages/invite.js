// Accepting an invitation: choose a name and password; the account is created server-side.
import { ApiError, api, noteSession } from "../api.js";
import { field, h, replace } from "../dom.js";
import { minPasswordLength } from "../meta.js";
import { busy, clearErrors, showFormError } from "../ui.js";

function tokenFromAddress(query) {
  // The link puts the token in the fragment (never sent to servers); ?token= works too.
  const fromHash = new URLSearchParams(location.hash.replace(/^#/, "")).get("token");
  return (fromHash || query.get("token") || "").trim();
}

export async function render({ main, query }) {
  const token = tokenFromAddress(query);
  const card = h("section", { class: "card auth-card", "aria-labelledby": "invite-title" });
  replace(main, card);
  const brand = h("div", { class: "auth-brand" }, h("img", { src: "/static/favicon.svg", alt: "", width: 32, height: 32 }), h("span", {}, "Sales Proposal Bot"));
  if (!token) {
    replace(
      card,
      brand,
      h("h1", { id: "invite-title" }, "Accept invitation"),
      h("p", { class: "inline-error", role: "alert" }, "This invitation link is incomplete. Open the full link from your invitation, or ask an admin for a new one."),
      h("a", { href: "/login", class: "btn" }, "Go to sign-in"),
    );
    return null;
  }
  const minPassword = minPasswordLength();
  const name = field({ label: "Your name", name: "name", required: true, attrs: { autocomplete: "name", maxlength: 200 } });
  const password = field({
    label: "Choose a password",
    name: "password",
    type: "password",
    required: true,
    hint: `At least ${minPassword} characters.`,
    attrs: { autocomplete: "new-password", minlength: minPassword, maxlength: 256 },
  });
  const confirm = field({ label: "Repeat the password", name: "confirm", type: "password", required: true, attrs: { autocomplete: "new-password" } });
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-block" }, "Create my account");
  const form = h("form", { class: "form", novalidate: true }, h("p", { class: "form-error", role: "alert", hidden: true }), name.wrap, password.wrap, confirm.wrap, submit);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const problems = [];
    if (!name.input.value.trim()) problems.push({ field: "name", message: "Please enter your name." });
    if (password.input.value.length < minPassword) problems.push({ field: "password", message: `Use at least ${minPassword} characters.` });
    else if (password.input.value !== confirm.input.value) problems.push({ field: "confirm", message: "The two passwords are not the same." });
    if (problems.length) {
      showFormError(form, new ApiError(422, "validation_failed", "Please check the highlighted fields.", problems));
      return;
    }
    await busy(submit, async () => {
      submit.textContent = "Creating your account…";
      try {
        const accepted = await api.post("/api/invites/accept", { token, name: name.input.value.trim(), password: password.input.value }, { auth: false });
        try {
          const tokens = await api.post("/api/auth/login", { email: accepted.email, password: password.input.value }, { auth: false });
          noteSession(tokens.expires_in);
          location.replace("/");
        } catch {
          location.replace("/login");
        }
      } catch (err) {
        showFormError(form, err);
      }
    });
  });

  replace(
    card,
    brand,
    h("h1", { id: "invite-title" }, "Accept invitation"),
    h("p", { class: "muted" }, "You have been invited to Sales Proposal Bot. Choose your name and a password to finish."),
    form,
  );
  name.input.focus();
  return null;
}
