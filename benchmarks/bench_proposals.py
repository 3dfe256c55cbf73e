"""Benchmark proposal rendering (PPTX + PDF) against a LibreOffice conversion baseline.

Run: `.venv/bin/python benchmarks/bench_proposals.py [--repeat N] [--template deck.pptx]`.
Prints wall time and peak memory (tracemalloc for Python allocations, RSS for the process) for
a single-location proposal and a 10-location separate proposal with its combined PDF. When
`soffice`/`libreoffice` is on PATH the same PPTX files are converted with
`--headless --convert-to pdf` and the figures are printed side by side.
"""

from __future__ import annotations

import argparse
import io
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
from PIL import Image

from salesbot.commercial import service as commercial
from salesbot.kit.pictures import reduced_jpeg
from salesbot.proposals.pricing import (
    LocationFacts,
    SeparateItem,
    SeparateRequest,
    price_separate,
)
from salesbot.proposals.rendering.pdf import combined_separate_pdf, pptx_to_pdf
from salesbot.proposals.rendering.pptx import render_separate_pptx
from salesbot.proposals.service import pricing_settings
from salesbot.settings import Settings

TARGET_SINGLE_S = 0.5
TODAY = date(2025, 11, 5)


@dataclass
class Measure:
    seconds: float
    python_peak_mb: float
    rss_mb: float


def _rss_mb() -> float:
    """Current resident set size of this process (Linux /proc; peak RSS elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(work: Callable[[], object], repeat: int) -> Measure:
    work()  # warm up: font registration, imports, caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Measure(statistics.median(times), peak / 1e6, _rss_mb())


def _facts(count: int) -> dict[str, LocationFacts]:
    facts = {}
    for n in range(count):
        key = f"location_{n + 1}"
        static = n % 3 == 2
        facts[key] = LocationFacts(
            key=key,
            display_name=f"Location {n + 1}",
            display_type="static" if static else "digital",
            series="The Landmark Series",
            width_m=Decimal(7),
            height_m=Decimal(14),
            number_of_faces=2,
            upload_fee=commercial.default_upload_fee(_SETTINGS),
        )
    return facts


def _request(facts: dict[str, LocationFacts]) -> SeparateRequest:
    items = [
        SeparateItem(
            key,
            "2026-01-01",
            ["2 weeks", "4 weeks"],
            ["1.5M", "2.8M"],
            production_fee="20,000" if f.display_type == "static" else None,
        )
        for key, f in facts.items()
    ]
    return SeparateRequest(items, "Nike Middle East")


# A fresh install's commercial terms, read from the one source.
_SETTINGS = Settings(_env_file=None)
_PRICING = pricing_settings(
    commercial.Terms(
        vat_pct=commercial.vat_pct(_SETTINGS),
        dm_fee=commercial.dm_fee(_SETTINGS),
        default_upload_fee=commercial.default_upload_fee(_SETTINGS),
        proposal_validity_days=commercial.proposal_validity_days(_SETTINGS),
        rates=dict(commercial.DEFAULT_CURRENCY_RATES),
    )
)


def _single(
    facts: dict[str, LocationFacts], template: bytes | None, photo: bytes | None = None
) -> tuple[bytes, bytes]:
    one = dict(list(facts.items())[:1])
    proposal = price_separate(_request(one), one, _PRICING, TODAY)
    location = next(iter(one.values()))
    pptx = render_separate_pptx(proposal.tables[0], location, template=template, photo=photo)
    return pptx, pptx_to_pdf(pptx)


def _big_photo() -> bytes:
    """An 8K billboard photo (7680 × 4320 JPEG) with some texture."""
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 255, size=(4320 // 8, 7680 // 8, 3), dtype=np.uint8)
    image = Image.fromarray(pixels).resize((7680, 4320), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _multi(facts: dict[str, LocationFacts], template: bytes | None) -> tuple[list[bytes], bytes]:
    proposal = price_separate(_request(facts), facts, _PRICING, TODAY)
    decks = [
        render_separate_pptx(table, facts[loc.key], template=template)
        for table, loc in zip(proposal.tables, proposal.locations, strict=True)
    ]
    return decks, combined_separate_pdf(decks, title="Nike Middle East Proposal")


def _office() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_baseline(office: str, decks: list[bytes]) -> Measure:
    """Convert the decks with LibreOffice (one process, like a typical server set-up)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = []
        for index, deck in enumerate(decks):
            path = folder / f"deck_{index}.pptx"
            path.write_bytes(deck)
            paths.append(str(path))
        profile = folder / "profile"
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(
            [
                office,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder),
                *paths,
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        return Measure(elapsed, 0.0, max(after, before) / 1024)


def _row(label: str, ours: Measure, baseline: Measure | None) -> str:
    text = (
        f"{label:<34} {ours.seconds:8.3f} s  peak py {ours.python_peak_mb:7.1f} MB"
        f"  rss {ours.rss_mb:7.1f} MB"
    )
    if baseline is None:
        return text
    ratio = baseline.seconds / ours.seconds if ours.seconds else float("inf")
    return (
        f"{text}  | libreoffice {baseline.seconds:8.3f} s  rss {baseline.rss_mb:7.1f} MB"
        f"  ({ratio:.1f}x faster)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--template", type=Path, help="a template deck to render into")
    args = parser.parse_args()
    template = args.template.read_bytes() if args.template else None
    facts = _facts(10)

    single = measure(lambda: _single(facts, template), args.repeat)
    big = _big_photo()
    copy = reduced_jpeg(big).data  # made once, stored with the location
    with_photo = measure(lambda: _single(facts, template, copy), args.repeat)
    decoding = measure(lambda: _single(facts, template, reduced_jpeg(big).data), args.repeat)
    multi = measure(lambda: _multi(facts, template), max(1, args.repeat // 2))

    office = _office()
    single_base = multi_base = None
    if office:
        single_pptx, _ = _single(facts, template)
        decks, _ = _multi(facts, template)
        single_base = libreoffice_baseline(office, [single_pptx])
        multi_base = libreoffice_baseline(office, decks)

    print("Proposal rendering benchmark (median wall time; peak memory of one run)")
    print(_row("single location: PPTX + PDF", single, single_base))
    print(_row("single location with its photo (stored copy)", with_photo, None))
    print(_row("  baseline: reducing the 8K photo every render", decoding, None))
    print(
        f"  the stored copy renders {decoding.seconds / with_photo.seconds:.1f}x faster; "
        f"the photo adds {(with_photo.seconds - single.seconds) * 1000:.0f} ms to a proposal"
    )
    print(_row("10 locations: 10 PPTX + combined PDF", multi, multi_base))
    if not office:
        print("LibreOffice baseline: not available (no soffice/libreoffice on PATH)")
    verdict = "OK" if single.seconds < TARGET_SINGLE_S else "SLOWER THAN TARGET"
    print(f"target single proposal < {TARGET_SINGLE_S} s: {verdict}")


if __name__ == "__main__":
    main()
