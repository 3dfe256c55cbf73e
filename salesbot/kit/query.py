"""Query-parameter types that accept only what the schema declares.

Pydantic's lax mode reads `?date_to=0` as 1970-01-01 (a Unix timestamp), although the schema
declares an ISO date: these types refuse anything but the ISO text.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}:?\d{2})?"
)


def _iso_date(value: Any) -> Any:
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value.strip()):
        raise ValueError("use a date written as YYYY-MM-DD")
    return value


def _iso_datetime(value: Any) -> Any:
    if isinstance(value, str) and not _ISO_DATETIME.fullmatch(value.strip()):
        raise ValueError("use a date and time written as YYYY-MM-DDTHH:MM:SS (ISO 8601)")
    return value


QueryDate = Annotated[date, BeforeValidator(_iso_date)]
QueryDateTime = Annotated[datetime, BeforeValidator(_iso_datetime)]
