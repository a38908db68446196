"""The change-file layout of file linkage (docs/juki/file-linkage.md): one CSV row per change (異動).

UTF-8 (a byte-order mark is allowed) with a header row. Columns, in any order: ``event_id``, ``kind``,
``resident_id``, ``effective_date`` (YYYY-MM-DD), ``recorded_at`` (ISO 8601 with its offset), optional
``cancels_event_id``, and for each field of the events contract (``juki.events.CHANGE_FIELDS``) the optional
pair ``<field>_before`` / ``<field>_after``. An empty cell is null; a field is part of the change when either of
its two cells is filled. ``lacks_capacity`` is ``true`` / ``false``. A row becomes the same ``ResidentEvent`` the
change feed and the push endpoint carry, so the intake treats all three alike.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from juki.errors import InvalidQuery
from juki.events import CHANGE_FIELDS, ResidentEvent

__all__ = ["COLUMNS", "REQUIRED_COLUMNS", "ParsedFile", "RowError", "parse_change_file", "write_change_file"]

REQUIRED_COLUMNS = ("event_id", "kind", "resident_id", "effective_date", "recorded_at")
FIELD_COLUMNS = tuple(f"{name}_{side}" for name in CHANGE_FIELDS for side in ("before", "after"))
COLUMNS = (*REQUIRED_COLUMNS, "cancels_event_id", *FIELD_COLUMNS)
BOOLEAN_FIELDS = ("lacks_capacity",)
_BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class RowError:
    """A refused row (``line`` is the line number in the file; None: the whole file) and why, in Japanese."""

    line: int | None
    event_id: str | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "event_id": self.event_id, "message": self.message}


@dataclass(frozen=True)
class ParsedFile:
    """The events of a file with their line numbers, the rows refused, and how many data rows it has."""

    events: list[tuple[int, ResidentEvent]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0


def parse_change_file(data: bytes) -> ParsedFile:
    """Read a change file; every problem becomes a ``RowError`` (nothing raises)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return ParsedFile(errors=[RowError(None, None, f"UTF-8 として読めません（{exc.start + 1} バイト目）。"
                                                       "文字コードを UTF-8 にしてください。")],
                          rows=_data_lines(data.splitlines()))
    reader = csv.DictReader(io.StringIO(text, newline=""), restval=None, restkey="__extra__")
    header_error = _header_error(reader.fieldnames)
    if header_error:
        return ParsedFile(errors=[RowError(None, None, header_error)], rows=_data_lines(text.splitlines()))
    events: list[tuple[int, ResidentEvent]] = []
    errors: list[RowError] = []
    rows = 0
    for row in reader:
        if not any((value or "").strip() for key, value in row.items() if key != "__extra__"):
            continue  # a blank line
        rows += 1
        try:
            events.append((reader.line_num, _event(row)))
        except InvalidQuery as exc:
            errors.append(RowError(reader.line_num, (row.get("event_id") or "").strip() or None, exc.message))
    return ParsedFile(events, errors, rows)


def write_change_file(events: Iterable[ResidentEvent]) -> str:
    """The CSV text of ``events`` in this layout (every column, header first)."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for event in events:
        row: dict[str, Any] = {"event_id": event.event_id, "kind": event.kind, "resident_id": event.resident_id,
                               "effective_date": event.effective_date.isoformat(),
                               "recorded_at": event.recorded_at.isoformat(),
                               "cancels_event_id": event.cancels_event_id or ""}
        for name, change in event.changes.items():
            row[f"{name}_before"], row[f"{name}_after"] = _cell(change.get("before")), _cell(change.get("after"))
        writer.writerow(row)
    return out.getvalue()


def _data_lines(lines: list) -> int:
    """Non-blank lines after the header: the rows of a file that could not be read as a whole."""
    return max(0, sum(1 for line in lines if line.strip()) - 1)


def _header_error(names: Sequence[str] | None) -> str | None:
    if not names:
        return "見出し行がありません（1行目に列名を書いてください）。"
    stripped = [name.strip() for name in names]
    missing = [name for name in REQUIRED_COLUMNS if name not in stripped]
    unknown = [name for name in stripped if name not in COLUMNS]
    if missing:
        return f"必須の列がありません: {', '.join(missing)}"
    if unknown:
        return f"扱えない列があります: {', '.join(unknown)}（列名は docs/juki/file-linkage.md を参照）"
    if len(set(stripped)) != len(stripped):
        return "同じ名前の列が2つ以上あります。"
    return None


def _event(row: dict[str, Any]) -> ResidentEvent:
    if row.get("__extra__"):
        raise InvalidQuery("見出しより列の多い行です（区切りの「,」を確認してください）。")
    values = {key.strip(): (value or "").strip() for key, value in row.items() if key != "__extra__"}
    recorded = values.get("recorded_at", "")
    if recorded and _naive(recorded):
        raise InvalidQuery("recorded_at には時差を付けてください（例: 2026-04-01T09:30:00+09:00）。")
    changes = {}
    for name in CHANGE_FIELDS:
        before, after = values.get(f"{name}_before", ""), values.get(f"{name}_after", "")
        if before or after:
            changes[name] = {"before": _value(name, before), "after": _value(name, after)}
    return ResidentEvent.from_json({key: values.get(key, "") for key in REQUIRED_COLUMNS}
                                   | {"changes": changes, "cancels_event_id": values.get("cancels_event_id") or None})


def _value(name: str, text: str) -> Any:
    if not text:
        return None
    if name in BOOLEAN_FIELDS:
        if text.lower() not in _BOOLEANS:
            raise InvalidQuery(f"{name} は true か false で書いてください（「{text}」）。")
        return _BOOLEANS[text.lower()]
    return text


def _naive(text: str) -> bool:
    try:
        return datetime.fromisoformat(text).tzinfo is None
    except ValueError:
        return False  # from_json reports the malformed date


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
