"""The embedded TTF fonts (DejaVu Sans, free licence in LICENSE-DejaVu.txt)."""

from __future__ import annotations

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
ITALIC = FONT_DIR / "DejaVuSans-Oblique.ttf"
