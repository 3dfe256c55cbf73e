// A proposal's rendering runs as a job: while the form's request waits, poll its progress
// (GET /api/proposal-renders/{id}) and show the latest step ("Rendering slides 1/2…").
import { api } from "./api.js";

const POLL_MS = 250;

/** A fresh render id (a UUID v4), also where `crypto.randomUUID` is missing. */
export function newRenderId(cryptoApi = globalThis.crypto) {
  if (cryptoApi && typeof cryptoApi.randomUUID === "function") return cryptoApi.randomUUID();
  const bytes = new Uint8Array(16);
  cryptoApi.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The line the form shows for a progress snapshot, or "" when there is nothing to say. */
export function progressLabel(snapshot) {
  if (!snapshot || !snapshot.message) return "";
  if (snapshot.status === "done" || snapshot.status === "failed") return "";
  const percent = Number.isFinite(snapshot.percent) ? ` (${snapshot.percent}%)` : "";
  return `${snapshot.message}${percent}`;
}

/** Poll the render's progress, calling `show(label)` on each change; returns `stop()`. */
export function followRender(renderId, show) {
  let stopped = false;
  let last = "";
  let timer = null;
  async function poll() {
    if (stopped) return;
    try {
      const snapshot = await api.get(`/api/proposal-renders/${encodeURIComponent(renderId)}`);
      const label = progressLabel(snapshot);
      if (label && label !== last && !stopped) {
        last = label;
        show(label);
      }
    } catch {
      // Not queued yet (404) or a blip: the request itself reports any real failure.
    }
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  }
  timer = setTimeout(poll, POLL_MS / 2);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
