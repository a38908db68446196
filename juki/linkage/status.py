"""How current the registry's view of the register is: ``linkage_status(session)`` for the 連動 page and readiness.

For each configured way in: when it last looked (the cursor's age), the newest change it has seen (the lag behind
the register), failures, and for file linkage the files waiting, being written or refused. ``ok`` is False when
a way keeps failing or has not looked for three periods (``STALE_PERIODS``) — e.g. no worker runs — and
``problems`` says why in Japanese.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from juki.linkage.cursor import naive_utc
from juki.linkage.files import half_written_files, ready_files
from juki.linkage.models import LinkageCursor, LinkageFile
from juki.linkage.settings import FILE, PULL, LinkageSettings

__all__ = ["STALE_PERIODS", "linkage_status", "open_file_errors"]

STALE_PERIODS = 3
WHAT = {PULL: "住基の変更一覧の取得（pull）", FILE: "異動ファイルの読込み（file）"}


def linkage_status(session: Session, settings: LinkageSettings | None = None, now: datetime | None = None) -> dict:
    """The linkage's state as plain JSON values; ``ok`` with ``problems`` (Japanese) for readiness checks."""
    settings = settings or LinkageSettings()
    moment = naive_utc(now or datetime.now(UTC))
    rows = {row.source: row for row in session.scalars(select(LinkageCursor))}
    status: dict[str, Any] = {"modes": list(settings.modes), "checked_at": _iso(moment), "ok": True, "problems": []}
    if settings.pulls:
        status[PULL] = _way(rows.get(PULL), settings, moment) | {"cursor": rows[PULL].cursor if PULL in rows else ""}
    if settings.reads_files:
        status[FILE] = _way(rows.get(FILE), settings, moment) | _folder(session, settings)
    for way in (PULL, FILE):
        if way in status:
            status["problems"] += [f"{WHAT[way]}: {problem}" for problem in status[way]["problems"]]
    status["ok"] = not status["problems"]
    return status


def open_file_errors(session: Session) -> list[LinkageFile]:
    """Change files with refused rows that no clerk has marked checked yet, oldest first."""
    return list(session.scalars(select(LinkageFile).where(LinkageFile.errors_json != "[]",
                                                          LinkageFile.resolved_at.is_(None))
                                .order_by(LinkageFile.processed_at, LinkageFile.id)))


def _way(row: LinkageCursor | None, settings: LinkageSettings, now: datetime) -> dict[str, Any]:
    age = _seconds(now, row.checked_at if row else None)
    lag = _seconds(now, row.newest_recorded_at if row else None)
    stale_after = STALE_PERIODS * settings.pull_seconds
    problems = []
    if row is not None and row.failures:
        problems.append(f"{row.failures} 回続けて失敗しています（{row.last_error}）")
    if age is None:
        problems.append("まだ一度も取得していません（ワーカーが動いているか確認してください）")
    elif age > stale_after:
        problems.append(f"{_minutes(age)} 取得していません（ワーカーが動いているか確認してください）")
    return {"every_seconds": settings.pull_seconds, "last_checked_at": _iso(row.checked_at if row else None),
            "cursor_age_seconds": age, "newest_change_at": _iso(row.newest_recorded_at if row else None),
            "lag_seconds": lag, "last_taken_in_at": _iso(row.moved_at if row else None),
            "received": row.received if row else 0, "duplicates": row.duplicates if row else 0,
            "failures": row.failures if row else 0, "last_error": row.last_error if row else None,
            "last_error_at": _iso(row.last_error_at if row else None),
            "next_attempt_at": _iso(row.next_attempt_at if row else None), "ok": not problems, "problems": problems}


def _folder(session: Session, settings: LinkageSettings) -> dict[str, Any]:
    folder = settings.file_dir
    ready: list[str] = []
    writing: list[str] = []
    if folder is not None:  # LinkageSettings.parse refuses the file way without a folder
        try:
            ready, writing = [p.name for p in ready_files(folder)], [p.name for p in half_written_files(folder)]
        except OSError:
            ready, writing = [], []
    files = session.scalar(select(func.count()).select_from(LinkageFile)) or 0
    refused = [{"file": record.name, "rejected": record.rejected, "errors": json.loads(record.errors_json)}
               for record in open_file_errors(session)]
    return {"folder": str(folder), "files_taken_in": files, "ready": ready, "being_written": writing,
            "files_with_errors": refused}


def _seconds(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else max(0.0, (now - then).total_seconds())


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} 分間" if seconds >= 60 else f"{int(seconds)} 秒間"


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.replace(tzinfo=UTC).isoformat()
