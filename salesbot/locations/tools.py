"""Assistant tools for the catalogue: list and find locations; admins add, edit and delete.

Argument shapes are the offline grammar's (`salesbot.assistant.offline.grammar`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from salesbot.auth.service import Principal
from salesbot.kit.money import group_thousands, to_decimal
from salesbot.kit.tools import Tool, ToolContext, ToolResult
from salesbot.locations import service
from salesbot.locations.schemas import LocationCreate, LocationOut, LocationUpdate

MAX_LISTED = 200


class ListLocationsArgs(BaseModel):
    display_type: Literal["digital", "static"] | None = None
    company: str | None = Field(default=None, max_length=120, description="Code or name")


class FindLocationArgs(BaseModel):
    query: str = Field(min_length=1, max_length=200, description="A name, alias or key")


class AddLocationArgs(LocationCreate):
    model_config = ConfigDict(extra="ignore")


class UpdateLocationArgs(BaseModel):
    location: str = Field(min_length=1, max_length=200)
    fields: dict[str, Any] = Field(default_factory=dict, description="Field name → new value")


class DeleteLocationArgs(BaseModel):
    location: str = Field(min_length=1, max_length=200)
    confirm: bool = Field(default=False, description="True only after the user confirmed")


def describe(loc: LocationOut) -> str:
    """One line a salesperson can read: type, series, size, faces, digital facts, fee."""
    parts: list[str] = [loc.display_type]
    if loc.series:
        parts.append(loc.series)
    if loc.width_m and loc.height_m:
        parts.append(f"{loc.width_m}m x {loc.height_m}m")
    parts.append(f"{loc.number_of_faces} face" + ("" if loc.number_of_faces == 1 else "s"))
    if loc.display_type == "digital":
        parts.append(f"{loc.spot_duration_s} s spot, {loc.loop_duration_s} s loop")
        if loc.sov_pct:
            parts.append(f"{loc.sov_pct}% SOV")
        if loc.upload_fee is not None:
            parts.append(f"upload fee AED {group_thousands(to_decimal(loc.upload_fee))}")
    state = "" if loc.is_active else " (inactive)"
    return (
        f"{loc.display_name} ({loc.key}){state}: {', '.join(parts)}. "
        f"Sold by {loc.company_name or loc.company}."
    )


def _problems(exc: ValidationError) -> str:
    fields = sorted({".".join(str(p) for p in e["loc"]) or "input" for e in exc.errors()})
    return ", ".join(fields)


async def list_locations(ctx: ToolContext[Principal], args: ListLocationsArgs) -> ToolResult:
    items, _ = await service.list_locations(
        ctx.session, display_type=args.display_type, company=args.company, limit=MAX_LISTED
    )
    kind = f"{args.display_type} " if args.display_type else ""
    if not items:
        return ToolResult(summary=f"There are no active {kind}locations.")
    lines = [
        f"- {i.display_name} ({i.key}): {i.display_type}, {i.company_name or i.company}"
        for i in items
    ]
    noun = "location" if len(items) == 1 else "locations"
    return ToolResult(
        summary=f"{len(items)} {kind}{noun}:\n" + "\n".join(lines),
        data={"locations": [i.model_dump(mode="json") for i in items]},
    )


async def find_location(ctx: ToolContext[Principal], args: FindLocationArgs) -> ToolResult:
    admin = ctx.principal.has("locations:manage")
    found = await service.match(ctx.session, args.query, include_inactive=admin)
    if found.location is not None:
        return ToolResult(
            summary=describe(found.location),
            data={"location": found.location.model_dump(mode="json")},
        )
    return ToolResult(
        summary=found.message or "No location matches.",
        data={
            "outcome": found.outcome,
            "candidates": [c.model_dump() for c in found.candidates],
        },
        is_error=found.outcome == "none",
    )


async def add_location(ctx: ToolContext[Principal], args: AddLocationArgs) -> ToolResult:
    data = LocationCreate.model_validate(args.model_dump(exclude_unset=True))
    created = await service.create_location(
        ctx.session,
        data,
        actor=ctx.principal,
        default_upload_fee=ctx.app.settings.default_upload_fee,
    )
    return ToolResult(
        summary=f"Added {describe(created)}", data={"location": created.model_dump(mode="json")}
    )


async def update_location(ctx: ToolContext[Principal], args: UpdateLocationArgs) -> ToolResult:
    location = await service.resolve(ctx.session, args.location, include_inactive=True)
    try:
        changes = LocationUpdate.model_validate(args.fields)
    except ValidationError as exc:
        return ToolResult(summary=f"Please check: {_problems(exc)}.", is_error=True)
    if not changes.model_fields_set:
        return ToolResult(
            summary=f"What should I change on {location.display_name}?", is_error=True
        )
    updated = await service.update_location(
        ctx.session,
        location,
        changes,
        actor=ctx.principal,
        default_upload_fee=ctx.app.settings.default_upload_fee,
    )
    changed = ", ".join(sorted(changes.model_fields_set)).replace("_", " ")
    return ToolResult(
        summary=f"Updated {changed}. {describe(updated)}",
        data={"location": updated.model_dump(mode="json")},
    )


async def delete_location(ctx: ToolContext[Principal], args: DeleteLocationArgs) -> ToolResult:
    location = await service.resolve(ctx.session, args.location, include_inactive=True)
    name, key = location.display_name, location.key
    if not args.confirm:
        return ToolResult(
            summary=(
                f"Delete {name} ({key})? It cannot be undone; past proposals keep their copy. "
                "Reply yes to delete it."
            ),
            data={"needs_confirmation": True, "location": key},
        )
    await service.delete_location(ctx.session, location, actor=ctx.principal)
    return ToolResult(summary=f"Deleted {name} ({key}).", data={"deleted": key})


TOOLS: list[Tool[Any]] = [
    Tool(
        name="list_locations",
        description="List the active locations, optionally only digital or static, or one "
        "company's.",
        permission="locations:read",
        args=ListLocationsArgs,
        handler=list_locations,
    ),
    Tool(
        name="find_location",
        description="Look up one location by name, alias or key (typos are matched) and "
        "describe it.",
        permission="locations:read",
        args=FindLocationArgs,
        handler=find_location,
    ),
    Tool(
        name="add_location",
        description="Admins: add a location (display_name, display_type digital|static, "
        "company, series, width_m, height_m, number_of_faces, spot/loop durations, sov_pct, "
        "upload_fee, aliases).",
        permission="locations:manage",
        args=AddLocationArgs,
        handler=add_location,
    ),
    Tool(
        name="update_location",
        description="Admins: change fields of a location, e.g. {'upload_fee': '2500'} or "
        "{'is_active': False}.",
        permission="locations:manage",
        args=UpdateLocationArgs,
        handler=update_location,
    ),
    Tool(
        name="delete_location",
        description="Admins: delete a location. Call with confirm=false first; only after the "
        "user says yes call again with confirm=true.",
        permission="locations:manage",
        args=DeleteLocationArgs,
        handler=delete_location,
    ),
]
