"""Delivering notifications outside the app: e-mail over SMTP and a Slack incoming webhook.

Delivery never fails the action that caused it: e-mails are queued as jobs (`tasks.py`), retried
while the SMTP server refuses them and dead-lettered at last; Slack errors are logged and
counted. The in-app notification is already stored.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import formataddr

from salesbot.jobs import enqueue
from salesbot.kit.logging import get_logger
from salesbot.kit.metrics import counter
from salesbot.kit.request_context import public_base
from salesbot.settings import Settings

log = get_logger(__name__)
EMAIL_JOB = "notifications.email"

DELIVERIES = counter(
    "salesbot_notification_deliveries_total",
    "Notifications sent outside the app",
    ["channel", "outcome"],
)


@dataclass(frozen=True)
class Outgoing:
    """One notification for one person, ready to send."""

    email: str
    name: str
    title: str
    body: str
    url: str | None


def absolute_url(settings: Settings, link: str | None) -> str | None:
    base = public_base(settings.public_url)
    if not link or base is None:
        return None
    return base + link


def _message(settings: Settings, item: Outgoing) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = item.title
    message["From"] = settings.smtp_from
    message["To"] = formataddr((item.name, item.email))
    lines = [f"Hello {item.name},", "", item.body]
    if item.url:
        lines += ["", f"Open it: {item.url}"]
    lines += ["", "— Sales Proposal Bot"]
    message.set_content("\n".join(lines))
    return message


def send_email_now(settings: Settings, item: Outgoing) -> None:
    """Blocking: one message over its own SMTP session; raises when it was not accepted."""
    host = settings.smtp_host
    if not host:
        return
    with smtplib.SMTP(host, settings.smtp_port, timeout=settings.smtp_timeout_s) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username and settings.smtp_password is not None:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(_message(settings, item))


async def send_emails(settings: Settings, items: list[Outgoing]) -> int:
    """Queue one `notifications.email` job per message (retried with backoff while the SMTP
    server refuses or is unreachable); how many were queued."""
    if not settings.smtp_host or not items:
        return 0
    for item in items:
        await enqueue(EMAIL_JOB, asdict(item))
    return len(items)


def slack_text(title: str, body: str, url: str | None) -> str:
    """Slack mrkdwn: the title in bold, the body, and a link to the item."""

    def clean(text: str) -> str:
        # Slack treats &, < and > as markup.
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    text = f"*{clean(title)}*\n{clean(body)}"
    if url:
        text += f"\n<{url}|Open in Sales Proposal Bot>"
    return text


async def post_slack(settings: Settings, title: str, body: str, url: str | None) -> bool:
    webhook = settings.slack_webhook_url
    if webhook is None or not webhook.get_secret_value():
        return False
    import httpx  # httpx pulls in rich and pygments (its CLI): loaded on first use

    try:
        async with httpx.AsyncClient(timeout=settings.smtp_timeout_s) as client:
            response = await client.post(
                webhook.get_secret_value(), json={"text": slack_text(title, body, url)}
            )
        response.raise_for_status()
    except httpx.HTTPError as exc:
        DELIVERIES.labels("slack", "failed").inc()
        # The webhook URL is a secret: log the error type only.
        log.warning("notification_slack_failed", error_type=type(exc).__name__)
        return False
    DELIVERIES.labels("slack", "sent").inc()
    return True
