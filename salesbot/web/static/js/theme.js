// Light and dark themes: an explicit choice is saved; otherwise the system preference applies.
const KEY = "salesbot.theme";
const media = window.matchMedia("(prefers-color-scheme: dark)");

export function savedTheme() {
  try {
    const value = localStorage.getItem(KEY);
    return value === "light" || value === "dark" ? value : "system";
  } catch {
    return "system";
  }
}

export function effectiveTheme() {
  const saved = savedTheme();
  if (saved !== "system") return saved;
  return media.matches ? "dark" : "light";
}

const listeners = new Set();

export function onThemeChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function setTheme(choice) {
  try {
    if (choice === "light" || choice === "dark") localStorage.setItem(KEY, choice);
    else localStorage.removeItem(KEY);
  } catch {
    /* storage disabled: the choice lasts for this page only */
  }
  if (choice === "light" || choice === "dark") document.documentElement.dataset.theme = choice;
  else delete document.documentElement.dataset.theme;
  listeners.forEach((fn) => fn(effectiveTheme()));
}

media.addEventListener("change", () => listeners.forEach((fn) => fn(effectiveTheme())));
