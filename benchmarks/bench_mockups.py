"""Mockup compositor benchmark: tiled compositor vs the naive whole-image approach.

Each case runs in a fresh subprocess so its peak RSS (ru_maxrss) is its own. Cases:
an 8K photo (7680×4320) with one frame covering about a third of it, and a 9108×5121 photo with
three frames. The naive baseline warps every creative to a full-size image, builds a 4×
super-sampled full-size mask and blends the whole photo in float32.

Targets: 8K single frame < 2.5 s, peak RSS < 450 MB. "render s" is wall time (it suffers when
other work shares the cores), "CPU s" the process's CPU time for the render, "before MB" the
RSS once the inputs exist.

Run: .venv/bin/python benchmarks/bench_mockups.py
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from typing import Any

import cv2
import numpy as np

TARGET_SECONDS = 2.5
TARGET_RSS_MB = 450.0

CASES: dict[str, dict[str, Any]] = {
    "8K, 1 frame (1/3 of photo)": {
        "size": (7680, 4320),
        "frames": [[(1500, 800), (6080, 1000), (5980, 3380), (1600, 3150)]],
    },
    "9108×5121, 3 frames": {
        "size": (9108, 5121),
        "frames": [
            [(300, 600), (3000, 700), (2950, 2500), (350, 2400)],
            [(3300, 700), (6000, 650), (6050, 2450), (3250, 2500)],
            [(6300, 1200), (8800, 1100), (8750, 4700), (6350, 4600)],
        ],
    },
}
TYPICAL = {"edge_blur": 5, "depth": 20, "shadow": 20, "vignette": 20, "sharpening": 20}
EVERYTHING = {
    "brightness": 110,
    "contrast": 110,
    "saturation": 120,
    "image_blur": 4,
    "edge_blur": 21,
    "overlay": 20,
    "depth": 30,
    "shadow": 60,
    "vignette": 60,
    "sharpening": 60,
    "lighting": 10,
    "temperature": 10,
    "edge_smoother": 20,
}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * resource.getpagesize() / 2**20


def _photo(width: int, height: int, frames: list[list[tuple[int, int]]]) -> np.ndarray:
    """A synthetic street photo with green screens, built in place (no full-size temporaries)."""
    rng = np.random.default_rng(7)
    small = rng.integers(20, 200, (height // 64, width // 64, 3), dtype=np.uint8)
    photo = np.asarray(cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC))
    for top in range(0, height, 256):
        band = photo[top : top + 256]
        noise = rng.integers(0, 12, band.shape, dtype=np.uint8)
        cv2.add(band, noise, dst=band)
    for quad in frames:
        cv2.fillConvexPoly(photo, np.array(quad, np.int32), (0, 255, 0), cv2.LINE_AA)
    return np.asarray(photo, dtype=np.uint8)


def _creative(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (27, 48, 3), dtype=np.uint8)
    creative = cv2.resize(small, (1920, 1080), interpolation=cv2.INTER_CUBIC)
    cv2.putText(
        creative, "SUMMER SALE", (120, 600), cv2.FONT_HERSHEY_DUPLEX, 7, (255, 255, 255), 18
    )
    return np.asarray(creative, dtype=np.uint8)


def _naive(photo: np.ndarray, frames: list[tuple[Any, Any, np.ndarray]]) -> np.ndarray:
    """Whole-image compositing: full-size warp, 4× super-sampled full-size mask, float blend."""
    from salesbot.mockups.raster import order_points

    height, width = photo.shape[:2]
    out = photo.astype(np.float32)
    for points, _settings, creative in frames:
        quad = order_points(points)
        big = cv2.resize(creative, None, fx=2, fy=2, interpolation=cv2.INTER_LANCZOS4)
        bh, bw = big.shape[:2]
        src = np.array([[0, 0], [bw, 0], [bw, bh], [0, bh]], np.float32)
        warped = cv2.warpPerspective(
            big,
            cv2.getPerspectiveTransform(src, quad),
            (width, height),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REFLECT,
        )
        factor = 4
        supersampled = np.zeros((height * factor, width * factor), np.uint8)
        cv2.fillPoly(
            supersampled, [np.round(quad * factor * 16).astype(np.int32)], 255, cv2.LINE_8, 4
        )
        mask = cv2.resize(supersampled, (width, height), interpolation=cv2.INTER_AREA)
        del supersampled
        alpha = (mask.astype(np.float32) / 255.0)[..., None]
        out = out * (1.0 - alpha) + warped.astype(np.float32) * alpha
    return np.clip(out, 0, 255).astype(np.uint8)


def child(case: str, approach: str, preset: str) -> None:
    from salesbot.mockups.compositor import composite, encode
    from salesbot.mockups.frames import parse_settings

    spec = CASES[case]
    width, height = spec["size"]
    photo = _photo(width, height, spec["frames"])
    settings = parse_settings(TYPICAL if preset == "typical" else EVERYTHING)
    frames = [(quad, settings, _creative(i)) for i, quad in enumerate(spec["frames"])]
    inputs_rss = _current_rss_mb()
    cpu_start = _cpu_seconds()
    start = time.perf_counter()
    out = composite(photo, frames, "night") if approach == "tiled" else _naive(photo, frames)
    render = time.perf_counter() - start
    render_cpu = _cpu_seconds() - cpu_start
    start = time.perf_counter()
    jpeg = encode(out)
    encode_seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "render_s": render,
                "render_cpu_s": render_cpu,
                "encode_s": encode_seconds,
                "inputs_rss_mb": inputs_rss,
                "peak_rss_mb": _peak_rss_mb(),
                "jpeg_mb": len(jpeg) / 1e6,
            }
        )
    )


def main() -> None:
    runs = [(case, approach, "typical") for case in CASES for approach in ("tiled", "naive")] + [
        ("8K, 1 frame (1/3 of photo)", "tiled", "everything")
    ]
    results = []
    for case, approach, preset in runs:
        completed = subprocess.run(
            [sys.executable, __file__, "--child", case, approach, preset],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(
            (case, approach, preset, json.loads(completed.stdout.strip().splitlines()[-1]))
        )

    print(
        f"Targets: 8K single frame render < {TARGET_SECONDS} s, peak RSS < {TARGET_RSS_MB:.0f} MB"
    )
    header = f"{'case':30} {'approach':8} {'settings':10} {'render s':>9} {'CPU s':>6} "
    header += f"{'encode s':>9} "
    header += f"{'before MB':>10} {'peak RSS MB':>12}  verdict"
    print(header)
    print("-" * len(header))
    baseline: dict[str, dict[str, float]] = {}
    for case, approach, _preset, r in results:
        if approach == "naive":
            baseline[case] = r
    for case, approach, preset, r in results:
        verdict = ""
        if approach == "tiled":
            ok_rss = r["peak_rss_mb"] < TARGET_RSS_MB
            ok_time = r["render_s"] < TARGET_SECONDS or not case.startswith("8K")
            verdict = "OK" if ok_rss and ok_time else "MISSES TARGET"
        print(
            f"{case:30} {approach:8} {preset:10} {r['render_s']:9.2f} {r['render_cpu_s']:6.2f} "
            f"{r['encode_s']:9.2f} "
            f"{r['inputs_rss_mb']:10.0f} {r['peak_rss_mb']:12.0f}  {verdict}"
        )
    print()
    for case, approach, preset, r in results:
        if approach == "tiled" and preset == "typical" and case in baseline:
            b = baseline[case]
            print(
                f"{case}: naive/tiled render time ×{b['render_s'] / r['render_s']:.1f}, "
                f"peak RSS ×{b['peak_rss_mb'] / r['peak_rss_mb']:.1f}"
            )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
