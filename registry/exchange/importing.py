"""Writing a checked exchange set: batches of registrations, each one transaction with its checkpoint.

A batch inserts the impressions' images (blobs), the impressions, the records, their history (kept as it was:
reason, dates, operator, before/after exactly as the file gives them) and their certificates with SQLAlchemy Core
executemany, then moves the run's checkpoint (`exchange_run.done`) in the same transaction. Killed anywhere, a
batch is either all there with its checkpoint or not at all, so the next run of the same files starts after the
last committed batch: nothing twice, nothing lost. History rows get their hash-chain fields from the caller
(``stamp_history``: only webui knows the chain), and every batch is handed to ``on_batch`` (the audit) inside
its transaction. PINs are not migrated (they cannot be, in clear): no `registration_pin` row, so 5.2.4 says
「暗証番号が設定されていません」 until the resident sets one at the counter.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from registry.blobs.models import Blob
from registry.db import utcnow
from registry.documents.models import IssuedCertificate
from registry.exchange import layout as L
from registry.exchange.models import ExchangeRun
from registry.exchange.reading import JST, SERIAL, C, CheckedSet, H, Q, R, parse_moment
from registry.seals.models import Application, HistoryEntry, Impression, NumberSequence, Registration
from registry.seals.numbering import SEQUENCE, NumberFormat
from registry.seals.records import INQUIRING, INQUIRY_KIND

__all__ = ["BatchHooks", "Cancelled", "import_batches", "finish_import"]


class Cancelled(Exception):
    """The run was asked to stop (the admin page's 中止); committed batches stay and a rerun resumes."""


@dataclass
class BatchHooks:
    stamp_history: Callable[[Session, list[dict]], None]
    on_batch: Callable[[Session, ExchangeRun, list[str]], None]
    normalize: Callable[[bytes, float], tuple[bytes, float]]  # a scan or 1-bit file → normalised PNG, mm/px
    progress: Callable[[int, int], None] | None = None


def import_batches(session_factory: sessionmaker[Session], checked: CheckedSet, run_id: int, *, actor: str,
                   hooks: BatchHooks, batch_size: int = 2000) -> None:
    """Import every registration after the run's checkpoint, one batch per transaction; raise Cancelled."""
    with session_factory() as session:
        start = session.get_one(ExchangeRun, run_id).done
    total = len(checked.registrations)
    for first in range(start, total, batch_size):
        rows = list(range(first, min(first + batch_size, total)))
        with session_factory.begin() as session:
            run = session.get_one(ExchangeRun, run_id, with_for_update=True)
            if run.cancel_requested:
                raise Cancelled
            _write_batch(session, checked, rows, actor, hooks)
            run.done, run.batches, run.updated_at = rows[-1] + 1, run.batches + 1, utcnow()
            hooks.on_batch(session, run, [checked.registrations[i][1][R["登録番号"]] for i in rows])
        if hooks.progress:
            hooks.progress(rows[-1] + 1, total)


def _write_batch(session: Session, checked: CheckedSet, rows: list[int], actor: str, hooks: BatchHooks) -> None:
    blobs: dict[str, dict] = {}
    impressions: list[dict] = []
    for i in rows:
        line, c = checked.registrations[i]
        facts = checked.impressions[i]
        assert facts is not None  # a checked set holds a measured impression for every registration row
        data = (checked.directory / c[R["印影ファイル"]]).read_bytes()
        dpi, filename = float(c[R["印影解像度"]]), c[R["印影ファイル"]].rsplit("/", 1)[-1][:200]
        sha = image_sha = _blob(blobs, data, facts.media_type, filename, actor)
        mm_per_px = facts.mm_per_px
        if not facts.normalized:  # a scan on paper or a black 1-bit file: normalised like a counter scan
            png, mm_per_px = hooks.normalize(data, dpi)
            image_sha = _blob(blobs, png, "image/png", "impression.png", actor)
        impressions.append({"resident_id": c[R["宛名番号"]], "image_blob": image_sha, "scan_blob": sha,
                            "dpi": dpi, "mm_per_px": mm_per_px, "width_mm": facts.width_mm,
                            "height_mm": facts.height_mm, "square_mm": facts.square_mm, "shape": facts.shape,
                            "warnings_json": json.dumps(list(facts.warnings), ensure_ascii=False),
                            "override_reason": None, "stored_by": actor, "stored_at": utcnow(), "instance_id": None})
    _put_blobs(session, list(blobs.values()))
    impression_ids = session.scalars(insert(Impression).returning(Impression.id, sort_by_parameter_order=True),
                                     impressions).all()
    records = [_record(checked.registrations[i][1], impression_id) for i, impression_id in zip(rows, impression_ids,
                                                                                               strict=True)]
    registration_ids = session.scalars(insert(Registration).returning(Registration.id, sort_by_parameter_order=True),
                                       records).all()
    history, certificates = [], []
    for i, registration_id in zip(rows, registration_ids, strict=True):
        number = checked.registrations[i][1][R["登録番号"]]
        for _, h in checked.history.get(number, []):
            history.append({"registration_id": registration_id, "reason": h[H["異動事由"]],
                            "effective_date": date.fromisoformat(h[H["異動日"]]),
                            "processed_at": _utc(h[H["処理日時"]]), "operator": h[H["処理者"]], "instance_id": None,
                            "before_json": h[H["異動前"]] or "{}", "after_json": h[H["異動後"]] or "{}"})
        for _, c in checked.certificates.get(number, []):
            year, sequence = (int(part) for part in _serial_parts(c[C["証明書番号"]]))
            certificates.append({"serial": c[C["証明書番号"]], "year": year, "sequence": sequence,
                                 "registration_id": registration_id, "channel": L.CHANNELS[c[C["交付方法"]]],
                                 "issued_at": _jst(c[C["交付日時"]]), "issued_by": c[C["交付者"]],
                                 "blob_sha256": ""})  # the PDF stays with the previous system
    if certificates:
        session.execute(insert(IssuedCertificate), certificates)
    if history:  # last: stamping locks the chain heads, and a writer locks nothing after them (chain.py)
        hooks.stamp_history(session, history)
        session.execute(insert(HistoryEntry), history)


def _blob(blobs: dict[str, dict], data: bytes, media_type: str, filename: str, actor: str) -> str:
    sha = hashlib.sha256(data).hexdigest()
    blobs[sha] = {"sha256": sha, "media_type": media_type, "size": len(data), "data": data, "filename": filename,
                  "created_by": actor}
    return sha


def _put_blobs(session: Session, blobs: list[dict]) -> None:
    if not blobs:
        return
    present = set(session.scalars(select(Blob.sha256).where(Blob.sha256.in_([b["sha256"] for b in blobs]))))
    fresh = [b | {"created_at": utcnow()} for b in blobs if b["sha256"] not in present]
    if fresh:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(dialect.insert(Blob).on_conflict_do_nothing(index_elements=["sha256"]), fresh)


def _record(c: tuple, impression_id: int) -> dict:
    def text(name: str) -> str | None:
        return c[R[name]] or None

    def day(name: str) -> date | None:
        return date.fromisoformat(c[R[name]]) if c[R[name]] else None

    card_kind = text("登録証種別")
    card_number = text("登録証番号")
    if card_kind == "印鑑登録証" and card_number is None:
        card_number = c[R["登録番号"]]
    return {"registration_number": c[R["登録番号"]], "registered_on": day("登録年月日"),
            "status": L.STATUSES[c[R["状態"]]], "resident_id": c[R["宛名番号"]], "household_id": c[R["世帯番号"]],
            "name": c[R["氏名"]], "kana": c[R["氏名カナ"]], "old_surname": text("旧氏"), "common_name": text("通称"),
            "katakana_name": text("併記名"), "birth_date": day("生年月日"), "sex": L.SEXES[c[R["性別"]]],
            "address": c[R["住所"]], "impression_id": impression_id,
            "impression_name": L.SHOWN_NAMES.get(c[R["印影の表す氏名"]]),
            "identity_path": L.IDENTITY_PATHS[c[R["本人確認方法"]]], "card_kind": card_kind, "card_number": card_number,
            "mynumber_cert_serial": text("電子証明書シリアル番号"), "suspended_from": day("一時停止開始日"),
            "suspended_until": day("一時停止終了日"), "closed_on": day("状態異動日"),
            "close_reason": text("状態異動事由"), "instance_id": None, "guarantor_number": text("保証人登録番号")}


def _utc(text: str) -> datetime:
    return parse_moment(text).astimezone(UTC).replace(tzinfo=None)


def _jst(text: str) -> datetime:
    return parse_moment(text).astimezone(JST).replace(tzinfo=None)


def finish_import(session: Session, checked: CheckedSet, *, actor: str, number_format: NumberFormat) -> dict:
    """Pending 照会 applications, and the counters set past the highest imported number and serials (1.3.2, 6.1).

    Runs once, in the run's last transaction (after every batch). An imported 4.1.4 application has no flow
    instance here: it gets a negative instance id (never a real one) and keeps the previous system's 照会番号.
    """
    lowest = session.scalar(select(func.min(Application.instance_id))) or 0
    next_id = min(lowest, 0) - 1
    inquiries = []
    for _, q in checked.inquiries:
        inquiries.append({"instance_id": next_id, "kind": INQUIRY_KIND, "resident_id": q[Q["宛名番号"]],
                          "status": L.INQUIRY_STATUS.get(q[Q["状態"]], INQUIRING), "reason": None, "detail": None,
                          "created_at": _utc(q[Q["受付日時"]]), "closed_at": None, "operator": q[Q["受付者"]],
                          "check_code": None, "external_number": q[Q["照会番号"]]})
        next_id -= 1
    if inquiries:
        session.execute(insert(Application), inquiries)
    counters = {}
    serials = [int(c[R["登録番号"]][: number_format.serial_digits]) for _, c in checked.registrations]
    if serials:
        counters[SEQUENCE] = max(serials)
    for entries in checked.certificates.values():
        for _, c in entries:
            year, sequence = (int(part) for part in _serial_parts(c[C["証明書番号"]]))
            name = f"certificate:{year}"
            counters[name] = max(counters.get(name, 0), sequence)
    for name, value in counters.items():
        _raise_counter(session, name, value)
    return counters


def _raise_counter(session: Session, name: str, value: int) -> None:
    """The counter at least `value` (never lowered: numbers are never reused)."""
    row = session.get(NumberSequence, name, with_for_update=True)
    if row is None:
        session.add(NumberSequence(name=name, last_value=value))
        session.flush()
    elif row.last_value < value:
        session.execute(update(NumberSequence).where(NumberSequence.name == name).values(last_value=value))


def _serial_parts(serial: str) -> tuple[str, ...]:
    """(year, sequence) of a certificate serial the check has already matched against SERIAL."""
    match = SERIAL.fullmatch(serial)
    assert match is not None  # checked rows only
    return match.groups()
