// "Share with client": make a link per recipient (optional PIN and expiry), see what each client
// did (opens, time per page, decision), revoke a link, and start a booking order once accepted.
import { api, can } from "./api.js";
import { field, formatDateTime, h, replace } from "./dom.js";
import { busy, clearErrors, confirmDialog, openDialog, reportError, showFormError, toast } from "./ui.js";

const STATE_LABELS = { active: "Active", expired: "Expired", revoked: "Revoked", replaced: "Replaced", locked: "Locked (wrong PINs)", superseded: "Newer version exists" };

function seconds(total) {
  if (total < 60) return `${Math.round(total)} s`;
  return `${Math.floor(total / 60)} min ${Math.round(total % 60)} s`;
}

function linkRow(link, onRevoke) {
  const pages = link.page_seconds.map((p) => `p${p.page}: ${seconds(p.seconds)}`).join(", ");
  const revoke = link.state === "active" ? h("button", { type: "button", class: "btn btn-small", "aria-label": `Revoke the link for ${link.recipient_email}` }, "Revoke") : null;
  if (revoke) revoke.addEventListener("click", () => onRevoke(link, revoke));
  const decision = link.decision ? `${link.decision === "accepted" ? "Accepted" : "Declined"} ${formatDateTime(link.decided_at)}` : "—";
  return h(
    "tr",
    { dataset: { shareId: link.id } },
    h("td", { dataset: { label: "Recipient" } }, h("div", {}, link.recipient_name || link.recipient_email), h("div", { class: "muted small" }, link.recipient_email)),
    h("td", { dataset: { label: "State" } }, STATE_LABELS[link.state] || link.state, link.has_pin ? h("div", { class: "muted small" }, "PIN") : null),
    h("td", { class: "share-opens", dataset: { label: "Opened" } }, link.opens ? `${link.opens}× · last ${formatDateTime(link.last_opened_at)}` : "Not yet", pages ? h("div", { class: "muted small" }, pages) : null),
    h("td", { class: "share-decision", dataset: { label: "Decision" } }, decision),
    h("td", { class: "actions" }, revoke),
  );
}

function timelineList(events) {
  if (!events.length) return h("p", { class: "muted" }, "Nothing yet: make a link and send it to the client.");
  return h("ol", { class: "timeline", "aria-label": "Client activity" }, events.map((e) => h("li", { dataset: { kind: e.kind } }, h("time", { datetime: e.at, class: "muted small" }, formatDateTime(e.at)), " ", e.text)));
}

function shareForm(proposal, onMade) {
  const email = field({ label: "Client's e-mail", name: "recipient_email", type: "email", required: true, attrs: { maxlength: 254, autocomplete: "off" } });
  const name = field({ label: "Name (optional)", name: "recipient_name", attrs: { maxlength: 120 } });
  const days = field({ label: "Valid for (days)", name: "expires_in_days", type: "number", hint: "Empty: the default.", attrs: { min: 1, max: 180 } });
  const pin = field({ label: "PIN (optional)", name: "pin", hint: "4–10 digits; tell it to the client separately.", attrs: { inputmode: "numeric", pattern: "\\d{4,10}", maxlength: 10 } });
  const submit = h("button", { type: "submit", class: "btn btn-primary" }, "Make the link");
  const result = h("div", { class: "share-result", "aria-live": "polite" });
  const form = h("form", { class: "form", novalidate: true }, h("p", { class: "form-error", role: "alert", hidden: true }), email.wrap, name.wrap, days.wrap, pin.wrap, h("div", { class: "form-actions" }, submit), result);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = { recipient_email: email.input.value.trim(), recipient_name: name.input.value.trim() };
    if (days.input.value) body.expires_in_days = Number(days.input.value);
    if (pin.input.value.trim()) body.pin = pin.input.value.trim();
    busy(submit, async () => {
      try {
        const made = await api.post(`/api/proposals/${proposal.id}/shares`, body);
        form.reset();
        const url = h("input", { class: "share-url", readonly: true, value: made.url, "aria-label": "The client's link" });
        const copy = h("button", { type: "button", class: "btn btn-small" }, "Copy");
        copy.addEventListener("click", async () => {
          url.select();
          try {
            await navigator.clipboard.writeText(made.url);
            toast("Link copied.");
          } catch {
            toast("Select the link and copy it.");
          }
        });
        replace(result, h("p", {}, made.emailed_at ? `E-mailed to ${made.recipient_email}. ` : "Send this link to the client (it is shown only now):"), h("div", { class: "share-url-row" }, url, copy), made.replaced ? h("p", { class: "muted small" }, "Their earlier link no longer works.") : null);
        onMade();
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
  return form;
}

/** Open the dialog for one proposal (a history row or a chat card's proposal). */
export async function openShareDialog(proposal, user) {
  const mayShare = can(user, "proposals:create");
  const linksBody = h("tbody", {});
  const table = h("div", { class: "table-wrap" }, h("table", { class: "table stack-sm", "aria-label": "Client links" }, h("thead", {}, h("tr", {}, ["Recipient", "State", "Opened", "Decision", ""].map((c) => h("th", { scope: "col" }, c)))), linksBody));
  const activity = h("div", {});
  const bookingArea = h("div", {});
  const body = h("div", { class: "share-dialog" }, mayShare ? shareForm(proposal, () => load()) : null, h("h3", {}, "Links"), table, h("h3", {}, "Timeline"), activity, bookingArea);

  const revoke = async (link, button) => {
    const ok = await confirmDialog({ title: "Revoke this link?", message: `${link.recipient_email} will no longer be able to open the proposal.`, confirmLabel: "Revoke", danger: true });
    if (!ok) return;
    await busy(button, async () => {
      try {
        await api.post(`/api/shares/${link.id}/revoke`);
        toast("Link revoked.");
        await load();
      } catch (err) {
        reportError(err);
      }
    });
  };

  async function load() {
    try {
      const timeline = await api.get(`/api/proposals/${proposal.id}/timeline`);
      linksBody.replaceChildren(...timeline.links.map((l) => linkRow(l, revoke)));
      table.hidden = !timeline.links.length;
      replace(activity, timelineList(timeline.events));
      const accepted = timeline.links.some((l) => l.decision === "accepted");
      if (accepted && can(user, "booking_orders:create")) {
        const start = h("button", { type: "button", class: "btn btn-primary" }, "Start a booking order");
        start.addEventListener("click", () =>
          busy(start, async () => {
            try {
              const bo = await api.post(`/api/proposals/${proposal.id}/booking-order`);
              window.location.assign(`/booking-orders/${bo.id}`);
            } catch (err) {
              const existing = err && err.details && err.details.booking_order_id;
              if (existing) window.location.assign(`/booking-orders/${existing}`);
              else reportError(err, bookingArea);
            }
          }),
        );
        replace(bookingArea, h("p", {}, "The client accepted. "), start);
      } else {
        replace(bookingArea);
      }
    } catch (err) {
      reportError(err, activity);
    }
  }

  openDialog({ title: `Share the ${proposal.client_name} proposal`, body, wide: true });
  await load();
}
