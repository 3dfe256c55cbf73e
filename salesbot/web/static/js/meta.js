// The rules and labels the server owns (GET /api/meta): VAT, currencies, stage labels, roles,
// limits. Fetched once per page load; pages await loadMeta() before they render with it.
import { api } from "./api.js";

let pending = null;
let loaded = null;

/** Resolves to the meta document; a failed fetch is retried on the next call. */
export function loadMeta() {
  if (!pending) {
    pending = api.get("/api/meta").then(
      (body) => {
        loaded = body;
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
