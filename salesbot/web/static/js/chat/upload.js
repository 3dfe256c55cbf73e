// File uploads with progress (XMLHttpRequest reports upload progress; fetch does not).
import { ApiError, csrfToken, refreshSession } from "../api.js";

function send(file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/files");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.responseType = "json";
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => resolve(xhr));
    xhr.addEventListener("error", () => reject(new ApiError(0, "network", "The upload failed: the service cannot be reached.")));
    xhr.addEventListener("abort", () => reject(new ApiError(0, "aborted", "The upload was cancelled.")));
    const form = new FormData();
    form.append("files", file, file.name);
    xhr.send(form);
  });
}

/** Upload one file; resolves to its metadata or rejects with the API's reason. */
export async function uploadFile(file, onProgress = () => {}) {
  let xhr = await send(file, onProgress);
  if (xhr.status === 401 && (await refreshSession())) xhr = await send(file, onProgress);
  const body = xhr.response;
  if (xhr.status >= 200 && xhr.status < 300 && Array.isArray(body) && body.length) return body[0];
  const err = body && body.error;
  throw new ApiError(xhr.status, (err && err.code) || "upload_failed", (err && err.message) || `The upload failed (${xhr.status}).`, err && err.details);
}
