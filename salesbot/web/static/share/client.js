// The client's proposal page: a same-origin beacon (opened, seconds per page on screen) and
// the accept / decline forms. No cookies, no third-party scripts.
const root = document.getElementById("client-page");

const FLUSH_MS = 15000;

function sendBeacon(base, payload) {
  const body = JSON.stringify(payload);
  const url = `${base}/events`;
  if (navigator.sendBeacon && navigator.sendBeacon(url, new Blob([body], { type: "application/json" }))) return;
  fetch(url, { method: "POST", body, headers: { "Content-Type": "application/json" }, keepalive: true, credentials: "same-origin" }).catch(() => {});
}

/** Time on screen per page: the page most in view gets the seconds while the tab is visible. */
function startTracking(base, view) {
  const ratios = new Map();
  const pending = {};
  let current = null;
  let since = performance.now();

  const account = () => {
    const now = performance.now();
    if (current !== null && document.visibilityState === "visible") {
      pending[current] = (pending[current] || 0) + (now - since) / 1000;
    }
    since = now;
  };
  const flush = () => {
    account();
    const pages = {};
    for (const [page, seconds] of Object.entries(pending)) {
      if (seconds >= 0.05) pages[page] = Math.min(1800, Math.round(seconds * 10) / 10);
      delete pending[page];
    }
    if (Object.keys(pages).length) sendBeacon(base, { view, pages });
  };
  const choose = () => {
    account();
    let best = null;
    let bestRatio = 0;
    for (const [page, ratio] of ratios) {
      if (ratio > bestRatio) {
        best = page;
        bestRatio = ratio;
      }
    }
    current = best;
  };
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) ratios.set(Number(entry.target.dataset.page), entry.intersectionRatio);
      choose();
    },
    { threshold: [0, 0.25, 0.5, 0.75, 1] },
  );
  document.querySelectorAll("figure.slide").forEach((el) => observer.observe(el));
  document.addEventListener("visibilitychange", () => (document.visibilityState === "hidden" ? flush() : account()));
  window.addEventListener("pagehide", flush);
  setInterval(flush, FLUSH_MS);
  // Lets a test (or a curious reader) send what was counted so far.
  window.__shareFlush = flush;
}

async function post(url, body) {
  const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), credentials: "same-origin" });
  if (response.ok) return response.json();
  let message = "Something went wrong. Please try again.";
  try {
    const data = await response.json();
    if (data && data.error && data.error.message) message = data.error.message;
  } catch {
    /* not JSON */
  }
  throw new Error(message);
}

function showError(form, message) {
  const box = form.querySelector(".error");
  box.textContent = message;
  box.hidden = false;
  box.scrollIntoView({ block: "nearest" });
}

function wireAccept(base) {
  const form = document.getElementById("accept-form");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const choices = [];
    for (const set of form.querySelectorAll("fieldset[data-location]")) {
      const picked = set.querySelector("input:checked");
      if (!picked) {
        showError(form, `Choose an option for ${set.querySelector("legend").textContent.split(":")[0]}.`);
        return;
      }
      choices.push({ location: set.dataset.location, option: Number(picked.value) });
    }
    const value = (name) => form.elements[name].value.trim();
    if (!value("name") || !value("title") || !value("signature")) {
      showError(form, "Fill in your name, title and signature.");
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await post(`${base}/accept`, { choices, name: value("name"), title: value("title"), signature: value("signature") });
      window.location.reload();
    } catch (err) {
      showError(form, err.message);
      button.disabled = false;
    }
  });
}

function wireDecline(base) {
  const form = document.getElementById("decline-form");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = form.elements.reason.value.trim();
    if (!reason) {
      showError(form, "Tell us briefly why, so we can do better.");
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await post(`${base}/decline`, { reason, name: form.elements.name.value.trim() });
      window.location.reload();
    } catch (err) {
      showError(form, err.message);
      button.disabled = false;
    }
  });
}

if (root) {
  const base = root.dataset.base;
  const view = root.dataset.view;
  sendBeacon(base, { view, open: true });
  startTracking(base, view);
  wireAccept(base);
  wireDecline(base);
}
