// The one way the UI talks to the API: JSON, the CSRF header, one silent refresh on 401.

const CSRF_COOKIE = "salesbot_csrf";
const CSRF_HEADER = "X-CSRF-Token";

/** An API error carrying the standard body {"error": {"code", "message", "details"}}. */
export class ApiError extends Error {
  constructor(status, code, message, details = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** Field errors of a 422 as [{field, message}]. */
  get fieldErrors() {
    return Array.isArray(this.details) ? this.details.filter((d) => d && typeof d.field === "string") : [];
  }
}

export function csrfToken() {
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join("="));
  }
  return "";
}

/** Where the sign-in page sends the user back to: only paths on this site. */
export function safeNext(value) {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) {
    return "/";
  }
  if (value.startsWith("/login") || value.startsWith("/invite")) return "/";
  return value;
}

export function redirectToSignIn() {
  const here = location.pathname + location.search + location.hash;
  location.assign(`/login?next=${encodeURIComponent(safeNext(here))}`);
}

const EXPIRY_KEY = "salesbot.session.expires";

/** Remember when the access cookie runs out so requests refresh it before it does. */
export function noteSession(expiresInSeconds) {
  try {
    localStorage.setItem(EXPIRY_KEY, String(Date.now() + expiresInSeconds * 1000));
  } catch {
    /* storage disabled: the 401 path still refreshes */
  }
}

export function forgetSession() {
  try {
    localStorage.removeItem(EXPIRY_KEY);
  } catch {
    /* nothing to forget */
  }
}

function sessionExpiring() {
  try {
    const at = Number(localStorage.getItem(EXPIRY_KEY) || "0");
    return at > 0 && Date.now() > at - 30_000;
  } catch {
    return false;
  }
}

/** A session can exist only while the CSRF cookie (set with the session cookies) is there. */
export function hasSessionCookie() {
  return csrfToken() !== "";
}

let refreshing = null;

/** One refresh at a time, shared by every request that got a 401 meanwhile. */
export function refreshSession() {
  if (!refreshing) {
    refreshing = fetch("/api/auth/refresh", {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", [CSRF_HEADER]: csrfToken() },
    })
      .then(async (response) => {
        if (!response.ok) {
          forgetSession();
          return false;
        }
        const body = await response.json().catch(() => null);
        if (body && Number.isFinite(body.expires_in)) noteSession(body.expires_in);
        return true;
      })
      .catch(() => false)
      .finally(() => {
        // Let requests queued behind this refresh see its result before a new one may start.
        setTimeout(() => {
          refreshing = null;
        }, 0);
      });
  }
  return refreshing;
}

async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const err = body && body.error;
  if (err && typeof err.message === "string") {
    return new ApiError(response.status, err.code || "error", err.message, err.details ?? null);
  }
  const generic =
    response.status >= 500
      ? "The service had a problem. Please try again in a moment."
      : `The request failed (${response.status}).`;
  return new ApiError(response.status, "http_error", generic, null);
}

function buildUrl(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === "") continue;
    if (Array.isArray(value)) value.forEach((v) => params.append(key, v));
    else params.append(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes("?") ? "&" : "?"}${qs}` : path;
}

/**
 * request("POST", "/api/x", {body, query, signal, auth: true, raw: false})
 * Resolves to the parsed JSON (or null for 204), or the Response when raw is set.
 * With auth (the default) a 401 triggers one silent refresh and a retry; if that fails the
 * browser goes to the sign-in page, which brings the user back here afterwards.
 */
export async function request(method, path, options = {}) {
  const { body, query, signal, auth = true, raw = false, headers = {} } = options;
  const init = {
    method,
    credentials: "same-origin",
    signal,
    headers: { Accept: "application/json", ...headers },
  };
  if (method !== "GET" && method !== "HEAD") init.headers[CSRF_HEADER] = csrfToken();
  if (body !== undefined) {
    if (body instanceof FormData || body instanceof Blob) {
      init.body = body;
    } else {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
  }
  const url = buildUrl(path, query);
  if (auth && sessionExpiring()) await refreshSession();
  if (init.headers[CSRF_HEADER] !== undefined) init.headers[CSRF_HEADER] = csrfToken();
  let response;
  try {
    response = await fetch(url, init);
  } catch (exc) {
    if (exc && exc.name === "AbortError") throw exc;
    throw new ApiError(0, "network", "The service cannot be reached. Check your connection and try again.");
  }
  if (response.status === 401 && auth) {
    if (await refreshSession()) {
      // The refresh set a new CSRF cookie: send the fresh one.
      if (init.headers[CSRF_HEADER] !== undefined) init.headers[CSRF_HEADER] = csrfToken();
      response = await fetch(url, init);
    }
    if (response.status === 401) {
      redirectToSignIn();
      throw await errorFrom(response);
    }
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    // A role that needs two-step sign-in works only in Settings until it is set up there.
    if (error.code === "mfa_enrolment_required" && location.pathname !== "/settings") location.assign("/settings");
    throw error;
  }
  if (raw) return response;
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") || "";
  return type.includes("json") ? response.json() : response.text();
}

export const api = {
  get: (path, options) => request("GET", path, options),
  post: (path, body, options = {}) => request("POST", path, { ...options, body }),
  put: (path, body, options = {}) => request("PUT", path, { ...options, body }),
  patch: (path, body, options = {}) => request("PATCH", path, { ...options, body }),
  del: (path, options) => request("DELETE", path, options),
};

let mePromise = null;

/** The signed-in user (cached for the page's life), or null when nobody is signed in. */
export function currentUser({ reload = false } = {}) {
  if (!mePromise || reload) {
    if (!hasSessionCookie()) {
      mePromise = Promise.resolve(null);
      return mePromise;
    }
    if (sessionExpiring()) mePromise = refreshSession().then(() => request("GET", "/api/auth/me", { auth: false }));
    else mePromise = request("GET", "/api/auth/me", { auth: false });
    mePromise = mePromise
      .catch(async (err) => {
        if (err instanceof ApiError && err.status === 401 && (await refreshSession())) {
          return request("GET", "/api/auth/me", { auth: false });
        }
        throw err;
      })
      .catch((err) => {
        if (err instanceof ApiError && (err.status === 401 || err.status === 403)) return null;
        throw err;
      });
  }
  return mePromise;
}

export function can(user, permission) {
  return Boolean(user && user.permissions && user.permissions.includes(permission));
}
