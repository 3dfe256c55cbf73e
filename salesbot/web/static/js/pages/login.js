// Sign-in: e-mail and password, then the authenticator code when two-step sign-in is on; clear
// messages for wrong credentials and rate limiting.
import { ApiError, api, currentUser, noteSession, safeNext } from "../api.js";
import { field, h, replace } from "../dom.js";
import { busy, clearErrors, showFormError } from "../ui.js";

export async function render({ main, query }) {
  const next = safeNext(query.get("next") || "/");
  const user = await currentUser();
  if (user) {
    location.replace(next);
    return null;
  }
  const email = field({ label: "E-mail", name: "email", type: "email", required: true, attrs: { autocomplete: "username" } });
  const password = field({ label: "Password", name: "password", type: "password", required: true, attrs: { autocomplete: "current-password" } });
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-block" }, "Sign in");
  const errorBox = h("p", { class: "form-error", role: "alert", hidden: true });
  const form = h("form", { class: "form", novalidate: true }, errorBox, email.wrap, password.wrap, submit);
  let timer = null;

  const lockFor = (seconds) => {
    let left = seconds;
    submit.disabled = true;
    const tick = () => {
      errorBox.textContent = `Too many attempts. Please wait a moment and try again (${left} s).`;
      if (left <= 0) {
        clearInterval(timer);
        submit.disabled = false;
        errorBox.textContent = "You can try again now.";
      }
      left -= 1;
    };
    tick();
    timer = setInterval(tick, 1000);
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!email.input.value.trim() || !password.input.value) {
      showFormError(form, new ApiError(422, "validation_failed", "Please enter your e-mail and password."));
      (email.input.value.trim() ? password.input : email.input).focus();
      return;
    }
    await busy(submit, async () => {
      submit.textContent = "Signing in…";
      try {
        const tokens = await api.post("/api/auth/login", { email: email.input.value.trim(), password: password.input.value }, { auth: false });
        noteSession(tokens.expires_in);
        location.replace(next);
      } catch (err) {
        password.input.value = "";
        if (err instanceof ApiError && err.code === "mfa_required" && err.details && err.details.mfa_token) {
          askForCode(err.details.mfa_token);
          return;
        }
        showFormError(form, err);
        if (err instanceof ApiError && err.status === 429) {
          const wait = Number(err.details && err.details.retry_after_s) || 60;
          setTimeout(() => lockFor(wait), 0);
        }
        password.input.focus();
      }
    });
  });

  const askForCode = (mfaToken) => {
    const code = field({
      label: "Code from your authenticator app",
      name: "code",
      required: true,
      hint: "6 digits, or one of your recovery codes.",
      attrs: { autocomplete: "one-time-code", inputmode: "numeric", maxlength: 40 },
    });
    const remember = h("input", { type: "checkbox", id: "mfa-remember", name: "remember" });
    const verify = h("button", { type: "submit", class: "btn btn-primary btn-block" }, "Verify");
    const codeError = h("p", { class: "form-error", role: "alert", hidden: true });
    const codeForm = h(
      "form",
      { class: "form", novalidate: true, "aria-label": "Two-step sign-in" },
      codeError,
      code.wrap,
      h("label", { class: "check", for: "mfa-remember" }, remember, "Don't ask again on this browser for 30 days"),
      verify,
    );
    codeForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(codeForm);
      await busy(verify, async () => {
        try {
          const tokens = await api.post("/api/auth/mfa", { mfa_token: mfaToken, code: code.input.value.trim(), remember: remember.checked }, { auth: false });
          noteSession(tokens.expires_in);
          location.replace(next);
        } catch (err) {
          code.input.value = "";
          if (err instanceof ApiError && err.code === "mfa_expired") {
            form.hidden = false;
            codeForm.remove();
            showFormError(form, err);
            password.input.focus();
            return;
          }
          showFormError(codeForm, err);
          code.input.focus();
        }
      });
    });
    form.hidden = true;
    form.after(codeForm);
    code.input.focus();
  };

  replace(
    main,
    h(
      "section",
      { class: "card auth-card", "aria-labelledby": "login-title" },
      h("div", { class: "auth-brand" }, h("img", { src: "/static/favicon.svg", alt: "", width: 32, height: 32 }), h("span", {}, "Sales Proposal Bot")),
      h("h1", { id: "login-title" }, "Sign in"),
      next !== "/" ? h("p", { class: "muted" }, "Sign in to continue where you were.") : null,
      form,
      h("p", { class: "muted small" }, "No account yet? Ask an admin for an invitation."),
    ),
  );
  email.input.focus();
  return () => clearInterval(timer);
}
