"""The change-file layout (docs/juki/file-linkage.md): what the register writes is read back as the same events,
and every malformed row or file is refused with its line number and a Japanese reason."""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from juki.events import CHANGE_FIELDS, ResidentEvent
from juki.linkage.change_file import COLUMNS, parse_change_file, write_change_file

JST = timezone(timedelta(hours=9))
HEADER = "event_id,kind,resident_id,effective_date,recorded_at"


def event(event_id: str = "reg-0001", kind: str = "move_within", **values) -> ResidentEvent:
    return ResidentEvent(**({"event_id": event_id, "kind": kind, "resident_id": "00000000017",
                             "effective_date": date(2026, 4, 1), "recorded_at": datetime(2026, 4, 1, 9, 30, tzinfo=JST),
                             "changes": {"address": {"before": "見本市中央一丁目1番", "after": "見本市西町2番, 3号"}}}
                            | values))


def test_what_the_register_writes_reads_back_as_the_same_events():
    events = [event(),
              event("reg-0002", "guardianship_started", changes={"lacks_capacity": {"before": False, "after": True}}),
              event("reg-0003", "common_name_cleared", changes={"common_name": {"before": "王　小明", "after": None}}),
              event("reg-0004", "record_corrected", changes={"birth_date": {"before": "1980-01-02", "after": "1981-01-02"},
                                                            "sex": {"before": "男", "after": "女"}}),
              event("reg-0005", "cancellation", cancels_event_id="reg-0001",
                    changes={"address": {"before": "見本市西町2番, 3号", "after": "見本市中央一丁目1番"}}),
              event("reg-0006", "death", recorded_at=datetime(2026, 4, 2, 0, 15, tzinfo=UTC),
                    changes={"status": {"before": "resident", "after": "deceased"},
                             "status_date": {"before": None, "after": "2026-04-01"}})]
    parsed = parse_change_file(write_change_file(events).encode("utf-8"))
    assert parsed.errors == [] and parsed.rows == 6
    assert [found for _line, found in parsed.events] == events
    assert [line for line, _found in parsed.events] == [2, 3, 4, 5, 6, 7]


def test_every_change_field_has_its_column_pair():
    assert COLUMNS[:6] == ("event_id", "kind", "resident_id", "effective_date", "recorded_at", "cancels_event_id")
    assert {column.rsplit("_", 1)[0] for column in COLUMNS[6:]} == set(CHANGE_FIELDS)


def test_a_byte_order_mark_blank_lines_and_columns_in_any_order_are_accepted():
    text = ("\ufeffresident_id,kind,event_id,recorded_at,effective_date,address_after\r\n\r\n"
            "00000000017,move_within,reg-0009,2026-04-01T09:30:00+09:00,2026-04-01,見本市東町1番\r\n\r\n")
    parsed = parse_change_file(text.encode("utf-8"))
    assert parsed.errors == [] and parsed.rows == 1
    [(line, found)] = parsed.events
    assert line == 3 and found.changes == {"address": {"before": None, "after": "見本市東町1番"}}


@pytest.mark.parametrize(("row", "message"), [
    ("reg-1,teleport,00000000017,2026-04-01,2026-04-01T09:30:00+09:00", "異動の種類「teleport」は扱えません"),
    ("reg-1,death,00000000017,2026-13-01,2026-04-01T09:30:00+09:00", "日付の形式が正しくありません"),
    ("reg-1,death,,2026-04-01,2026-04-01T09:30:00+09:00", "項目「resident_id」がありません"),
    (",death,00000000017,2026-04-01,2026-04-01T09:30:00+09:00", "項目「event_id」がありません"),
    ("reg-1,death,00000000017,2026-04-01,2026-04-01T09:30:00", "recorded_at には時差を付けてください"),
    ("reg-1,cancellation,00000000017,2026-04-01,2026-04-01T09:30:00+09:00", "取り消す異動の通知ID"),
    ("reg-1,death,00000000017,2026-04-01,2026-04-01T09:30:00+09:00,extra", "見出しより列の多い行"),
])
def test_a_bad_row_is_refused_with_its_line_and_the_good_rows_stay(row, message):
    good = "reg-0,death,00000000017,2026-04-01,2026-04-01T09:30:00+09:00"
    parsed = parse_change_file(f"{HEADER}\n{good}\n{row}\n".encode())
    assert [found.event_id for _line, found in parsed.events] == ["reg-0"] and parsed.rows == 2
    [error] = parsed.errors
    assert error.line == 3 and message in error.message
    assert error.event_id == (row.split(",")[0] or None)


def test_a_boolean_must_be_true_or_false():
    parsed = parse_change_file(f"{HEADER},lacks_capacity_after\nreg-1,guardianship_started,0017,2026-04-01,"
                               "2026-04-01T09:30:00+09:00,yes\n".encode())
    assert "lacks_capacity は true か false" in parsed.errors[0].message


@pytest.mark.parametrize(("data", "message"), [
    (b"event_id,kind\nreg-1,death\n", "必須の列がありません: resident_id, effective_date, recorded_at"),
    (f"{HEADER},address\n".encode(), "扱えない列があります: address"),
    (f"{HEADER},kind\n".encode(), "同じ名前の列"),
    (b"", "見出し行がありません"),
    (f"{HEADER}\nreg-1,death,住民,2026-04-01,2026-04-01T09:30:00+09:00\n".encode("shift_jis"), "UTF-8 として読めません"),
])
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(data, message):
    parsed = parse_change_file(data)
    [error] = parsed.errors
    assert error.line is None and message in error.message and parsed.events == []


def test_the_documented_example_is_read_as_documented():
    doc = (Path(__file__).resolve().parents[3] / "docs/juki/file-linkage.md").read_text(encoding="utf-8")
    example = doc.split("Example (a 転居 and a 死亡):", 1)[1].split("```")[1].lstrip("\n")
    parsed = parse_change_file(example.encode("utf-8"))
    assert parsed.errors == [] and [e.kind for _line, e in parsed.events] == ["move_within", "death"]
    moved, died = (e for _line, e in parsed.events)
    assert moved.changes == {"address": {"before": "見本市中央一丁目1番1号", "after": "見本市西町二丁目2番2号"}}
    assert died.changes == {"status": {"before": "resident", "after": "deceased"},
                            "status_date": {"before": None, "after": "2026-03-31"}}


@pytest.mark.parametrize("module", ["juki.linkage", "juki.linkage.pull", "juki.linkage.files", "juki.linkage.status",
                                    "juki.linkage.change_file", "juki.linkage.cursor", "juki.linkage.settings"])
def test_exported_members(module):
    imported = importlib.import_module(module)
    assert imported.__all__ and all(hasattr(imported, name) for name in imported.__all__)
