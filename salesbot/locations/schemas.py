"""Request and response models for the location catalogue (API, import rows and tools).

Numbers travel as decimal strings or JSON numbers read exactly; responses give them as strings.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

DisplayType = Literal["digital", "static"]
MatchOutcome = Literal["exact", "fuzzy", "ambiguous", "none"]

KEY_PATTERN = r"^[a-z0-9]+(?:_[a-z0-9]+)*$"
_KEY_SEPARATORS = re.compile(r"[\s\-]+")
# Fields a PATCH may not set to null: every location has them.
REQUIRED_ON_UPDATE = (
    "key",
    "display_name",
    "company",
    "display_type",
    "aliases",
    "series",
    "number_of_faces",
    "is_active",
)


def normalise_key(value: Any) -> Any:
    """ "Dubai-Gateway " → "dubai_gateway"; anything else is left to the pattern check."""
    if isinstance(value, str):
        return _KEY_SEPARATORS.sub("_", value.strip().lower())
    return value


def _strip(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def _aliases(value: Any) -> Any:
    """Trimmed, without blanks or repeats (case-insensitively); a text splits on commas."""
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    if not isinstance(value, list):
        return value
    seen: dict[str, str] = {}
    for item in value:
        if not isinstance(item, str):
            return value  # let the type check explain
        text = " ".join(item.split())
        if text:
            seen.setdefault(text.lower(), text)
    return list(seen.values())


Key = Annotated[
    str, BeforeValidator(normalise_key), Field(min_length=1, max_length=80, pattern=KEY_PATTERN)
]
Name = Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=200)]
Alias = Annotated[str, Field(min_length=1, max_length=100)]
Aliases = Annotated[list[Alias], BeforeValidator(_aliases), Field(max_length=20)]
Metres = Annotated[Decimal, Field(gt=0, le=1000, max_digits=7, decimal_places=2)]
Seconds = Annotated[int, Field(ge=1, le=3600)]
Percent = Annotated[Decimal, Field(gt=0, le=100, max_digits=5, decimal_places=2)]
Fee = Annotated[Decimal, Field(ge=0, le=1_000_000_000, max_digits=12, decimal_places=2)]
CompanyRef = Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=120)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocationCreate(_Strict):
    """A new location; digital-only fields are ignored for static locations."""

    key: Key | None = Field(default=None, description="Slug; made from the name when omitted")
    display_name: Name
    display_type: DisplayType
    company: CompanyRef | None = Field(
        default=None, description="Company code or name; optional when there is only one"
    )
    aliases: Aliases = Field(default_factory=list)
    series: Annotated[str, BeforeValidator(_strip), Field(max_length=200)] = ""
    width_m: Metres | None = None
    height_m: Metres | None = None
    number_of_faces: Annotated[int, Field(ge=1, le=50)] = 1
    spot_duration_s: Seconds | None = Field(default=None, description="Digital; default 16")
    loop_duration_s: Seconds | None = Field(default=None, description="Digital; default 96")
    sov_pct: Percent | None = Field(default=None, description="Digital; default 16.6")
    upload_fee: Fee | None = Field(
        default=None, description="Digital; defaults to the configured upload fee"
    )
    is_active: bool = True


class LocationUpdate(_Strict):
    """Only the fields sent are changed; `null` clears an optional field."""

    key: Key | None = None
    display_name: Name | None = None
    display_type: DisplayType | None = None
    company: CompanyRef | None = None
    aliases: Aliases | None = None
    series: Annotated[str, BeforeValidator(_strip), Field(max_length=200)] | None = None
    width_m: Metres | None = None
    height_m: Metres | None = None
    number_of_faces: Annotated[int, Field(ge=1, le=50)] | None = None
    spot_duration_s: Seconds | None = None
    loop_duration_s: Seconds | None = None
    sov_pct: Percent | None = None
    upload_fee: Fee | None = None
    is_active: bool | None = None

    @model_validator(mode="after")
    def _no_null_for_required(self) -> LocationUpdate:
        for name in REQUIRED_ON_UPDATE:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be empty")
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class LocationOut(BaseModel):
    id: uuid.UUID
    key: str
    display_name: str
    aliases: list[str]
    company: str = Field(description="Company code")
    company_name: str
    display_type: DisplayType
    series: str
    width_m: str | None = Field(default=None, description="Metres, as a decimal string")
    height_m: str | None = None
    number_of_faces: int
    spot_duration_s: int | None = None
    loop_duration_s: int | None = None
    sov_pct: str | None = Field(default=None, description="Percent, as a decimal string")
    upload_fee: str | None = Field(default=None, description="AED, as a decimal string")
    template_file_id: uuid.UUID | None = None
    photo_file_id: uuid.UUID | None = Field(
        default=None, description="The image uploaded for the location's proposal slides"
    )
    slide_photo_file_id: uuid.UUID | None = Field(
        default=None,
        description="The small copy proposal slides show (of the uploaded image, or of the "
        "best mockup photo once a proposal used it)",
    )
    is_active: bool
    created_at: datetime
    updated_at: datetime


class LocationBrief(BaseModel):
    key: str
    display_name: str


class MatchOut(BaseModel):
    """What a name matches: one location, several close ones (ask), or none (suggestions)."""

    query: str
    outcome: MatchOutcome
    location: LocationOut | None = None
    candidates: list[LocationBrief] = Field(default_factory=list)
    message: str | None = Field(default=None, description="What to tell the user when not one")


class TemplateRequest(_Strict):
    file_id: uuid.UUID | None = Field(
        description="An uploaded .pptx file; null goes back to the generated default deck"
    )


class PhotoRequest(_Strict):
    file_id: uuid.UUID | None = Field(
        description="An uploaded JPEG, PNG or WebP image; null goes back to the best mockup photo"
    )


class ImportRequest(_Strict):
    file_id: uuid.UUID = Field(description="An uploaded .csv or .xlsx file")
    dry_run: bool = Field(default=False, description="Check every row but write nothing")


class ImportedRow(BaseModel):
    row: int = Field(description="Line/row number in the file (the header is row 1)")
    key: str
    action: Literal["created", "updated"]


class ImportReport(BaseModel):
    created: int
    updated: int
    dry_run: bool
    rows: list[ImportedRow]
