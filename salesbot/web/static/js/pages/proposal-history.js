// Proposal history: filter by client, location and dates; download files; duplicate as a new version.
import { api, can } from "../api.js";
import { field, formatDate, formatDateTime, h, replace, select } from "../dom.js";
import { openShareDialog } from "../share-dialog.js";
import { busy, clearErrors, emptyState, openDialog, reportError, showFormError, toast } from "../ui.js";

function fileLinks(files) {
  return h(
    "ul",
    { class: "file-links" },
    files.map((f) => {
      const ext = (f.name.split(".").pop() || "").toUpperCase();
      return h("li", {}, h("a", { href: f.download_url, download: f.name, class: "btn btn-small", "aria-label": `Download ${f.name}`, title: f.name }, ext));
    }),
  );
}

function duplicate(proposal, currencies, onDone) {
  const client = field({ label: "Client", name: "client_name", value: proposal.client_name, attrs: { maxlength: 120 } });
  const terms = field({ label: "Payment terms", name: "payment_terms", hint: "Leave empty to keep the original terms.", attrs: { maxlength: 300 } });
  const currency = field({ label: "Currency", name: "currency", control: select("currency", currencies.map((c) => [c, c]), proposal.currency) });
  const save = h("button", { type: "submit", class: "btn btn-primary" }, "Produce new version");
  const cancel = h("button", { type: "button", class: "btn" }, "Cancel");
  const form = h(
    "form",
    { class: "form", novalidate: true },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("p", { class: "muted" }, "The proposal is produced again with today's date and rates, as a new version linked to this one. The original stays as it was."),
    client.wrap,
    terms.wrap,
    currency.wrap,
    h("div", { class: "form-actions" }, cancel, save),
  );
  const { close } = openDialog({ title: `Duplicate the ${proposal.client_name} proposal`, body: form });
  cancel.addEventListener("click", () => close(null));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const changes = {};
    if (client.input.value.trim() && client.input.value.trim() !== proposal.client_name) changes.client_name = client.input.value.trim();
    if (terms.input.value.trim()) changes.payment_terms = terms.input.value.trim();
    if (currency.input.value !== proposal.currency) changes.currency = currency.input.value;
    await busy(save, async () => {
      try {
        const made = await api.post(`/api/proposals/${proposal.id}/duplicate`, changes);
        close(null);
        toast(`Version ${made.version} of the ${made.client_name} proposal is ready.`);
        onDone(made);
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
}

export async function render({ main, user, query }) {
  const mayCreate = can(user, "proposals:create");
  const [locPage, rates] = await Promise.all([api.get("/api/locations", { query: { limit: 500 } }), api.get("/api/settings/currency-rates")]);
  const currencies = ["AED", ...Object.keys(rates.rates).sort()];
  // ?client= (the home page's recent proposals) starts the list filtered.
  const clientF = field({ label: "Client", name: "client", value: query?.get("client") || "", attrs: { maxlength: 120, placeholder: "Part of the name" } });
  const locationF = field({
    label: "Location",
    name: "location",
    control: select("location", [["", "Any location"], ...locPage.items.map((l) => [l.key, l.display_name])], ""),
  });
  const fromF = field({ label: "From", name: "date_from", type: "date" });
  const toF = field({ label: "Until", name: "date_to", type: "date" });
  const apply = h("button", { type: "submit", class: "btn btn-primary" }, "Apply filters");
  const filters = h("form", { class: "filters", "aria-label": "Proposal filters" }, clientF.wrap, locationF.wrap, fromF.wrap, toF.wrap, h("div", { class: "field field-button" }, apply));
  const exportLink = h("a", { class: "btn", href: "/api/proposals/export", download: "proposals.xlsx", hidden: !can(user, "proposals:export") }, "Export to Excel");
  const tbody = h("tbody", {});
  const table = h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table stack-sm", "aria-label": "Proposals" },
      h("thead", {}, h("tr", {}, ["Date", "Client", "Locations", "Totals", "Files", ""].map((c, i) => h("th", { scope: "col", class: i === 3 ? "money" : null }, c)))),
      tbody,
    ),
  );
  const more = h("button", { type: "button", class: "btn", hidden: true }, "Load more");
  const results = h("div", {});
  let cursor = null;

  const filterQuery = () => ({ client: clientF.input.value.trim(), location: locationF.input.value, date_from: fromF.input.value, date_to: toF.input.value });

  const rowFor = (p) => {
    const share = h("button", { type: "button", class: "btn btn-small", "aria-label": `Share the ${p.client_name} proposal` }, mayCreate ? "Share" : "Client activity");
    share.addEventListener("click", () => openShareDialog(p, user));
    const actions = [share];
    if (mayCreate) {
      const dup = h("button", { type: "button", class: "btn btn-small", "aria-label": `Duplicate the ${p.client_name} proposal of ${formatDate(p.created_at)}` }, "Duplicate");
      dup.addEventListener("click", () => duplicate(p, currencies, () => load(false)));
      const hold = h("button", { type: "button", class: "btn btn-small", "aria-label": `Hold the dates of the ${p.client_name} proposal of ${formatDate(p.created_at)}` }, "Hold dates");
      hold.addEventListener("click", () =>
        busy(hold, async () => {
          try {
            const placed = await api.post(`/api/proposals/${p.id}/holds`);
            toast([...placed.holds.map((x) => x.text), ...placed.warnings.map((w) => `Also: ${w}`)].join("\n"));
          } catch (err) {
            reportError(err);
          }
        }),
      );
      actions.push(dup, hold, h("a", { class: "btn btn-small btn-quiet", href: `/proposals?from=${encodeURIComponent(p.id)}` }, "Edit as new"));
    }
    return h(
      "tr",
      { dataset: { id: p.id } },
      h("td", { class: "nowrap", dataset: { label: "Date" } }, formatDateTime(p.created_at)),
      h(
        "td",
        { dataset: { label: "Client" } },
        h(
          "div",
          {},
          h("strong", {}, p.client_name),
          h("div", { class: "muted small" }, `${p.kind === "combined" ? "Combined package" : "Separate"}${p.version > 1 ? ` · version ${p.version}` : ""}`),
        ),
      ),
      h("td", { dataset: { label: "Locations" } }, h("ul", { class: "chips" }, p.locations.map((l) => h("li", { class: "chip" }, l.display_name)))),
      h("td", { class: "money", dataset: { label: "Totals" } }, h("div", {}, p.totals.map((t) => h("div", {}, t)))),
      h("td", { dataset: { label: "Files" } }, fileLinks(p.files)),
      h("td", { class: "actions" }, actions),
    );
  };

  async function load(append) {
    try {
      const q = filterQuery();
      const page = await api.get("/api/proposals", { query: { ...q, cursor: append ? cursor : null, limit: 20 } });
      const params = new URLSearchParams(Object.entries(q).filter(([, v]) => v));
      exportLink.href = `/api/proposals/export${params.toString() ? `?${params}` : ""}`;
      cursor = page.next_cursor;
      more.hidden = !page.has_more;
      if (!append) {
        tbody.replaceChildren();
        if (!page.items.length) {
          const filtered = Object.values(q).some(Boolean);
          replace(
            results,
            filtered
              ? emptyState("No proposal matches these filters.", "Clear a filter or widen the dates.")
              : emptyState("No proposals yet.", mayCreate ? "Create one with the form, or ask the assistant in Chat." : "Proposals made by your team appear here.", mayCreate ? h("a", { class: "btn btn-primary", href: "/proposals" }, "New proposal") : null),
          );
          return;
        }
        replace(results, table, more);
      }
      tbody.append(...page.items.map(rowFor));
    } catch (err) {
      reportError(err, results);
    }
  }

  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(apply, () => load(false));
  });
  more.addEventListener("click", () => busy(more, () => load(true)));
  replace(
    main,
    h(
      "header",
      { class: "page-head" },
      h("h1", {}, "Proposal history"),
      h("div", { class: "head-actions" }, exportLink, mayCreate ? h("a", { class: "btn btn-primary", href: "/proposals" }, "New proposal") : null),
    ),
    h("section", { class: "card" }, filters),
    results,
  );
  await load(false);
  // A notification about a client's activity links here with the proposal's id.
  const wanted = new URLSearchParams(window.location.search).get("proposal");
  if (wanted) {
    api
      .get(`/api/proposals/${encodeURIComponent(wanted)}`)
      .then((p) => openShareDialog(p, user))
      .catch((err) => reportError(err));
  }
  return null;
}
