// The web UI entry point (plain ES module, no build step).
const status = document.getElementById("service-status");

async function checkService() {
  try {
    const response = await fetch("/health/ready", { headers: { Accept: "application/json" } });
    const body = await response.json();
    status.textContent = body.status === "ok" ? "The service is ready." : "The service is starting up…";
    status.dataset.state = body.status;
  } catch {
    status.textContent = "The service cannot be reached.";
    status.dataset.state = "down";
  }
}

checkService();
