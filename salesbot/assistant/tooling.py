"""Tool discovery and running: the assistant's side of the contract in `salesbot.kit.tools`.

The assistant discovers every capability's `tools.py`, offers the tools the user may use,
validates arguments, checks the permission again inside `run_tool`, and turns the `ToolResult`
into chat events (text, data, file cards). Business rules live in the services.
"""

from __future__ import annotations

import importlib
from typing import Any

from pydantic import ValidationError

from salesbot.kit.errors import AppError, Forbidden
from salesbot.kit.tools import Caller, Tool, ToolContext, ToolResult


def discover_tools() -> dict[str, Tool[Any]]:
    """Import every `salesbot.<capability>.tools` module and collect its `TOOLS`."""
    import salesbot
    from salesbot.kit.lazy import modules_named

    found: dict[str, Tool[Any]] = {}
    for name in modules_named(salesbot, "tools"):
        if name == "salesbot.kit.tools":
            continue
        for tool in getattr(importlib.import_module(name), "TOOLS", []):
            if tool.name in found:
                raise RuntimeError(f"tool {tool.name!r} is declared twice")
            found[tool.name] = tool
    return found


def tools_for(principal: Caller, tools: dict[str, Tool[Any]]) -> list[Tool[Any]]:
    """The tools this user may call (the model is only offered these)."""
    return [t for t in tools.values() if principal.has(t.permission)]


async def run_tool(tool: Tool[Any], ctx: ToolContext[Any], raw_args: dict[str, Any]) -> ToolResult:
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
