"""Background e-mail: `notifications.email` sends one message, retried with backoff on failure.

A temporary SMTP refusal or an unreachable server raises, so Dramatiq retries the job (jittered
exponential backoff, `SALESBOT_JOB_MIN_BACKOFF_MS`..`MAX`); after the last attempt it lies in
the dead-letter queue. One job per message, so a retry never sends the others twice.
"""

from __future__ import annotations

import smtplib
from typing import Any

from dramatiq.middleware import CurrentMessage

from salesbot.jobs import job, job_runtime
from salesbot.kit.logging import get_logger
from salesbot.notifications.delivery import DELIVERIES, EMAIL_JOB, Outgoing, send_email_now

log = get_logger(__name__)

MAX_RETRIES = 5


def _last_attempt() -> bool:
    message = CurrentMessage.get_current_message()
    return message is None or int(message.options.get("retries", 0)) >= MAX_RETRIES


@job(EMAIL_JOB, queue="default", max_retries=MAX_RETRIES)
def send_email(item: dict[str, Any]) -> None:
    """Send one notification e-mail (blocking: sync jobs run on a worker thread)."""
    settings = job_runtime().job_settings
    try:
        send_email_now(settings, Outgoing(**item))
    except (smtplib.SMTPException, OSError) as exc:
        last = _last_attempt()
        if last:
            DELIVERIES.labels("email", "failed").inc()
        # Never the address or the message: the error type is enough to act on.
        log.warning("notification_email_failed", error_type=type(exc).__name__, final=last)
        raise
    DELIVERIES.labels("email", "sent").inc()
