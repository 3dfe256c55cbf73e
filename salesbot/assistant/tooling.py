"""The contract between the assistant and the capabilities' `tools.py` modules.

Each capability exposes `TOOLS: list[Tool]` in its own `tools.py`: a name, a description for the
model, the permission the caller needs, a Pydantic model for the arguments and an async handler
that calls the capability's service. The assistant discovers the modules, offers the tools the
user may use, validates arguments, checks the permission again inside `run_tool`, and turns the
`ToolResult` into chat events (text, data, file cards). Business rules live in the services.
"""

from __future__ import annotations

import importlib
import pkgutil
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from salesbot.kit.errors import AppError, Forbidden

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from salesbot.auth.service import Principal

A = TypeVar("A", bound=BaseModel)

ProgressCallback = Callable[[int, str], Awaitable[None]]


async def _no_progress(percent: int, message: str) -> None:
    return None


@dataclass
class ToolContext:
    """What a tool handler may use: the caller, a database session, the app's services."""

    principal: Principal
    session: AsyncSession
    app_state: Any  # FastAPI's app.state: settings, db, redis, jobs, storage, ...
    conversation_id: uuid.UUID | None = None
    attachment_ids: list[uuid.UUID] = field(default_factory=list)
    progress: ProgressCallback = _no_progress
    today: Any = None  # datetime.date in the configured time zone, set by the assistant


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
    handler: Callable[[ToolContext, A], Awaitable[ToolResult]]

    def json_schema(self) -> dict[str, Any]:
        return self.args.model_json_schema()


def discover_tools() -> dict[str, Tool[Any]]:
    """Import every `salesbot.<capability>.tools` module and collect its `TOOLS`."""
    import salesbot

    found: dict[str, Tool[Any]] = {}
    for module in pkgutil.walk_packages(salesbot.__path__, "salesbot."):
        if not module.name.endswith(".tools"):
            continue
        for tool in getattr(importlib.import_module(module.name), "TOOLS", []):
            if tool.name in found:
                raise RuntimeError(f"tool {tool.name!r} is declared twice")
            found[tool.name] = tool
    return found


def tools_for(principal: Principal, tools: dict[str, Tool[Any]]) -> list[Tool[Any]]:
    """The tools this user may call (the model is only offered these)."""
    return [t for t in tools.values() if principal.has(t.permission)]


async def run_tool(tool: Tool[Any], ctx: ToolContext, raw_args: dict[str, Any]) -> ToolResult:
    """Validate arguments, enforce the permission, run the handler; errors become results."""
    if not ctx.principal.has(tool.permission):
        raise Forbidden("You don't have permission to do that.")
    try:
        args = tool.args.model_validate(raw_args)
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) or "input" for e in exc.errors())
        return ToolResult(summary=f"Some details are missing or invalid: {fields}.", is_error=True)
    try:
        return await tool.handler(ctx, args)
    except AppError as exc:
        return ToolResult(summary=exc.message, data={"code": exc.code}, is_error=True)
    except ValueError as exc:
        # Pure modules raise ValueError subclasses with messages written for the user.
        return ToolResult(summary=str(exc), is_error=True)
