// Multipart uploads with progress (XMLHttpRequest reports upload progress; fetch does not).
import { ApiError, csrfToken, refreshSession } from "./api.js";

function send(url, makeForm, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.responseType = "json";
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => resolve(xhr));
    xhr.addEventListener("error", () => reject(new ApiError(0, "network", "The upload failed: the service cannot be reached.")));
    xhr.addEventListener("abort", () => reject(new ApiError(0, "aborted", "The upload was cancelled.")));
    xhr.send(makeForm());
  });
}

/**
 * postForm("/api/mockups/photos", () => formData, onProgress) → the JSON answer.
 * `makeForm` builds the body again if a silent session refresh makes a retry necessary.
 */
export async function postForm(url, makeForm, onProgress = () => {}) {
  let xhr = await send(url, makeForm, onProgress);
  if (xhr.status === 401 && (await refreshSession())) xhr = await send(url, makeForm, onProgress);
  const body = xhr.response;
  if (xhr.status >= 200 && xhr.status < 300) return body;
  const err = body && body.error;
  throw new ApiError(xhr.status, (err && err.code) || "upload_failed", (err && err.message) || `The upload failed (${xhr.status}).`, err && err.details);
}
