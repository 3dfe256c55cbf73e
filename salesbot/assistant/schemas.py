"""Request and response models for the chat and costs endpoints."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

MAX_MESSAGE = 10_000
MAX_FILES = 10


class ChatRequest(BaseModel):
    conversation_id: uuid.UUID | None = Field(
        default=None, description="Continue this conversation; omit to start a new one"
    )
    message: str = Field(min_length=1, max_length=MAX_MESSAGE)
    file_ids: list[uuid.UUID] = Field(default=[], max_length=MAX_FILES)


class CostLineOut(BaseModel):
    key: str = Field(description="The day (YYYY-MM-DD), user's e-mail, model or call type")
    label: str = Field(description="How the line reads to people: a person's name, else the key")
    free: bool = Field(
        default=False, description="A model that costs nothing (the built-in offline model)"
    )
    calls: int
    input_tokens: int
    cached_tokens: int
    output_tokens: int
    cost: Decimal = Field(description="US dollars")


class CostReportOut(BaseModel):
    from_date: date = Field(serialization_alias="from")
    to_date: date = Field(serialization_alias="to")
    group_by: Literal["day", "user", "model", "call_type"]
    scope: Literal["own", "all"]
    currency: Literal["USD"] = "USD"
    items: list[CostLineOut]
    total: CostLineOut
