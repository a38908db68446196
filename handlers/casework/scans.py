"""Generated seal scans for cases, made once per process: drawing a 300 dpi scan takes about half a second and
measuring it a fifth, and cases ask for the same few seals again and again (imaging.samples is deterministic)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import imaging
from handlers.casework.errors import CaseError

__all__ = ["MeasuredSeal", "blank_scan", "measured_seal", "seal_scan"]


@dataclass(frozen=True)
class MeasuredSeal:
    """A generated scan with its 4.1.5.1 measurement and normalised impression, as the measure handler keeps them."""

    scan_png: bytes
    impression_png: bytes
    mm_per_px: float
    dpi: float
    measurement: dict


@lru_cache(maxsize=64)
def seal_scan(text: str, size_mm: float = 15.0, shape: str = "round", ink: float = 1.0, seed: int = 0) -> bytes:
    """imaging.make_seal_scan with these options (PNG, 300 dpi)."""
    return imaging.make_seal_scan(text, size_mm=size_mm, shape=shape, ink=ink, seed=seed)


@lru_cache(maxsize=4)
def blank_scan() -> bytes:
    """A scan with no impression on it."""
    return imaging.make_blank_scan()


@lru_cache(maxsize=64)
def measured_seal(text: str, size_mm: float, shape: str, seed: int, *, min_mm: float, max_mm: float,
                  default_dpi: float) -> MeasuredSeal:
    """The seal's scan measured against the 8–25 mm rule and normalised; raise CaseError when it would be refused."""
    png = seal_scan(text, size_mm, shape, seed=seed)
    scan = imaging.load_scan(png, dpi=None, default_dpi=default_dpi)
    measurement = imaging.measure_impression(scan, min_mm=min_mm, max_mm=max_mm)
    if not measurement.acceptable:
        raise CaseError(f"印影「{text}」（{size_mm}mm）は登録できない大きさです")
    normalized = imaging.normalize_impression(scan, measurement)
    return MeasuredSeal(png, normalized.png, normalized.mm_per_px, scan.dpi, imaging.measurement_to_dict(measurement))
