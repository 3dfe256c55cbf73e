"""Response models for the files endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Purpose = Literal["upload", "generated"]


class FileOut(BaseModel):
    """A stored file's metadata; the bytes are at `download_url`."""

    id: uuid.UUID
    name: str = Field(description="Sanitised file name, used for downloads")
    original_name: str = Field(description="The name as sent (control characters replaced)")
    kind: str = Field(examples=["pdf"])
    content_type: str = Field(examples=["application/pdf"])
    size: int = Field(description="Bytes")
    sha256: str
    purpose: Purpose
    created_at: datetime
    download_url: str
    preview_url: str | None = Field(default=None, description="Inline view (images only)")
