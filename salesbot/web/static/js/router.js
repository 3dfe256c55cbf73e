// A small client-side router: same-origin links change the page without a reload.

const routes = [];
let current = null;
let renderPage = null;

/** route("/chat/:id", loader, {public, permission, title}) */
export function route(pattern, loader, options = {}) {
  const names = [];
  const source = pattern.replace(/:(\w+)/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  });
  routes.push({ pattern, re: new RegExp(`^${source}/?$`), names, loader, ...options });
}

export function match(pathname) {
  for (const r of routes) {
    const m = r.re.exec(pathname);
    if (m) {
      const params = {};
      r.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1]);
      });
      return { route: r, params };
    }
  }
  return null;
}

export function onRoute(fn) {
  renderPage = fn;
}

export async function navigate(to, { replace = false } = {}) {
  const url = new URL(to, location.origin);
  if (url.origin !== location.origin || !match(url.pathname)) {
    location.assign(url.href);
    return;
  }
  if (replace) history.replaceState({}, "", url.pathname + url.search + url.hash);
  else history.pushState({}, "", url.pathname + url.search + url.hash);
  await show();
}

export async function show() {
  const found = match(location.pathname);
  if (current && typeof current.cleanup === "function") {
    try {
      current.cleanup();
    } catch (exc) {
      console.warn(exc);
    }
  }
  current = { found, cleanup: null };
  const mine = current;
  const cleanup = await renderPage(found);
  if (current === mine) mine.cleanup = cleanup;
  else if (typeof cleanup === "function") cleanup();
}

export function startRouter() {
  window.addEventListener("popstate", () => show());
  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    const link = event.target.closest("a[href]");
    if (!link || link.target || link.hasAttribute("download") || link.dataset.external !== undefined) return;
    const url = new URL(link.href, location.origin);
    if (url.origin !== location.origin || !match(url.pathname)) return;
    event.preventDefault();
    if (url.pathname === location.pathname && url.search === location.search && url.hash) {
      history.replaceState({}, "", url.pathname + url.search + url.hash);
      return;
    }
    navigate(url.pathname + url.search + url.hash);
  });
  return show();
}
