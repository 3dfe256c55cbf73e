// Settings → Slack: the Slack accounts acting as this account, and the confirmation of a
// one-time link the Slack bot sent (it arrives as #slack-link=… so the code never reaches a
// server log in a URL).
import { api } from "../api.js";
import { formatDateTime, h, replace } from "../dom.js";
import { confirmDialog, reportError, toast } from "../ui.js";

function pendingCode() {
  const match = /(?:^#|&)slack-link=([A-Za-z0-9_-]{8,200})/.exec(location.hash);
  return match ? match[1] : null;
}

function forgetCode() {
  history.replaceState({}, "", location.pathname + location.search);
}

function linkedList(items) {
  if (!items.length) return h("p", { class: "muted", id: "slack-status" }, "No Slack account is connected. Message the Sales Proposal Bot app in Slack to connect one.");
  return h(
    "ul",
    { id: "slack-status" },
    items.map((item) => h("li", {}, `Slack user ${item.slack_user_id} (workspace ${item.team_id}), connected ${formatDateTime(item.linked_at)} by ${item.method === "email" ? "verified e-mail" : "one-time link"}`)),
  );
}

export function slackCard() {
  const status = h("div", {});
  const actions = h("div", { class: "actions" });
  const refresh = async () => {
    try {
      const listed = await api.get("/api/me/slack");
      replace(status, linkedList(listed.items));
      const buttons = [];
      const code = pendingCode();
      if (code) {
        const connect = h("button", { type: "button", class: "btn btn-primary", id: "slack-connect" }, "Connect this Slack account");
        connect.addEventListener("click", async () => {
          try {
            await api.post("/api/me/slack/link", { code });
            toast("Slack is connected: the bot now acts as you.");
          } catch (err) {
            reportError(err, status);
            return;
          } finally {
            forgetCode();
          }
          await refresh();
        });
        buttons.push(h("p", {}, "The Slack bot sent you here to connect your Slack account to this account."), connect);
      }
      if (listed.items.length) {
        const off = h("button", { type: "button", class: "btn btn-danger-quiet", id: "slack-disconnect" }, "Disconnect Slack");
        off.addEventListener("click", async () => {
          const ok = await confirmDialog({ title: "Disconnect Slack?", message: "The bot will no longer act as you until you connect again.", confirmLabel: "Disconnect", danger: true });
          if (!ok) return;
          try {
            await api.del("/api/me/slack");
          } catch (err) {
            reportError(err, status);
            return;
          }
          await refresh();
        });
        buttons.push(off);
      }
      replace(actions, buttons);
    } catch (err) {
      reportError(err, status);
    }
  };
  refresh();
  return h(
    "section",
    { class: "card", "aria-labelledby": "slack-title", id: "slack-card" },
    h("h2", { id: "slack-title" }, "Slack"),
    h("p", { class: "muted" }, "In Slack the bot acts as the account connected here, with its roles."),
    status,
    actions,
  );
}
