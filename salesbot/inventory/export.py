"""The company-wide occupancy view as an Excel workbook (one row per location, a column a week)."""

from __future__ import annotations

from salesbot.inventory.schemas import OccupancyOut
from salesbot.kit.sheets import xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def occupancy_xlsx(view: OccupancyOut) -> bytes:
    """Cells read "60% booked, 20% held" per location and week (Monday's date heads the column)."""
    header = ["Location", "Key", "Type", "Capacity"] + [
        f"Week of {monday:%d %b %Y}" for monday in view.weeks
    ]
    rows = [
        [row.display_name, row.key, row.display_type, f"{row.capacity} {row.unit}s"]
        + [_cell(w.booked_pct, w.held_pct) for w in row.weeks]
        for row in view.rows
    ]
    return xlsx("Occupancy", header, rows)


def _cell(booked: int, held: int) -> str:
    if not booked and not held:
        return "free"
    parts = [f"{booked}% booked"] if booked else []
    if held:
        parts.append(f"{held}% held")
    return ", ".join(parts)
