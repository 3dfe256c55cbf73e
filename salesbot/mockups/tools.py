"""Assistant tool `generate_mockup`: a thin adapter onto the mockups service.

Arguments are the offline grammar's (location, time_of_day, finish, prompt, reuse_previous);
creatives attached to the message arrive as `ToolContext.attachment_ids`. A mockup queued
behind busy slots is followed until it is ready, its progress passed on to the chat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from salesbot.auth.service import Principal
from salesbot.jobs import enqueue
from salesbot.kit.lazy import lazy_module
from salesbot.kit.tools import Tool, ToolContext, ToolResult
from salesbot.mockups.models import Mockup
from salesbot.mockups.schemas import MockupCreate

if TYPE_CHECKING:
    from salesbot.mockups import service
else:
    # numpy and OpenCV load with the first mockup, not at start-up.
    service = lazy_module("salesbot.mockups.service")


class MockupArgs(BaseModel):
    model_config = ConfigDict(extra="ignore")

    location: str = Field(min_length=1, max_length=200, description="Key, name or alias")
    time_of_day: Literal["day", "night"] | None = None
    finish: str | None = Field(default=None, max_length=40, description="gold, silver, ...")
    prompt: str | None = Field(
        default=None, max_length=1000, description="The artwork to create when none is attached"
    )
    reuse_previous: bool = Field(
        default=False, description="Use the user's last creatives (kept for 30 minutes)"
    )
    photo: str | None = Field(default=None, max_length=120, description="A photo's name")


def describe(mockup: Mockup) -> str:
    when = f", {mockup.time_of_day}" if mockup.time_of_day else ""
    how = {
        "upload": "your creative",
        "ai": "the generated creative",
        "poster": "a typographic poster of your description",
    }.get(mockup.creative_source, "your creative")
    return f"Here is {mockup.location_name} ({mockup.photo_name}{when}) with {how}."


async def generate_mockup(ctx: ToolContext[Principal], args: MockupArgs) -> ToolResult:
    body = MockupCreate(
        location=args.location,
        file_ids=[] if args.prompt else list(ctx.attachment_ids)[:10],
        prompt=args.prompt,
        reuse_previous=args.reuse_previous,
        time_of_day=args.time_of_day,
        finish=args.finish,
        photo=args.photo,
    )
    state = ctx.app
    settings = state.settings
    try:
        mockup = await service.create_mockup(
            ctx.session,
            state.storage,
            ctx.principal,
            body,
            settings=settings,
            memory=service.memory_of(state),
            slots=service.slots_of(state),
            enqueue=enqueue,
            progress=ctx.progress,
        )
    except service.MockupRejected as exc:
        return ToolResult(summary=exc.message, data={"code": exc.code}, is_error=True)
    if mockup.status in ("queued", "running"):
        await ctx.progress(0, "Waiting for a free slot")
        mockup = await service.wait_for(
            ctx.session, mockup, ctx.progress, timeout_s=settings.job_time_limit_ms / 1000
        )
    out = await service.to_out(ctx.session, mockup)
    data: dict[str, Any] = out.model_dump(mode="json")
    if out.status == "failed":
        return ToolResult(summary=out.error or service.UNEXPECTED, data=data, is_error=True)
    if out.file is None:
        return ToolResult(
            summary="The mockup is still being made; it will appear under Mockups when ready.",
            data=data,
        )
    return ToolResult(summary=describe(mockup), data=data, files=[out.file])


TOOLS: list[Tool[Any]] = [
    Tool(
        name="generate_mockup",
        description="Show creatives on a billboard photo of a location. Uses the images "
        "attached to the message (1 fills every frame, N fill N frames), or makes one from "
        "`prompt`, or reuses the last creatives (`reuse_previous`, e.g. 'now show it on "
        "Jawhara'). Optional time_of_day (day|night), finish (gold, silver...), photo name.",
        permission="mockups:generate",
        args=MockupArgs,
        handler=generate_mockup,
    ),
]
