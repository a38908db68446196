"""The exchange's checks against the world: the resident register (juki) and impression measurement (imaging).

registry/exchange reads and writes the files; it asks ``ExchangeChecks`` whether a resident is known and what an
impression file measures. Measuring is the slow part of an import (tens of ms per file), so files are measured
in a pool of processes (one per core, at most 2) in chunks.

An impression file is taken as it is when it is already a normalised impression (an RGBA PNG, what the export
writes): re-normalising would change its bytes and a round trip would not give the same file. Anything else (a
scan on paper, a 1-bit TIFF of black ink) is normalised like a counter scan (4.1.5.1) when the batch is written.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

import imaging
from handlers.operators.residents import lookup_resident
from imaging.normalized import looks_normalized, measure_alpha
from registry.exchange.reading import ImpressionFacts

__all__ = ["ExchangeChecks", "measure_file", "normalized_png"]

FORMATS = {"PNG": "image/png", "TIFF": "image/tiff"}
SEAL_RED = (215, 50, 40)
CHUNK = 32
NOT_AN_IMAGE = "画像ファイルとして読み込めません（PNG か TIFF の印影画像を書き出してください）"


def _open(data: bytes) -> Image.Image:
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise imaging.UnusableImageError("not_an_image") from exc
    if img.format not in FORMATS:
        raise imaging.ImagingError("unsupported_format", "PNG か TIFF（1ビット可）で書き出してください")
    return img


def _normalized_alpha(img: Image.Image) -> np.ndarray | None:
    """The alpha channel of a cut-out impression (an RGBA PNG, mostly transparent), else None."""
    if img.format != "PNG" or img.mode != "RGBA":
        return None
    alpha = np.asarray(img.getchannel("A"))
    return alpha if looks_normalized(alpha) else None


def _as_red_ink(img: Image.Image, dpi: float) -> bytes:
    """A black-ink image (1-bit or grey TIFF) as seal red on white, which the measurement looks for."""
    grey = img.convert("L")
    red = Image.new("RGB", grey.size, SEAL_RED)
    white = Image.new("RGB", grey.size, (255, 255, 255))
    out = io.BytesIO()
    Image.composite(white, red, grey).save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


def _scan_bytes(img: Image.Image, data: bytes, dpi: float) -> bytes:
    return _as_red_ink(img, dpi) if img.mode in ("1", "L", "I;16", "I") else data


def measure_file(path: Path, dpi: float, min_mm: float, max_mm: float) -> ImpressionFacts | str:
    """Measure one impression file at its dpi (4.1.5.1); its facts or why it cannot be used (Japanese)."""
    try:
        data = path.read_bytes()
        img = _open(data)
        alpha = _normalized_alpha(img)
        if alpha is not None:  # already normalised: measured on its alpha channel (a few ms instead of tens)
            measurement = measure_alpha(alpha, dpi, min_mm, max_mm)
        else:
            scan = imaging.load_scan(_scan_bytes(img, data, dpi), dpi=dpi)
            measurement = imaging.measure_impression(scan, min_mm=min_mm, max_mm=max_mm)
    except imaging.ImagingError as exc:
        return NOT_AN_IMAGE if exc.code == "not_an_image" else exc.message
    except OSError:
        return "ファイルを読めません"
    if not measurement.found or not measurement.size_known:
        reasons = measurement.refusal_reasons
        return "印影として測れません（" + (reasons[0].message if reasons else "印影が見つかりません") + "）"
    normalized = alpha is not None
    return ImpressionFacts(media_type=FORMATS[img.format or ""],
                           mm_per_px=25.4 / dpi, width_mm=measurement.width_mm, height_mm=measurement.height_mm,
                           square_mm=measurement.square_mm, shape=measurement.shape,
                           # outside 8–25 mm: kept on the impression as the counter's flag would be
                           warnings=tuple(w.message for w in (*measurement.warnings, *measurement.refusal_reasons)),
                           within=not (measurement.too_small or measurement.too_large), normalized=normalized)


def normalized_png(data: bytes, dpi: float, min_mm: float, max_mm: float) -> tuple[bytes, float]:
    """The normalised impression (RGBA PNG) of a file that is not one yet, and its mm per pixel."""
    img = _open(data)
    scan = imaging.load_scan(_scan_bytes(img, data, dpi), dpi=dpi)
    normalized = imaging.normalize_impression(scan, imaging.measure_impression(scan, min_mm=min_mm, max_mm=max_mm))
    return normalized.png, normalized.mm_per_px


def _measure_chunk(args: tuple[list[tuple[Path, float]], float, float]) -> list[ImpressionFacts | str]:
    items, min_mm, max_mm = args
    return [measure_file(path, dpi, min_mm, max_mm) for path, dpi in items]


class ExchangeChecks:
    """registry.exchange.reading.Checks over the product's register and the imaging functions."""

    def __init__(self, juki, settings, workers: int | None = None) -> None:
        self.juki, self.settings = juki, settings
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)

    def known_residents(self, resident_ids: list[str]) -> set[str]:
        """The ids the register knows: in one query where the client can (the simulator), else one by one."""
        if callable(known_ids := getattr(self.juki, "known_ids", None)):
            return known_ids(resident_ids)
        return {resident_id for resident_id in resident_ids if lookup_resident(self.juki, resident_id) is not None}

    def measure(self, items: list[tuple[Path, float]], progress: Callable[[int], None]) -> list[ImpressionFacts | str]:
        limits = (self.settings.seal_min_mm, self.settings.seal_max_mm)
        chunks = [(items[i:i + CHUNK], *limits) for i in range(0, len(items), CHUNK)]
        results: list[ImpressionFacts | str] = []
        if self.workers <= 1 or len(chunks) <= 1:
            for chunk in chunks:
                results.extend(_measure_chunk(chunk))
                progress(len(results))
            return results
        # fork from a single-threaded process (the CLI); from the web process's job thread, forkserver (a fork
        # there could copy a lock another thread holds)
        context = "fork" if threading.active_count() == 1 else "forkserver"
        with ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(context)) as pool:
            for part in pool.map(_measure_chunk, chunks):
                results.extend(part)
                progress(len(results))
        return results

    def normalize(self, data: bytes, dpi: float) -> tuple[bytes, float]:
        return normalized_png(data, dpi, self.settings.seal_min_mm, self.settings.seal_max_mm)
