"""The contract between the assistant and the capabilities' `tools.py` modules.

Each capability exposes `TOOLS: list[Tool]` in its own `tools.py`: a name, a description for the
model, the permission the caller needs, a Pydantic model for the arguments and an async handler
that calls the capability's service. The assistant (`salesbot.assistant.tooling`) discovers the
modules, offers the tools the user may use and runs them. The types live here, in `kit`, so a
capability's tools and the assistant both depend on them and not on each other.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.kit.redis import RedisFacade
from salesbot.kit.storage.base import Storage
from salesbot.settings import Settings

A = TypeVar("A", bound=BaseModel)

ProgressCallback = Callable[[int, str], Awaitable[None]]


class Caller(Protocol):
    """Who calls a tool, as far as the contract needs it (auth's `Principal` is one)."""

    def has(self, permission: str) -> bool: ...


P = TypeVar("P", bound=Caller)


class AppServices(Protocol):
    """The app's shared infrastructure a tool may use (FastAPI's `app.state` provides it)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def storage(self) -> Storage: ...

    @property
    def redis(self) -> RedisFacade: ...


async def _no_progress(percent: int, message: str) -> None:
    return None


@dataclass
class ToolContext(Generic[P]):
    """What a tool handler may use: the caller, a database session, the app's services."""

    principal: P
    session: AsyncSession
    app: AppServices
    conversation_id: uuid.UUID | None = None
    attachment_ids: list[uuid.UUID] = field(default_factory=list)
    progress: ProgressCallback = _no_progress
    today: date | None = None  # in the configured time zone, set by the assistant


class FileCard(BaseModel):
    """A produced or referenced file, shown as a card in chat (download, preview)."""

    file_id: uuid.UUID
    name: str
    content_type: str
    size: int
    download_url: str
    preview_url: str | None = None


class ToolResult(BaseModel):
    """What a tool returns: a short text for the model and user, data, and file cards."""

    summary: str
    data: dict[str, Any] = {}
    files: list[FileCard] = []
    is_error: bool = False


@dataclass(frozen=True)
class Tool(Generic[A]):
    name: str
    description: str
    permission: str
    args: type[A]
    handler: Callable[[ToolContext[Any], A], Awaitable[ToolResult]]

    def json_schema(self) -> dict[str, Any]:
        return self.args.model_json_schema()
