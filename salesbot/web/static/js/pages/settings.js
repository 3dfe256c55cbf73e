// Settings: profile, theme, signed-in devices, two-step sign-in, Slack, personal API keys (each key
// shown once, at creation), and the export of everything the person owns ("Download my data").
import { api, forgetSession } from "../api.js";
import { field, formatBytes, formatDate, formatDateTime, h, replace, select } from "../dom.js";
import { minPasswordLength, roleLabel } from "../meta.js";
import { savedTheme, setTheme } from "../theme.js";
import { slackCard } from "./settings-slack.js";
import { busy, clearErrors, confirmDialog, copyText, emptyState, openDialog, reportError, showFormError, toast } from "../ui.js";

function profileCard(user) {
  const rows = [
    ["Name", user.name],
    ["E-mail", user.email],
    ["Roles", user.roles.map(roleLabel).join(", ")],
    ["Signed in with", user.auth_method === "cookie" ? "e-mail and password" : user.auth_method],
  ];
  return h(
    "section",
    { class: "card", "aria-labelledby": "profile-title" },
    h("h2", { id: "profile-title" }, "Profile"),
    h("dl", { class: "facts" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    h("p", { class: "muted small" }, "An admin can change your name and roles."),
  );
}

function themeCard() {
  const control = select(
    "theme",
    [
      ["system", "Same as the system"],
      ["light", "Light"],
      ["dark", "Dark"],
    ],
    savedTheme(),
  );
  control.addEventListener("change", () => setTheme(control.value));
  const { wrap } = field({ label: "Theme", name: "theme", control });
  return h("section", { class: "card", "aria-labelledby": "appearance-title" }, h("h2", { id: "appearance-title" }, "Appearance"), wrap);
}

function passwordCard(user) {
  const current = field({ label: "Current password", name: "current_password", type: "password", required: true, attrs: { autocomplete: "current-password" } });
  const next = field({
    label: "New password",
    name: "new_password",
    type: "password",
    required: true,
    hint: `At least ${minPasswordLength()} characters. You will be asked to sign in again.`,
    attrs: { autocomplete: "new-password", minlength: minPasswordLength() },
  });
  const submit = h("button", { type: "submit", class: "btn btn-primary" }, "Change password");
  const form = h("form", { class: "form", id: "password-form", novalidate: true }, current.wrap, next.wrap, h("div", { class: "actions" }, submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    await busy(submit, async () => {
      try {
        await api.post("/api/me/password", { current_password: current.input.value, new_password: next.input.value });
      } catch (err) {
        showFormError(form, err);
        return;
      }
      forgetSession();
      toast("Password changed. Please sign in with your new password.", { kind: "ok" });
      location.assign("/login");
    });
  });
  const hint =
    user.auth_method === "supabase"
      ? h("p", { class: "muted small" }, "Your account signs in through your organisation; change the password there.")
      : null;
  return h("section", { class: "card", "aria-labelledby": "password-title" }, h("h2", { id: "password-title" }, "Password"), hint || form);
}

function keyStatus(key) {
  if (key.revoked_at) return ["Revoked", "badge-muted"];
  if (new Date(key.expires_at) <= new Date()) return ["Expired", "badge-muted"];
  return ["Active", "badge-ok"];
}

function showNewKey(created) {
  const value = h("code", { class: "secret", id: "new-api-key" }, created.key);
  const copy = h("button", { type: "button", class: "btn" }, "Copy");
  copy.addEventListener("click", () => copyText(created.key, copy));
  const done = h("button", { type: "button", class: "btn btn-primary" }, "I have saved it");
  const { close } = openDialog({
    title: "Your new API key",
    body: [
      h("p", {}, "Copy this key now. For your security it is shown only once; if you lose it, revoke it and create a new one."),
      h("div", { class: "secret-row" }, value, copy),
      h("p", { class: "muted small" }, "Send it in the X-API-Key header."),
    ],
    actions: [done],
  });
  done.addEventListener("click", () => close(null));
}

function apiKeysCard(user) {
  const list = h("div", { class: "keys-list" });
  const refresh = async () => {
    try {
      const keys = await api.get("/api/me/api-keys");
      if (!keys.length) {
        replace(list, emptyState("You have no API keys.", "Create one below to connect another tool to your account."));
        return;
      }
      replace(
        list,
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "table" },
            h("thead", {}, h("tr", {}, ["Name", "Key", "Permissions", "Created", "Expires", "Last used", "Status", ""].map((c) => h("th", { scope: "col" }, c)))),
            h(
              "tbody",
              {},
              keys.map((key) => {
                const [label, cls] = keyStatus(key);
                const revoke = h("button", { type: "button", class: "btn btn-small btn-danger-quiet", "aria-label": `Revoke ${key.name}` }, "Revoke");
                revoke.addEventListener("click", async () => {
                  const ok = await confirmDialog({
                    title: "Revoke this key?",
                    message: `Tools using “${key.name}” will stop working at once.`,
                    confirmLabel: "Revoke",
                    danger: true,
                  });
                  if (!ok) return;
                  try {
                    await api.del(`/api/me/api-keys/${key.id}`);
                    toast("The key was revoked.");
                    await refresh();
                  } catch (err) {
                    reportError(err);
                  }
                });
                return h(
                  "tr",
                  {},
                  h("td", {}, key.name),
                  h("td", {}, h("code", {}, `${key.prefix}…`)),
                  h("td", { class: "small" }, key.scopes.join(", ")),
                  h("td", {}, formatDate(key.created_at)),
                  h("td", {}, formatDate(key.expires_at)),
                  h("td", {}, key.last_used_at ? formatDateTime(key.last_used_at) : "Never"),
                  h("td", {}, h("span", { class: `badge ${cls}` }, label)),
                  h("td", {}, label === "Active" ? revoke : null),
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

  const name = field({ label: "Key name", name: "name", required: true, hint: "What will use it, e.g. “CRM sync”.", attrs: { maxlength: 100 } });
  const days = field({ label: "Valid for (days)", name: "days", type: "number", value: "90", attrs: { min: 1, max: 365 } });
  const scopeBoxes = user.permissions.map((perm) => {
    const id = `scope-${perm.replace(/[^a-z_]/gi, "-")}`;
    return h("label", { class: "check", for: id }, h("input", { type: "checkbox", id, name: "scopes", value: perm, checked: perm.endsWith(":read") }), perm);
  });
  const scopes = h("fieldset", { class: "scopes" }, h("legend", {}, "Permissions"), h("div", { class: "check-grid" }, scopeBoxes));
  const submit = h("button", { type: "submit", class: "btn btn-primary" }, "Create key");
  const form = h("form", { class: "form", novalidate: true, "aria-label": "New API key" }, h("p", { class: "form-error", role: "alert", hidden: true }), h("div", { class: "row" }, name.wrap, days.wrap), scopes, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const chosen = [...form.querySelectorAll('input[name="scopes"]:checked')].map((el) => el.value);
    await busy(submit, async () => {
      try {
        const created = await api.post("/api/me/api-keys", { name: name.input.value.trim(), scopes: chosen, days: Number(days.input.value) || 90 });
        form.reset();
        showNewKey(created);
        await refresh();
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
  refresh();
  return h(
    "section",
    { class: "card", "aria-labelledby": "keys-title" },
    h("h2", { id: "keys-title" }, "API keys"),
    h("p", { class: "muted" }, "Keys let other tools act for you with only the permissions you choose."),
    list,
    h("h3", {}, "Create a key"),
    form,
  );
}

const EXPORT_POLL_MS = 1500;

function exportState(status, shown) {
  if (!shown) return h("p", { class: "muted", id: "export-status" }, "No export yet.");
  if (shown.status === "failed") return h("p", { class: "form-error", role: "alert", id: "export-status" }, shown.error || "The export failed. Please try again.");
  if (shown.status !== "done") {
    return h(
      "div",
      { id: "export-status" },
      h("label", { for: "export-progress" }, shown.status === "queued" ? "Waiting to start…" : `Preparing your data… ${shown.progress} %`),
      h("progress", { id: "export-progress", max: 100, value: shown.progress }),
    );
  }
  if (!shown.download_url) return h("p", { class: "muted", id: "export-status" }, "Your last export has expired. Prepare a new one.");
  return h(
    "p",
    { id: "export-status" },
    h("a", { class: "btn btn-primary", href: shown.download_url, download: "" }, "Download ZIP"),
    " ",
    h("span", { class: "muted small" }, `${formatBytes(shown.size || 0)}, available until ${formatDateTime(shown.expires_at)}`),
  );
}

function dataExportCard() {
  const status = h("div", { "aria-live": "polite" });
  const start = h("button", { type: "button", class: "btn", id: "export-start" }, "Prepare my data");
  let timer = null;
  const show = (shown) => {
    replace(status, exportState(status, shown));
    clearTimeout(timer);
    if (shown && (shown.status === "queued" || shown.status === "running")) {
      timer = setTimeout(() => follow(shown.id), EXPORT_POLL_MS);
    }
  };
  const follow = async (id) => {
    if (!status.isConnected) return; // the page was left
    try {
      show(await api.get(`/api/exports/${id}`));
    } catch (err) {
      reportError(err, status);
    }
  };
  start.addEventListener("click", () =>
    busy(start, async () => {
      try {
        show(await api.post("/api/me/export"));
      } catch (err) {
        reportError(err, status);
      }
    }),
  );
  api.get("/api/me/exports").then((list) => show(list[0] || null), (err) => reportError(err, status));
  return h(
    "section",
    { class: "card", "aria-labelledby": "data-title", id: "data" },
    h("h2", { id: "data-title" }, "Download my data"),
    h("p", { class: "muted" }, "A ZIP with your profile, conversations, files, proposals, mockups, booking orders, notifications and the audit entries about you. We tell you when it is ready; the link works for a few days."),
    status,
    h("div", { class: "actions" }, start),
  );
}

async function signOutDevice(device, refresh) {
  const ok = await confirmDialog({
    title: device.current ? "Sign out here?" : "Sign out this device?",
    message: device.current ? "You will be asked to sign in again here." : `“${device.device}” will be signed out at once.`,
    confirmLabel: "Sign out",
    danger: true,
  });
  if (!ok) return;
  try {
    await api.del(`/api/me/sessions/${device.id}`);
  } catch (err) {
    reportError(err);
    return;
  }
  if (device.current) {
    forgetSession();
    location.assign("/login");
    return;
  }
  toast("The device was signed out.");
  await refresh();
}

function devicesCard() {
  const list = h("div", { class: "devices-list", id: "devices-list" });
  const refresh = async () => {
    try {
      const devices = await api.get("/api/me/sessions");
      if (!devices.length) {
        replace(list, emptyState("No signed-in devices.", "Devices appear here when you sign in with your password."));
        return;
      }
      const rows = devices.map((device) => {
        const out = h("button", { type: "button", class: "btn btn-small btn-danger-quiet", "aria-label": `Sign out ${device.device}` }, "Sign out");
        out.addEventListener("click", () => signOutDevice(device, refresh));
        const name = device.current ? [device.device, " ", h("span", { class: "badge badge-ok" }, "This device")] : device.device;
        return h(
          "tr",
          { "data-session": device.id },
          h("td", {}, name),
          h("td", {}, device.ip || "—"),
          h("td", {}, formatDateTime(device.created_at)),
          h("td", {}, formatDateTime(device.last_seen_at)),
          h("td", {}, out),
        );
      });
      replace(
        list,
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "table" },
            h("thead", {}, h("tr", {}, ["Device", "IP address", "Signed in", "Last seen", ""].map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", {}, rows),
          ),
        ),
      );
    } catch (err) {
      reportError(err, list);
    }
  };
  refresh();
  return h(
    "section",
    { class: "card", "aria-labelledby": "devices-title" },
    h("h2", { id: "devices-title" }, "Signed-in devices"),
    h("p", { class: "muted" }, "Where your account is signed in. Signing a device out takes effect at once. “Last seen” updates about every 15 minutes while a device is in use."),
    list,
  );
}

function showRecoveryCodes(codes) {
  const done = h("button", { type: "button", class: "btn btn-primary" }, "I have saved them");
  const copy = h("button", { type: "button", class: "btn" }, "Copy");
  copy.addEventListener("click", () => copyText(codes.join("\n"), copy));
  const { close } = openDialog({
    title: "Your recovery codes",
    body: [
      h("p", {}, "If you lose your phone, each of these codes signs you in once instead of a code from the app. Keep them somewhere safe: they are shown only now."),
      h("ul", { class: "recovery-codes", id: "recovery-codes" }, codes.map((c) => h("li", {}, h("code", {}, c)))),
      h("div", { class: "secret-row" }, copy),
    ],
    actions: [done],
  });
  done.addEventListener("click", () => close(null));
}

function mfaCard(user) {
  const body = h("div", { id: "mfa-body" });
  const codeField = (label) => field({ label, name: "code", required: true, attrs: { autocomplete: "one-time-code", inputmode: "numeric", maxlength: 40 } });

  const showOn = (status) => {
    const code = codeField("Current code (or a recovery code)");
    const off = h("button", { type: "submit", class: "btn btn-danger-quiet" }, "Turn off");
    const form = h("form", { class: "form", novalidate: true, "aria-label": "Turn off two-step sign-in" }, h("p", { class: "form-error", role: "alert", hidden: true }), code.wrap, off);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      await busy(off, async () => {
        try {
          await api.post("/api/me/mfa/disable", { code: code.input.value.trim() });
          toast("Two-step sign-in is off.");
          await load();
        } catch (err) {
          showFormError(form, err);
        }
      });
    });
    replace(body, h("p", {}, h("span", { class: "badge badge-ok" }, "On"), ` ${status.recovery_codes_left} recovery codes left.`), form);
  };

  const showSetup = (setup) => {
    const code = codeField("Code shown in the app");
    const on = h("button", { type: "submit", class: "btn btn-primary" }, "Turn on");
    const form = h("form", { class: "form", novalidate: true, "aria-label": "Turn on two-step sign-in" }, h("p", { class: "form-error", role: "alert", hidden: true }), code.wrap, on);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      await busy(on, async () => {
        try {
          const made = await api.post("/api/me/mfa/enable", { code: code.input.value.trim() });
          document.getElementById("mfa-required")?.remove(); // the rest of the app answers now
          showRecoveryCodes(made.recovery_codes);
          await load();
        } catch (err) {
          showFormError(form, err);
        }
      });
    });
    replace(
      body,
      h("p", {}, "Scan this QR code with an authenticator app (Google Authenticator, Microsoft Authenticator, 1Password…), then enter the code it shows."),
      h("img", { src: setup.qr_svg_data_uri, alt: "QR code for your authenticator app", class: "mfa-qr", width: 180, height: 180 }),
      h("p", { class: "muted small" }, "Cannot scan? Enter this key instead: ", h("code", { id: "mfa-secret" }, setup.secret)),
      form,
    );
    code.input.focus();
  };

  const showOff = () => {
    const start = h("button", { type: "button", class: "btn" }, "Set up two-step sign-in");
    start.addEventListener("click", () =>
      busy(start, async () => {
        try {
          showSetup(await api.post("/api/me/mfa/setup", {}));
        } catch (err) {
          reportError(err);
        }
      }),
    );
    replace(body, h("p", {}, h("span", { class: "badge badge-muted" }, "Off"), " Signing in asks only for your password."), start);
  };

  const load = async () => {
    try {
      const status = await api.get("/api/me/mfa");
      if (status.enabled) showOn(status);
      else showOff();
    } catch (err) {
      reportError(err, body);
    }
  };
  load();
  return h(
    "section",
    { class: "card", "aria-labelledby": "mfa-title" },
    h("h2", { id: "mfa-title" }, "Two-step sign-in"),
    user.mfa_enrolment_required ? h("p", { class: "form-error", role: "status", id: "mfa-required" }, "Your role needs two-step sign-in. Set it up here to continue using the app.") : null,
    h("p", { class: "muted" }, "After your password, sign-in asks for a code from an app on your phone, so a stolen password alone is not enough."),
    body,
  );
}

export async function render({ main, user }) {
  replace(main, h("header", { class: "page-head" }, h("h1", {}, "Settings")), h("div", { class: "stack" }, profileCard(user), passwordCard(user), user.auth_method === "supabase" ? null : mfaCard(user), devicesCard(), slackCard(), themeCard(), apiKeysCard(user), dataExportCard()));
  return null;
}
