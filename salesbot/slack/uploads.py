"""Files dropped into Slack: fetched with the bot token, then the product's upload validation.

Every file goes through `files.service.upload_stream` (type by content, size, active content,
virus scan) exactly like a web upload; a booking-order document becomes a draft through the
booking-order intake, anything else is handed to the assistant as an attachment.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from salesbot.auth.service import Principal
from salesbot.booking_orders import service as booking_orders
from salesbot.files import service as files
from salesbot.kit.errors import AppError, Forbidden, ValidationFailed

if TYPE_CHECKING:
    from salesbot.slack.channel import SlackChannel

BO_KINDS = frozenset({"pdf", "xlsx", "csv"})
NOT_SLACK_FILE = "That file could not be fetched from Slack. Please upload it again."
# An intake refusal that means "some other document": the assistant gets it instead.
OTHER_DOCUMENT = frozenset({"not_a_booking_order", "unreadable_document", "needs_ai_provider"})


@dataclass
class Received:
    """What became of the dropped files: drafts made, and files left for the assistant."""

    drafts: list[str] = field(default_factory=list)
    attachments: list[Any] = field(default_factory=list)


def _allowed(channel: SlackChannel, url: str) -> bool:
    """The bot token is only ever sent to Slack's own file hosts (or the configured API host)."""
    parts = urlsplit(url)
    api_host = urlsplit(channel.settings.slack_api_base_url).hostname
    return parts.scheme in ("https", "http") and parts.hostname in {"files.slack.com", api_host}


async def _download(channel: SlackChannel, url: str) -> AsyncIterator[bytes]:
    token = channel.client.token or ""
    timeout = httpx.Timeout(60.0, connect=10.0)
    async with (
        httpx.AsyncClient(timeout=timeout, follow_redirects=False) as http,
        http.stream("GET", url, headers={"Authorization": f"Bearer {token}"}) as response,
    ):
        if response.status_code != 200:
            raise ValidationFailed(NOT_SLACK_FILE, code="slack_file_unavailable")
        async for chunk in response.aiter_bytes():
            yield chunk


async def store(
    channel: SlackChannel, principal: Principal, dropped: list[dict[str, Any]]
) -> list[Any]:
    """Fetch and validate the dropped files as one upload (all or nothing)."""
    settings = channel.settings
    for item in dropped:
        if not _allowed(channel, str(item.get("url_private_download") or "")):
            raise ValidationFailed(NOT_SLACK_FILE, code="slack_file_unavailable")

    async def parts() -> AsyncIterator[files.UploadPart]:
        for item in dropped:
            name = str(item.get("name") or "file")[:200]
            url = str(item["url_private_download"])
            yield files.UploadPart(name, item.get("mimetype"), _download(channel, url))

    async with channel.db.sessions() as session:
        return await files.upload_stream(
            session,
            channel.storage,
            owner_id=principal.user_id,
            parts=parts(),
            tmp_dir=settings.tmp_dir,
            max_bytes=settings.max_upload_mb * 1024 * 1024,
            max_pixels=settings.max_image_pixels,
            scanner=files.virus_scanner(settings),
        )


async def receive(
    channel: SlackChannel, principal: Principal, dropped: list[dict[str, Any]], notes: str
) -> Received:
    """Validate the files; documents that are booking orders become drafts."""
    if not principal.has("files:upload"):
        raise Forbidden("Your role cannot upload files.")
    records = await store(channel, principal, dropped)
    received = Received()
    env = booking_orders.env_for(channel.settings, channel.storage)
    for record in records:
        if record.kind not in BO_KINDS or not principal.has("booking_orders:create"):
            received.attachments.append(record)
            continue
        async with channel.db.sessions() as session:
            try:
                view = await booking_orders.intake(
                    session, env, principal, file_id=record.id, company=None, notes=notes
                )
            except AppError as exc:
                if exc.code in OTHER_DOCUMENT:
                    received.attachments.append(record)
                    continue
                raise
            out = booking_orders.present(view)
        link = channel.web_url(f"/booking-orders/{out.id}")
        who = out.fields.client or out.fields.bo_number or "the client"
        received.drafts.append(
            f"Draft booking order for {who} ({out.company.name}) made from {record.safe_name}. "
            f"Check it and submit it: <{link}|open the draft>."
        )
    return received
