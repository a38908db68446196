"""The 連動 page's view of ``linkage_status``: one row per way in, with times as datetimes and ages as text."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["MODE_LABELS", "WayView", "ways", "age_text"]

MODE_LABELS = {"pull": "変更一覧の取得（pull）", "file": "異動ファイル（file）", "push": "異動通知の受信（push）"}


@dataclass(frozen=True)
class WayView:
    mode: str
    label: str
    every_seconds: float | None = None
    last_checked_at: datetime | None = None
    age: str = ""
    newest_change_at: datetime | None = None
    lag: str = ""
    received: int = 0
    duplicates: int = 0
    failures: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    ok: bool = True
    problems: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)


def ways(status: dict[str, Any]) -> list[WayView]:
    """The configured ways in, in the order of INKAN_JUKI_LINKAGE."""
    return [_way(mode, status.get(mode) or {}) for mode in status["modes"]]


def age_text(seconds: float | None) -> str:
    """「12 秒前」「5 分前」「3 時間前」「2 日前」; empty when never."""
    if seconds is None:
        return ""
    for size, unit in ((86400, "日"), (3600, "時間"), (60, "分")):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}前"
    return f"{int(seconds)} 秒前"


def _way(mode: str, values: dict[str, Any]) -> WayView:
    if mode == "push":
        return WayView(mode, MODE_LABELS[mode])
    return WayView(
        mode, MODE_LABELS[mode], values.get("every_seconds"), _time(values.get("last_checked_at")),
        age_text(values.get("cursor_age_seconds")), _time(values.get("newest_change_at")),
        age_text(values.get("lag_seconds")), values.get("received", 0), values.get("duplicates", 0),
        values.get("failures", 0), values.get("last_error"), _time(values.get("next_attempt_at")),
        values.get("ok", True), values.get("problems", []),
        {key: values[key] for key in ("cursor", "folder", "ready", "being_written") if key in values})


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
