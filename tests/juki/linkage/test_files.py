"""FILE linkage (issue 16.9): complete change files in INKAN_JUKI_FILE_DIR are taken in by name order, archived
with a result file, duplicates ignored, bad rows reported next to the archived file and on the 連動 page, a file
still being written left alone until its marker exists, and a file seen again after a crash only archived."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqlalchemy import func, select

from handlers.linkage.intake import ReceivedEvent
from juki.linkage import open_file_errors
from juki.linkage.change_file import COLUMNS, write_change_file
from juki.linkage.models import LinkageFile
from registry.seals import records
from tests.support.resident_events import deliver, record

HEADER = "event_id,kind,resident_id,effective_date,recorded_at"


def drop(folder: Path, name: str, content: str | bytes, *, done: bool = True) -> Path:
    """Write a change file as the register would: the CSV, then (once complete) its empty marker."""
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    if done:
        path.with_name(name + ".done").write_bytes(b"")
    return path


def sources(product, *events) -> dict[str, list[str]]:
    with product.session_factory() as session:
        rows = list(session.scalars(select(ReceivedEvent).where(
            ReceivedEvent.event_id.in_([e.event_id for e in events])).order_by(ReceivedEvent.id)))
    return {event.event_id: [row.source for row in rows if row.event_id == event.event_id] for event in events}


def result_of(folder: Path, archived: str) -> dict:
    return json.loads((folder / "archive" / f"{archived}.result.json").read_text(encoding="utf-8"))


def error_report(folder: Path, archived: str) -> list[list[str]]:
    text = (folder / "archive" / f"{archived}.errors.csv").read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_a_complete_file_is_taken_in_archived_and_its_death_closes_the_registration(reading, change_dir, driver):
    registered = driver.register()
    [death] = record(reading, "die", registered.resident_id)
    content = write_change_file([death])
    drop(change_dir, "20260401-0001.csv", content)
    assert reading.linkage_round() == 1
    assert sources(reading, death) == {death.event_id: ["file"]}
    assert sorted(p.name for p in change_dir.iterdir()) == ["archive"]  # the file and its marker moved away
    assert (change_dir / "archive" / "20260401-0001.csv").read_bytes() == content.encode("utf-8")
    assert result_of(change_dir, "20260401-0001.csv") | {"processed_at": None, "sha256": None} == {
        "file": "20260401-0001.csv", "sha256": None, "processed_at": None, "rows": 1, "accepted": 1,
        "duplicates": 0, "rejected": 0, "errors": 0}
    assert not (change_dir / "archive" / "20260401-0001.csv.errors.csv").exists()
    assert reading.process_resident_events() >= 1
    with reading.session_factory() as session:
        closed = records.registration_by_number(session, registered.registration_number)
    assert (closed.status, closed.close_reason) == ("deleted", "死亡")


def test_duplicate_rows_are_counted_and_ignored(reading, change_dir, driver):
    [known] = record(reading, "move_within", driver.fresh_resident(), address="見本市重複町1番")
    [new] = record(reading, "move_within", driver.fresh_resident(), address="見本市重複町2番")
    deliver(reading, known)  # already received another way (push, or an earlier file)
    drop(change_dir, "20260401-0002.csv", write_change_file([known, new, new]))
    result = reading.take_in_resident_changes().files
    [outcome] = result.files
    assert (outcome.rows, outcome.accepted, outcome.duplicates, outcome.rejected) == (3, 1, 2, 0)
    assert sources(reading, known, new) == {known.event_id: ["test"], new.event_id: ["file"]}
    with reading.session_factory() as session:
        assert all(record.name != "20260401-0002.csv" for record in open_file_errors(session))


def test_bad_rows_are_reported_next_to_the_archived_file_and_the_good_ones_taken_in(reading, change_dir, driver):
    [good] = record(reading, "move_within", driver.fresh_resident(), address="見本市良町3番")
    header, row = write_change_file([good]).splitlines()
    content = f"{header}\r\n{row}\r\n" + _row("bad-1", "teleport") + _row("bad-2", "death", "2026/04/01")
    drop(change_dir, "20260401-0003.csv", content)
    [outcome] = reading.take_in_resident_changes().files.files
    assert (outcome.rows, outcome.accepted, outcome.rejected) == (3, 1, 2)
    assert sources(reading, good) == {good.event_id: ["file"]}
    report = error_report(change_dir, "20260401-0003.csv")
    assert report[0] == ["行", "event_id", "内容"]
    assert [row[:2] for row in report[1:]] == [["3", "bad-1"], ["4", "bad-2"]]
    assert "異動の種類「teleport」" in report[1][2] and "日付の形式" in report[2][2]
    assert result_of(change_dir, "20260401-0003.csv")["errors"] == 2
    with reading.session_factory() as session:
        [listed] = [r for r in open_file_errors(session) if r.name == "20260401-0003.csv"]
    assert [e["line"] for e in json.loads(listed.errors_json)] == [3, 4]


def _row(event_id: str, kind: str, effective: str = "2026-04-01") -> str:
    """A row in the full layout (every column) with the given id, kind and effective date."""
    cells = {"event_id": event_id, "kind": kind, "resident_id": "00000000017", "effective_date": effective,
             "recorded_at": "2026-04-01T09:30:00+09:00"}
    return ",".join(cells.get(column, "") for column in COLUMNS) + "\r\n"


def test_a_file_being_written_waits_for_its_marker(reading, change_dir, driver):
    [event] = record(reading, "move_within", driver.fresh_resident(), address="見本市途中町4番")
    path = drop(change_dir, "20260401-0004.csv", write_change_file([event]), done=False)
    assert reading.take_in_resident_changes(force=True).files.files == ()
    assert path.exists() and sources(reading, event) == {event.event_id: []}
    with reading.session_factory() as session:
        assert reading.linkage_status(session)["file"]["being_written"] == ["20260401-0004.csv"]
    path.with_name(path.name + ".done").write_bytes(b"")
    assert reading.take_in_resident_changes(force=True).received == 1
    assert not path.exists() and sources(reading, event) == {event.event_id: ["file"]}


def test_files_are_taken_in_by_name_order(reading, change_dir, driver):
    [first] = record(reading, "move_within", driver.fresh_resident(), address="見本市順番町1番")
    [second] = record(reading, "move_within", driver.fresh_resident(), address="見本市順番町2番")
    drop(change_dir, "20260401-0006.csv", write_change_file([second]))
    drop(change_dir, "20260401-0005.csv", write_change_file([first]))
    names = [outcome.name for outcome in reading.take_in_resident_changes().files.files]
    assert names == ["20260401-0005.csv", "20260401-0006.csv"]
    with reading.session_factory() as session:
        ids = dict(session.execute(select(ReceivedEvent.event_id, ReceivedEvent.id).where(
            ReceivedEvent.event_id.in_([first.event_id, second.event_id]))).all())
    assert ids[first.event_id] < ids[second.event_id]


def test_a_file_that_cannot_be_read_is_archived_with_its_reason(reading, change_dir):
    drop(change_dir, "20260401-0007.csv", f"{HEADER}\nreg-1,death,住民,2026-04-01,2026-04-01T09:30:00+09:00\n"
         .encode("shift_jis"))
    [outcome] = reading.take_in_resident_changes().files.files
    assert (outcome.accepted, outcome.rejected) == (0, 1)
    [_header, line] = error_report(change_dir, "20260401-0007.csv")
    assert line[0] == "（ファイル全体）" and "UTF-8 として読めません" in line[2]


def test_a_file_seen_again_after_a_crash_is_only_archived(reading, change_dir, driver):
    [event] = record(reading, "move_within", driver.fresh_resident(), address="見本市再送町5番")
    content = write_change_file([event])
    drop(change_dir, "20260401-0008.csv", content)
    assert reading.take_in_resident_changes().received == 1
    drop(change_dir, "20260401-0008.csv", content)  # as if the move had not happened before a crash
    again = reading.take_in_resident_changes(force=True).files
    assert again.received == 0 and [(o.archived_as, o.again) for o in again.files] == [("20260401-0008.csv", True)]
    with reading.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(LinkageFile)
                              .where(LinkageFile.name == "20260401-0008.csv")) == 1
    assert sources(reading, event) == {event.event_id: ["file"]}
    assert sorted(p.name for p in change_dir.iterdir()) == ["archive"]


def test_a_corrected_file_sent_again_under_its_name_is_read_and_archived_beside_the_first(reading, change_dir, driver):
    drop(change_dir, "20260401-0009.csv", f"{HEADER}\nreg-x,teleport,00000000017,2026-04-01,"
                                          "2026-04-01T09:30:00+09:00\n")
    reading.take_in_resident_changes()
    [event] = record(reading, "move_within", driver.fresh_resident(), address="見本市訂正町6番")
    drop(change_dir, "20260401-0009.csv", write_change_file([event]))
    [outcome] = reading.take_in_resident_changes(force=True).files.files
    assert (outcome.archived_as, outcome.accepted) == ("20260401-0009.csv.2", 1)
    assert (change_dir / "archive" / "20260401-0009.csv").exists()
    assert result_of(change_dir, "20260401-0009.csv.2")["accepted"] == 1
