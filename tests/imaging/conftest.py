"""Cached synthetic seal scans for the imaging tests."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest

from imaging import (
    NormalizedImpression,
    Scan,
    load_scan,
    make_seal_scan,
    measure_impression,
    normalize_impression,
)


@cache
def _scan_bytes(**kwargs: object) -> bytes:
    return make_seal_scan(**kwargs)  # type: ignore[arg-type]


@cache
def _normalized(**kwargs: object) -> NormalizedImpression:
    scan = load_scan(_scan_bytes(**kwargs))
    return normalize_impression(scan, measure_impression(scan))


@pytest.fixture(scope="session")
def seal_bytes() -> Callable[..., bytes]:
    """make_seal_scan with caching across tests."""
    return _scan_bytes


@pytest.fixture(scope="session")
def seal_scan() -> Callable[..., Scan]:
    """A decoded synthetic scan (dpi from the file)."""
    return lambda **kwargs: load_scan(_scan_bytes(**kwargs))


@pytest.fixture(scope="session")
def normalized() -> Callable[..., NormalizedImpression]:
    """The normalized impression of a synthetic scan (cached)."""
    return _normalized
