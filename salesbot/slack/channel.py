"""The running Slack channel: the Web API client, the Bolt app, verification and its tasks.

Created at start-up only when both the bot token and the signing secret are set. Listeners
answer Slack at once and do their work as tasks of this object, so a slow assistant run never
makes Slack retry; `idle()` waits for that work (shutdown, tests).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from salesbot.auth.deps import MFA_ENROL
from salesbot.auth.service import Principal
from salesbot.kit.db import utcnow
from salesbot.kit.logging import get_logger
from salesbot.notifications.service import Batch
from salesbot.slack import service
from salesbot.slack.service import SlackUser
from salesbot.slack.verify import SlackRequestCheck

if TYPE_CHECKING:
    from salesbot.assistant.chat import Assistant
    from salesbot.kit.db import Database
    from salesbot.kit.ratelimit import RateLimiter
    from salesbot.kit.storage import Storage
    from salesbot.kit.tools import AppServices
    from salesbot.settings import Settings

log = get_logger(__name__)

UNLINKED = (
    "I don't know who you are in Sales Proposal Bot yet, so I can't act for you. "
    "Open this one-time link while signed in to connect your Slack account: {url} "
    "(it expires in {minutes} minutes)."
)


class SlackChannel:
    def __init__(self, settings: Settings, services: AppServices) -> None:
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
        secret = (
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else ""
        )
        self.settings = settings
        self.services = services
        self.client = AsyncWebClient(token=token, base_url=settings.slack_api_base_url)
        self.check = SlackRequestCheck(
            secret, services.redis, max_age_s=settings.slack_request_max_age_s
        )
        self.bolt = AsyncApp(
            signing_secret=secret,
            client=self.client,
            process_before_response=True,  # listeners only hand work to `spawn`
        )
        self.handler = AsyncSlackRequestHandler(self.bolt)
        self._tasks: set[asyncio.Task[None]] = set()
        # Set by `listeners.register`: how notification batches become Slack messages.
        self.notify: Callable[[SlackChannel, list[Batch]], Coroutine[Any, Any, None]] | None = None

    # ------------------------------------------------------------ app parts

    @property
    def db(self) -> Database:
        database: Database = getattr(self.services, "db")  # noqa: B009 (app.state)
        return database

    @property
    def storage(self) -> Storage:
        return self.services.storage

    @property
    def limiter(self) -> RateLimiter:
        limiter: RateLimiter = getattr(self.services, "ratelimiter")  # noqa: B009
        return limiter

    @property
    def assistant(self) -> Assistant:
        assistant: Assistant = getattr(self.services, "assistant")  # noqa: B009
        return assistant

    def web_url(self, path: str) -> str:
        """A page of the web UI (the channel only starts with SALESBOT_PUBLIC_URL set)."""
        return (self.settings.public_url or "").rstrip("/") + path

    # ------------------------------------------------------------ tasks

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(self._guarded(work, name), name=f"slack-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guarded(self, work: Coroutine[Any, Any, None], name: str) -> None:
        try:
            await work
        except SlackApiError as exc:
            log.warning("slack_api_failed", work=name, error=str(exc.response.get("error")))
        except Exception:
            log.exception("slack_work_failed", work=name)

    async def idle(self, timeout_s: float = 60.0) -> None:
        """Wait until no Slack work is running (work may start more work)."""
        async with asyncio.timeout(timeout_s):
            while self._tasks:
                await asyncio.wait(set(self._tasks))

    async def close(self) -> None:
        try:
            await self.idle(timeout_s=10.0)
        except TimeoutError:
            for task in list(self._tasks):
                task.cancel()

    # ------------------------------------------------------------ notifications

    async def deliver(self, batches: list[Batch]) -> None:
        """The notification path's Slack delivery (booking-order messages to approvers)."""
        if self.notify is not None:
            self.spawn(self.notify(self, batches), "notify")

    # ------------------------------------------------------------ identity

    async def principal(self, who: SlackUser) -> Principal | None:
        """The linked account; otherwise link by verified e-mail, or explain how to link."""
        async with self.db.sessions() as session:
            found = await service.principal_of(session, self.settings, who)
        if found is None:
            email, verified = await self._slack_email(who)
            async with self.db.sessions() as session:
                if await service.link_by_email(session, who, email, verified=verified):
                    found = await service.principal_of(session, self.settings, who)
        if found is None:
            await self._offer_link(who)
            return None
        if found.mfa_enrolment_pending:
            await self.client.chat_postMessage(channel=who.user_id, text=MFA_ENROL)
            return None
        return found

    async def _offer_link(self, who: SlackUser) -> None:
        minutes = self.settings.slack_link_minutes
        async with self.db.sessions() as session:
            code = await service.offer_code(session, who, now=utcnow(), minutes=minutes)
        url = self.web_url(f"/settings#slack-link={code}")
        # Always a direct message: the link is for this person's eyes only.
        await self.client.chat_postMessage(
            channel=who.user_id, text=UNLINKED.format(url=url, minutes=minutes)
        )

    async def _slack_email(self, who: SlackUser) -> tuple[str | None, bool]:
        try:
            info = await self.client.users_info(user=who.user_id)
        except SlackApiError:
            return None, False
        user = info.get("user") or {}
        profile = user.get("profile") or {}
        # Only an address Slack has confirmed proves who this is.
        return profile.get("email"), bool(user.get("is_email_confirmed"))
