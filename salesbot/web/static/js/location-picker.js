// A searchable location picker (ARIA combobox): type to filter, arrows to move, Enter to pick.
import { h, replace, uid } from "./dom.js";

function normalise(text) {
  return String(text || "")
    .toLowerCase()
    .replace(/^the\s+/, "")
    .replace(/\s+/g, " ")
    .trim();
}

function haystack(loc) {
  return normalise([loc.display_name, loc.key.replace(/_/g, " "), ...(loc.aliases || []), loc.series, loc.company_name].join(" "));
}

function names(loc) {
  return normalise([loc.display_name, loc.key.replace(/_/g, " "), ...(loc.aliases || [])].join(" "));
}

/** Name matches first: the name starting with the words, then names holding them, then the rest. */
function rank(entry, query, words) {
  if (normalise(entry.loc.display_name).startsWith(query)) return 0;
  return words.every((w) => entry.names.includes(w)) ? 1 : 2;
}

/**
 * locationPicker(locations, onPick, {label}) → {element, input}
 * Every word typed must appear in the location's name, key, aliases, series or company.
 */
export function locationPicker(locations, onPick, { label = "Add a location", placeholder = "Search by name, alias or series" } = {}) {
  const listId = uid("loc-list");
  const input = h("input", {
    type: "search",
    id: uid("loc-search"),
    role: "combobox",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": listId,
    autocomplete: "off",
    placeholder,
  });
  const list = h("ul", { id: listId, role: "listbox", class: "picker-list", hidden: true, "aria-label": "Matching locations" });
  const element = h("div", { class: "field picker" }, h("label", { for: input.id }, label), input, list);
  const indexed = locations.map((loc) => ({ loc, text: haystack(loc), names: names(loc) }));
  let shown = [];
  let active = -1;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };

  const highlight = (index) => {
    active = index;
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    const node = list.children[index];
    if (node && node.id) {
      input.setAttribute("aria-activedescendant", node.id);
      node.scrollIntoView({ block: "nearest" });
    }
  };

  const pick = (loc) => {
    input.value = "";
    close();
    // A "choose a location" error no longer applies once one is picked.
    input.removeAttribute("aria-invalid");
    element.querySelectorAll(".field-error").forEach((el) => el.remove());
    onPick(loc);
  };

  const open = () => {
    const query = normalise(input.value);
    const words = query.split(" ").filter(Boolean);
    shown = indexed
      .filter(({ text }) => words.every((w) => text.includes(w)))
      .map((entry) => ({ entry, score: rank(entry, query, words) }))
      .sort((a, b) => a.score - b.score)
      .map(({ entry }) => entry.loc);
    if (!shown.length) {
      replace(list, h("li", { class: "picker-empty", role: "option", "aria-disabled": "true", "aria-selected": "false" }, "No location matches. Try another name."));
    } else {
      replace(
        list,
        shown.map((loc) => {
          const li = h(
            "li",
            { role: "option", id: uid("loc-opt"), class: "picker-option", "aria-selected": "false", dataset: { key: loc.key } },
            h("span", { class: "picker-name" }, loc.display_name),
            h("span", { class: "muted small" }, [loc.display_type === "digital" ? "Digital" : "Static", loc.series, loc.company_name].filter(Boolean).join(" · ")),
          );
          // mousedown keeps focus in the input, so the list does not close before the click.
          li.addEventListener("mousedown", (event) => event.preventDefault());
          li.addEventListener("click", () => pick(loc));
          return li;
        }),
      );
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(shown.length ? 0 : -1);
  };

  input.addEventListener("input", open);
  input.addEventListener("focus", () => {
    if (input.value) open();
  });
  input.addEventListener("blur", close);
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (list.hidden) open();
      else if (shown.length) highlight((active + 1) % shown.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (shown.length) highlight((active - 1 + shown.length) % shown.length);
    } else if (event.key === "Enter") {
      // Enter picks; it never submits the surrounding form.
      event.preventDefault();
      if (!list.hidden && active >= 0 && shown[active]) pick(shown[active]);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  return { element, input };
}
