"""FILE linkage: the register drops change files into INKAN_JUKI_FILE_DIR; the worker takes them in and archives them.

Convention (docs/juki/file-linkage.md): the register writes ``NAME.csv`` and, once it is complete and closed,
an empty marker ``NAME.csv.done``. Only files with their marker are read, in name order; a ``.csv`` without its
marker is being written and is left alone. Each file is one transaction: its new events go to the intake and a
``LinkageFile`` row records the counts and refused rows (duplicate event ids are counted, not refused). After the
commit the file and its marker move to ``archive/`` with ``NAME.csv.result.json`` and, when rows were refused,
``NAME.csv.errors.csv`` beside them. A file seen again after a crash between the commit and the move is
recognised by name and content hash and only archived.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from juki.linkage.change_file import parse_change_file
from juki.linkage.cursor import claim_cursor, is_due, naive_utc, note_failure, note_recovered, note_taken_in
from juki.linkage.intake import Receive, take_in
from juki.linkage.models import LinkageCursor, LinkageFile
from juki.linkage.settings import FILE, LinkageSettings

__all__ = ["ARCHIVE", "MARKER", "FileOutcome", "FilesResult", "half_written_files", "read_change_files",
           "ready_files"]

log = logging.getLogger("inkan.juki.linkage")

MARKER = ".done"  # NAME.csv is complete once NAME.csv.done exists
ARCHIVE = "archive"


@dataclass(frozen=True)
class FileOutcome:
    """One file taken in: its name, data rows, new events, duplicates, refused rows and where it was archived;
    ``again`` when it had been taken in before (a crash before the move) and was only archived now."""

    name: str
    rows: int
    accepted: int
    duplicates: int
    rejected: int
    archived_as: str
    again: bool = False


@dataclass(frozen=True)
class FilesResult:
    """What one round over the folder did: the files taken in, or why it did not look (state and error)."""

    state: str  # done | not_due | busy | failed
    files: tuple[FileOutcome, ...] = ()
    error: str | None = None

    @property
    def received(self) -> int:
        return sum(outcome.accepted for outcome in self.files if not outcome.again)


def ready_files(folder: Path) -> list[Path]:
    """Complete change files (their marker exists), in name order."""
    return sorted(path for path in folder.glob("*.csv")
                  if path.is_file() and path.with_name(path.name + MARKER).is_file())


def half_written_files(folder: Path) -> list[Path]:
    """Change files still being written (no marker yet), in name order."""
    return sorted(path for path in folder.glob("*.csv")
                  if path.is_file() and not path.with_name(path.name + MARKER).exists())


def read_change_files(session_factory: sessionmaker[Session], receive: Receive, *, now: datetime,
                      settings: LinkageSettings, force: bool = False) -> FilesResult:
    """Take in every complete file of the folder when due (or ``force``); one transaction per file."""
    folder = settings.file_dir
    if folder is None:
        return FilesResult("done")
    with session_factory.begin() as session:
        row = claim_cursor(session, FILE)
        if row is None:
            return FilesResult("busy")
        if not force and not is_due(row, now):
            return FilesResult("not_due")
        try:
            paths = ready_files(folder)
        except OSError as exc:
            message = f"異動ファイルのフォルダ（{folder}）を読めません: {exc.strerror or exc}"
            if note_failure(row, message, now, settings.pull_seconds):
                log.warning("resident change files not read: %s", message)
            return FilesResult("failed", error=message)
        if cleared := note_recovered(row, now, settings.pull_seconds):
            log.info("resident change files read again after %d failed attempt(s)", cleared)
        note_taken_in(row, [], 0, 0, now)
    outcomes: list[FileOutcome] = []
    for path in paths:
        taken = _take_in_file(session_factory, receive, path, now, settings)
        if isinstance(taken, str):
            return FilesResult("failed", tuple(outcomes), taken)
        if taken is not None:
            try:
                outcomes.append(_archive(path, taken))
            except OSError as exc:
                message = f"異動ファイル {path.name} を archive へ移せません: {exc.strerror or exc}"
                log.warning("resident change file taken in but not archived: %s", message)
                return FilesResult("failed", tuple(outcomes), message)
    return FilesResult("done", tuple(outcomes))


def _take_in_file(session_factory: sessionmaker[Session], receive: Receive, path: Path, now: datetime,
                  settings: LinkageSettings) -> tuple[LinkageFile, list[dict], bool] | str | None:
    """Receive one file's events and record it (or find its record); None when another worker has it, the
    error message when the file cannot be read."""
    with session_factory.begin() as session:
        row = claim_cursor(session, FILE)
        if row is None:
            return None
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None  # archived by another worker meanwhile
        except OSError as exc:
            message = f"異動ファイル {path.name} を読めません: {exc.strerror or exc}"
            if note_failure(row, message, now, settings.pull_seconds):
                log.warning("resident change file not read: %s", message)
            return message
        digest = hashlib.sha256(data).hexdigest()
        record = session.scalars(select(LinkageFile).where(LinkageFile.name == path.name,
                                                           LinkageFile.sha256 == digest)).first()
        again = record is not None
        if record is None:
            record = _record(session, row, receive, path, data, digest, now)
        record.archived_as = record.archived_as or _free_name(path.parent / ARCHIVE, path.name)
        session.flush()
        session.expunge(record)
        return record, json.loads(record.errors_json), again


def _record(session: Session, row: LinkageCursor, receive: Receive, path: Path, data: bytes, digest: str,
            now: datetime) -> LinkageFile:
    parsed = parse_change_file(data)
    events = [event for _line, event in parsed.events]
    new, duplicates = take_in(session, events, receive, FILE)
    note_taken_in(row, events, new, duplicates, now)
    record = LinkageFile(name=path.name, sha256=digest, processed_at=naive_utc(now), rows=parsed.rows,
                         accepted=new, duplicates=duplicates, rejected=parsed.rows - len(events),
                         errors_json=json.dumps([error.to_json() for error in parsed.errors], ensure_ascii=False))
    session.add(record)
    if parsed.errors:
        log.warning("resident change file %s: %d row(s) refused", path.name, len(parsed.errors))
    return record


def _archive(path: Path, taken: tuple[LinkageFile, list[dict], bool]) -> FileOutcome:
    """Move the file and its marker to archive/ and write the result (and error report) beside it."""
    record, errors, again = taken
    assert record.archived_as is not None  # _take_in_file names the archived copy
    target = path.parent / ARCHIVE / record.archived_as
    target.parent.mkdir(exist_ok=True)
    with contextlib.suppress(FileNotFoundError):  # another worker archived it first
        path.replace(target)
    path.with_name(path.name + MARKER).unlink(missing_ok=True)
    result = {"file": record.name, "sha256": record.sha256, "processed_at": record.processed_at.isoformat() + "Z",
              "rows": record.rows, "accepted": record.accepted, "duplicates": record.duplicates,
              "rejected": record.rejected, "errors": len(errors)}
    target.with_name(target.name + ".result.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if errors:
        target.with_name(target.name + ".errors.csv").write_text(_error_report(errors), encoding="utf-8-sig")
    return FileOutcome(record.name, record.rows, record.accepted, record.duplicates, record.rejected, target.name,
                       again)


def _error_report(errors: list[dict]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["行", "event_id", "内容"])
    for error in errors:
        writer.writerow([error["line"] if error["line"] is not None else "（ファイル全体）",
                         error["event_id"] or "", error["message"]])
    return out.getvalue()


def _free_name(archive: Path, name: str) -> str:
    """``name``, or ``name.2``, ``name.3`` … when a file of that name was archived before (a file sent again)."""
    candidate, number = name, 1
    while (archive / candidate).exists():
        number += 1
        candidate = f"{name}.{number}"
    return candidate
