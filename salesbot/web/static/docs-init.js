// Boots the self-hosted Swagger UI (kept out of the page so the CSP needs no inline script).
window.addEventListener("DOMContentLoaded", () => {
  window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
