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

/** Time on screen per page: the page across the middle of the screen (else the one most in
 * view) gets the seconds while the tab is visible. */
function startTracking(base, view) {
  const figures = [...document.querySelectorAll("figure.slide")];
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
  const inView = () => {
    const middle = window.innerHeight / 2;
    let best = null;
    let bestShown = 0;
    for (const figure of figures) {
      const box = figure.getBoundingClientRect();
      if (box.top <= middle && box.bottom >= middle) return Number(figure.dataset.page);
      const shown = Math.min(box.bottom, window.innerHeight) - Math.max(box.top, 0);
      if (shown > bestShown) {
        best = Number(figure.dataset.page);
        bestShown = shown;
      }
    }
    return best;
  };
  const choose = () => {
    const page = inView();
    if (page === current) return;
    account();
    current = page;
  };
  let queued = false;
  window.addEventListener(
    "scroll",
    () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        choose();
      });
    },
    { passive: true },
  );
  window.addEventListener("resize", choose);
  document.addEventListener("visibilitychange", () => (document.visibilityState === "hidden" ? flush() : account()));
  window.addEventListener("pagehide", flush);
  setInterval(flush, FLUSH_MS);
  choose();
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

/** Show the decision in place of the forms (a reload would count as another opening). */
function showDecision(form, heading, text, download) {
  const section = document.createElement("section");
  section.className = "card status";
  section.setAttribute("role", "status");
  const title = document.createElement("h2");
  title.textContent = heading;
  const line = document.createElement("p");
  line.textContent = text;
  section.append(title, line);
  if (download) {
    const link = document.createElement("a");
    link.className = "btn";
    link.href = download;
    link.setAttribute("download", "");
    link.textContent = "Download the accepted copy";
    section.append(link);
  }
  form.closest("section").replaceWith(section);
  section.scrollIntoView({ block: "nearest" });
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
      const done = await post(`${base}/accept`, { choices, name: value("name"), title: value("title"), signature: value("signature") });
      showDecision(form, "Accepted", `Accepted by ${value("name")} (${value("title")}). Thank you: your contact has been told.`, done.download_url);
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
      showDecision(form, "Declined", "You declined this proposal. Thank you for letting us know.", null);
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
