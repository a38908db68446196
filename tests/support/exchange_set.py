"""Generated exchange sets (docs/exchange/ layout) for the import/export tests and bench/exchange.py.

Residents come from the simulated register of the target database, so every active record names a resident the
register knows. Impressions are a few real normalised impressions (imaging), each file made unique by a PNG text
chunk carrying its number (same pixels, different bytes: every record gets its own blob, as in real data).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import struct
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

import imaging
from juki.models import SimResident
from registry.exchange import layout as L
from registry.seals.models import Registration
from registry.seals.numbering import NumberFormat, format_number

__all__ = ["GeneratedSet", "impression_pngs", "residents_for", "spoil", "unique_png", "write_set"]

SHAPES = ("round", "square", "oval")
DEFAULT_FORMAT = NumberFormat()


@dataclass
class GeneratedSet:
    directory: Path
    numbers: list[str]
    residents: list[str]
    history: int
    certificates: int
    inquiries: int


def impression_pngs(count: int = 4) -> list[bytes]:
    """`count` normalised impressions (RGBA PNG at 300 dpi), as the counter would store them."""
    pngs = []
    for i in range(count):
        scan = imaging.load_scan(imaging.make_seal_scan("山田川本森"[i % 5] + "印", dpi=300, size_mm=12 + i % 8,
                                                        shape=SHAPES[i % 3], seed=i))
        pngs.append(imaging.normalize_impression(scan, imaging.measure_impression(scan)).png)
    return pngs


def unique_png(png: bytes, tag: str) -> bytes:
    """The same picture with a tEXt chunk after IHDR: different bytes, identical pixels."""
    body = b"inkan-id\0" + tag.encode("ascii")
    chunk = struct.pack(">I", len(body)) + b"tEXt" + body + struct.pack(">I", zlib.crc32(b"tEXt" + body))
    return png[:33] + chunk + png[33:]


def residents_for(session, count: int, *, skip: int = 0) -> list[SimResident]:
    """Current residents of the simulated register without an active record, in id order, after `skip`."""
    registered = select(Registration.resident_id).where(Registration.status == "registered")
    query = (select(SimResident).where(SimResident.status == "resident", SimResident.resident_id.not_in(registered))
             .order_by(SimResident.resident_id).offset(skip).limit(count))
    return list(session.scalars(query))


def write_set(directory: Path, residents: list, *, first_serial: int, number_format: NumberFormat = DEFAULT_FORMAT,
              history_per_record: int = 3, closed_every: int = 10, certificates_every: int = 3,
              inquiries: list | None = None, pngs: list[bytes] | None = None, package: dict | None = None,
              year: int = 2024) -> GeneratedSet:
    """Write a set of len(residents) registrations (numbers from first_serial) with history, certificates,
    pending 照会 for `inquiries` residents, and one impression file each. Every `closed_every`-th record is a
    除票 (廃止); the rest are active."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / L.IMAGE_DIR).mkdir(exist_ok=True)
    pngs = pngs or impression_pngs()
    numbers, certificate_count, history_count = [], 0, 0
    certificate_base = first_serial % 1_000_000 // 1000 * 1000  # sets with different numbers get different serials
    reg = _csv(directory / L.REGISTRATIONS, L.REGISTRATION_COLUMNS)
    hist = _csv(directory / L.HISTORY, L.HISTORY_COLUMNS)
    cert = _csv(directory / L.CERTIFICATES, L.CERTIFICATE_COLUMNS)
    base = date(2010, 4, 1)
    for i, person in enumerate(residents):
        number = format_number(first_serial + i, number_format)
        numbers.append(number)
        registered = base + timedelta(days=i % 4000)
        closed = closed_every and i % closed_every == closed_every - 1
        image = f"{L.IMAGE_DIR}/{number}.png"
        (directory / image).write_bytes(unique_png(pngs[i % len(pngs)], number))
        card_kind = "印鑑登録証" if i % 4 else "個人番号カード"
        reg[1].writerow((number, registered.isoformat(), "廃止" if closed else "登録",
                         (registered + timedelta(days=400)).isoformat() if closed else "", "本人の申請" if closed else "",
                         person.resident_id, person.household_id, person.name, person.old_surname or "",
                         person.common_name or "", person.katakana_name or "", person.kana,
                         person.birth_date.isoformat(), person.sex, person.address,
                         "保証書" if i % 7 == 3 else "官公署発行の写真付き証明書",
                         format_number(first_serial, number_format) if i % 7 == 3 and i else "", card_kind, "",
                         f"SN{i:010d}" if card_kind == "個人番号カード" else "", image, "300",
                         "氏名", "", ""))
        for k in range(history_per_record):
            moment = datetime(registered.year, registered.month, registered.day, 9, 0) + timedelta(days=30 * k,
                                                                                                   minutes=i % 500)
            reason, before, after = _history(k, number, person)
            hist[1].writerow((number, k + 1, reason, moment.date().isoformat(), moment.isoformat() + "+09:00",
                              f"clerk{i % 17}", json.dumps(before, ensure_ascii=False),
                              json.dumps(after, ensure_ascii=False)))
            history_count += 1
        if certificates_every and i % certificates_every == 0:
            certificate_count += 1
            cert[1].writerow((f"{year}-{certificate_base + certificate_count:06d}", number,
                              f"{year}-05-{1 + i % 28:02d}T10:{i % 60:02d}:00+09:00",
                              "窓口" if i % 2 else "コンビニ交付", "madoguchi" if i % 2 else "konbini-center"))
    inq = _csv(directory / L.INQUIRIES, L.INQUIRY_COLUMNS)
    for j, person in enumerate(inquiries or []):
        inq[1].writerow((f"OLD-{first_serial}-{j}", person.resident_id, f"{year}-11-0{1 + j % 9}T11:00:00+09:00",
                         "madoguchi", "照会中"))
    for handle, _ in (reg, hist, cert, inq):
        handle.close()
    if package is not None:
        _described(directory, package)
    return GeneratedSet(directory, numbers, [p.resident_id for p in residents], history_count, certificate_count,
                        len(inquiries or []))


def _history(k: int, number: str, person) -> tuple[str, dict, dict]:
    if k == 0:
        return "登録", {}, {"registration_number": number, "status": "registered", "name": person.name}
    if k == 1:
        return "登録証交付", {"card_kind": None}, {"card_kind": "印鑑登録証"}
    return "住所変更", {"address": "旧住所 " + str(k)}, {"address": person.address}


def _csv(path: Path, columns: tuple[str, ...]):
    handle = path.open("w", encoding="utf-8", newline="")
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(columns)
    return handle, writer


def _described(directory: Path, package: dict) -> None:
    described = json.loads(json.dumps(package))
    for resource in described["resources"]:
        data = (directory / resource["path"]).read_bytes()
        resource["bytes"], resource["hash"] = len(data), "sha256:" + hashlib.sha256(data).hexdigest()
    (directory / L.PACKAGE).write_text(json.dumps(described, ensure_ascii=False, indent=2) + "\n", "utf-8")


def spoil(directory: Path, number_in_database: str) -> None:
    """Put every kind of bad input of issue 17 point 5 into a written set (8 registrations, 1 inquiry at least):
    line 3 repeats line 2's number, line 5 takes a number already in the database, line 6 names a resident the
    register does not know, line 7 has a wrong check digit, line 8 a 性別 outside the code list, line 4's
    impression is not an image, history.csv is cut off mid-row and inquiries.csv is Shift_JIS."""
    path = directory / L.REGISTRATIONS
    cells = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))
    cells[2][0] = cells[1][0]
    cells[4][0] = number_in_database
    cells[5][5] = "999999999"
    cells[6][0] = cells[6][0][:-1] + str((int(cells[6][0][-1]) + 1) % 10)
    cells[7][13] = "不明"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(cells)
    path.write_bytes(out.getvalue().encode("utf-8"))
    (directory / cells[3][20]).write_bytes(b"%PDF-1.4 this is not an image")
    history = (directory / L.HISTORY).read_bytes()
    (directory / L.HISTORY).write_bytes(history[: len(history) * 2 // 3])
    (directory / L.INQUIRIES).write_bytes((directory / L.INQUIRIES).read_bytes().decode("utf-8").encode("shift_jis"))
