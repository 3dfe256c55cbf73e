// The rules and labels the server owns (GET /api/meta): VAT, currencies, stage labels, roles,
// limits. Fetched once per page load; pages await loadMeta() before they render with it.
import { api } from "./api.js";
import { setTimeZone } from "./dom.js";

let pending = null;
let loaded = null;

/** Resolves to the meta document; a failed fetch is retried on the next call. */
export function loadMeta() {
  if (!pending) {
    pending = api.get("/api/meta").then(
      (body) => {
        loaded = body;
        if (body.timezone) setTimeZone(body.timezone);
        return body;
      },
      (err) => {
        pending = null;
        throw err;
      },
    );
  }
  return pending;
}

function current() {
  if (!loaded) throw new Error("loadMeta() must finish before meta values are read");
  return loaded;
}

/** The VAT row label, e.g. "VAT 7.5%", with the configured percentage. */
export function vatLabel() {
  return `VAT ${current().vat_pct}%`;
}

/** The booking-order stages in workflow order, as [state, label] pairs. */
export function stages() {
  return current().booking_order_stages.map((s) => [s.state, s.label]);
}

/** The label of a booking-order stage (the state name itself when unknown). */
export function stageLabel(state) {
  const found = current().booking_order_stages.find((s) => s.state === state);
  return found ? found.label : state;
}

/** The roles in the server's order as [name, label] pairs, for role pickers. */
export function roleChoices() {
  return current().roles.map((r) => [r.name, r.label]);
}

function roleOf(name) {
  return loaded ? loaded.roles.find((r) => r.name === name) : undefined;
}

/** A role's label ("Head of sales"), from the server; the role's own name when unknown. */
export function roleName(name) {
  const found = roleOf(name);
  return found ? found.label : name;
}

/** Whether a role is held for one company (HoS, coordinator, finance: the assignment names it). */
export function isCompanyRole(name) {
  return Boolean(roleOf(name)?.company_scoped);
}

/** "Head of sales · backlite" for a role assignment {role, company}. */
export function roleLabel({ role, company }) {
  const name = roleName(role);
  return company ? `${name} · ${company}` : name;
}

/** The limits the server enforces: {max_upload_bytes, max_message_chars, max_message_files, min_password_length}. */
export function limits() {
  return current().limits;
}

/** Requests an empty conversation offers, dated from today by the server. */
export function chatSuggestions() {
  return current().chat_suggestions;
}

/** The digital upload fee of a location that sets none, in AED, e.g. "3000". */
export function defaultUploadFee() {
  return current().default_upload_fee;
}

/**
 * The shortest password the server accepts. The page shell carries it
 * (<meta name="min-password-length">) because the invitation page has no session to read
 * /api/meta with; it is the same server constant as /api/meta's limits.min_password_length.
 */
export function minPasswordLength() {
  const value = Number(document.querySelector('meta[name="min-password-length"]')?.content);
  if (!value) throw new Error("the page shell names no min-password-length");
  return value;
}
