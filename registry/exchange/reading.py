"""Reading an exchange set: every file decoded, parsed and checked before anything is written.

Every problem becomes a ``Problem`` naming the file, the line (the header is line 1) and the field, in Japanese.
An error blocks the whole import (nothing is half-imported); a warning (an impression outside 8–25 mm) is
reported and the record is imported with the warning kept on its impression, as the counter would flag it.
The resident register and the impression measurement are given as ``Checks`` (the handlers wire juki and imaging).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.documents.models import IssuedCertificate
from registry.exchange import layout as L
from registry.seals import cards
from registry.seals.models import Application, RecordStatus, Registration
from registry.seals.numbering import NumberFormat, is_valid_number

__all__ = ["CheckedSet", "Checks", "ImpressionFacts", "JST", "Problem", "check_set", "parse_moment", "set_digest"]

JST = timezone(timedelta(hours=9), "JST")
SERIAL = re.compile(r"(\d{4})-(\d{6})")
LIMITS = {"氏名": 200, "氏名カナ": 200, "旧氏": 100, "通称": 200, "併記名": 200, "住所": 300, "宛名番号": 40,
          "世帯番号": 40, "状態異動事由": 200, "電子証明書シリアル番号": 60, "異動事由": 60, "処理者": 100,
          "受付者": 100, "交付者": 100, "照会番号": 40}
# columns whose values repeat across rows (codes, days, clerks, the record a history row belongs to)
SHARED_VALUES = {"登録番号", "状態", "性別", "本人確認方法", "登録証種別", "印影解像度", "印影の表す氏名", "登録年月日", "異動事由",
                 "異動日", "処理者", "交付方法", "交付者", "受付者", "世帯番号", "状態異動事由"}
ERROR, WARNING = "誤り", "注意"
WHOLE = "（ファイル全体）"  # the field of a problem with the whole file (encoding, size, header)
WHOLE_LINE = "（行全体）"  # … with a whole line (cut off, columns missing)
CHUNK = 500


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str
    message: str
    severity: str = ERROR

    def as_row(self) -> tuple:
        return (self.severity, self.file, "" if self.line is None else self.line, self.field, self.message)


REPORT_COLUMNS = ("区分", "ファイル", "行", "項目", "内容")


@dataclass(frozen=True)
class ImpressionFacts:
    """What measuring an impression file found (handlers.services.exchange measures with imaging)."""

    media_type: str
    mm_per_px: float
    width_mm: float
    height_mm: float
    square_mm: float
    shape: str
    warnings: tuple[str, ...] = ()
    within: bool = True  # inside the 8–25 mm rule
    normalized: bool = True  # already a normalised impression (RGBA PNG): stored as it is


class Checks(Protocol):
    def known_residents(self, resident_ids: list[str]) -> set[str]:
        """The ids the resident register knows."""

    def measure(self, items: list[tuple[Path, float]], progress: Callable[[int], None]) -> list[ImpressionFacts | str]:
        """Each impression file at its dpi measured, or why it cannot be used (Japanese)."""


@dataclass
class CheckedSet:
    directory: Path
    digest: str
    registrations: list[tuple[int, tuple]] = field(default_factory=list)  # (line, cells)
    history: dict[str, list[tuple[int, tuple]]] = field(default_factory=dict)  # by 登録番号
    inquiries: list[tuple[int, tuple]] = field(default_factory=list)
    certificates: dict[str, list[tuple[int, tuple]]] = field(default_factory=dict)  # by 登録番号
    impressions: list[ImpressionFacts | None] = field(default_factory=list)  # by registration row
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]


def col(columns: tuple[str, ...]) -> dict[str, int]:
    return {name: i for i, name in enumerate(columns)}


R, H, Q, C = col(L.REGISTRATION_COLUMNS), col(L.HISTORY_COLUMNS), col(L.INQUIRY_COLUMNS), col(L.CERTIFICATE_COLUMNS)


def set_digest(directory: Path) -> str:
    """sha256 over the set's CSV files (name and content): the same files give the same run to resume."""
    digest = hashlib.sha256()
    for name in (L.REGISTRATIONS, L.HISTORY, L.INQUIRIES, L.CERTIFICATES):
        path = directory / name
        digest.update(name.encode() + b"\0")
        if path.is_file():
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date-time; without an offset it is the office's time (JST). Returned aware."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=JST)


def check_set(directory: Path, session: Session, checks: Checks, *, number_format: NumberFormat,
              already_done: int = 0, progress: Callable[[int, int], None] | None = None) -> CheckedSet:
    """Read and check the whole set; ``already_done`` registrations are those a killed run already committed."""
    checked = CheckedSet(directory, set_digest(directory))
    problems = checked.problems
    declared = _declared_resources(directory, problems)
    tables = {name: _read_table(directory, name, columns, declared.get(name), problems)
              for name, columns in ((L.REGISTRATIONS, L.REGISTRATION_COLUMNS), (L.HISTORY, L.HISTORY_COLUMNS),
                                    (L.INQUIRIES, L.INQUIRY_COLUMNS), (L.CERTIFICATES, L.CERTIFICATE_COLUMNS))}
    if tables[L.REGISTRATIONS] is None:
        return checked
    checked.registrations = tables[L.REGISTRATIONS] or []
    numbers = _check_registrations(checked, session, number_format, already_done)
    _check_history(checked, tables[L.HISTORY] or [], numbers)
    _check_certificates(checked, session, tables[L.CERTIFICATES] or [], numbers, already_done)
    _check_inquiries(checked, session, checks, tables[L.INQUIRIES] or [])
    _check_residents(checked, checks)
    _check_impressions(checked, checks, progress)
    order = {name: i for i, name in enumerate((L.PACKAGE, L.REGISTRATIONS, L.HISTORY, L.INQUIRIES, L.CERTIFICATES))}
    problems.sort(key=lambda p: (order.get(p.file, 9), p.line or 0))  # the report reads file by file, line by line
    return checked


# ---- files ------------------------------------------------------------------------------------------------
def _declared_resources(directory: Path, problems: list[Problem]) -> dict[str, dict]:
    """The resources datapackage.json declares (their bytes and hash catch a truncated or altered file)."""
    path = directory / L.PACKAGE
    if not path.is_file():
        return {}
    try:
        package = json.loads(path.read_text("utf-8"))
        return {r["path"]: r for r in package.get("resources", []) if isinstance(r, dict) and "path" in r}
    except (ValueError, TypeError, KeyError):
        problems.append(Problem(L.PACKAGE, None, WHOLE, "datapackage.json を JSON として読めません"))
        return {}


def _read_table(directory: Path, name: str, columns: tuple[str, ...], declared: dict | None,
                problems: list[Problem]) -> list[tuple[int, tuple]] | None:
    path = directory / name
    if not path.is_file():
        if name == L.REGISTRATIONS:
            problems.append(Problem(name, None, WHOLE, "ファイルがありません"))
            return None
        return []
    data = path.read_bytes()
    if declared is not None:
        if "bytes" in declared and declared["bytes"] != len(data):
            problems.append(Problem(name, None, WHOLE, f"ファイルの大きさが datapackage.json の記載（{declared['bytes']} バイト）"
                                    f"と違います（{len(data)} バイト）。途中で切れているか、書き換えられています"))
        elif "hash" in declared and str(declared["hash"]).removeprefix("sha256:") != hashlib.sha256(data).hexdigest():
            problems.append(Problem(name, None, WHOLE, "ファイルのハッシュ値が datapackage.json の記載と違います"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        problems.append(Problem(name, line, WHOLE, "UTF-8 として読めない文字があります（Shift_JIS など別の文字コードで"
                                "書かれている可能性があります）。UTF-8 で書き出し直してください"))
        return None
    text = text.removeprefix("\ufeff")
    if text and not text.endswith("\n"):
        last = text.count("\n") + 1
        problems.append(Problem(name, last, WHOLE_LINE, "最後の行が改行で終わっていません（ファイルが途中で切れている可能性が"
                                "あります）"))
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, tuple]] = []
    try:
        header = next(reader, None)
        if header is None:
            problems.append(Problem(name, 1, WHOLE, "見出し行がありません"))
            return None
        if tuple(header) != columns:
            missing = [c for c in columns if c not in header]
            extra = [c for c in header if c not in columns]
            detail = "".join([f"足りない列: {'、'.join(missing)}。" if missing else "",
                              f"余分な列: {'、'.join(extra)}。" if extra else ""])
            problems.append(Problem(name, 1, WHOLE, f"見出し行が定められた列と違います。{detail or '列の順序が違います。'}"))
            return None
        line = reader.line_num
        shared = [i for i, c in enumerate(columns) if c in SHARED_VALUES]
        seen: dict[str, str] = {}
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not cells:
                continue
            if len(cells) != len(columns):
                problems.append(Problem(name, start, WHOLE_LINE, f"列の数が {len(cells)} です（見出しは {len(columns)} 列）。"
                                        "行が途中で切れているか、区切りが崩れています"))
                continue
            for i in shared:  # one string object per distinct value: 300,000 history rows share a few
                cells[i] = seen.setdefault(cells[i], cells[i])
            rows.append((start, tuple(cells)))
    except csv.Error as exc:
        problems.append(Problem(name, reader.line_num, WHOLE, f"CSV として読めません（{exc}）。引用符が閉じていない"
                                "（ファイルが途中で切れている）可能性があります"))
        return None
    required = [col(columns)[c] for c in L.REQUIRED[name]]
    for line, row in rows:
        for i in required:
            if not row[i].strip():
                problems.append(Problem(name, line, columns[i], "必須の項目が空です"))
        for i, value in enumerate(row):
            limit = LIMITS.get(columns[i])
            if limit and len(value) > limit:
                problems.append(Problem(name, line, columns[i], f"{limit} 文字を超えています（{len(value)} 文字）"))
            if "\x00" in value:
                problems.append(Problem(name, line, columns[i], "NUL 文字が含まれています"))
    return rows


# ---- values -----------------------------------------------------------------------------------------------
def _date(problems: list[Problem], file: str, line: int, name: str, value: str, required: bool = True) -> None:
    if not value and not required:
        return
    try:
        date.fromisoformat(value)
        if len(value) != 10:
            raise ValueError
    except ValueError:
        if value:
            problems.append(Problem(file, line, name, f"日付「{value}」は YYYY-MM-DD の形式で書いてください"))


def _moment(problems: list[Problem], file: str, line: int, name: str, value: str) -> None:
    try:
        parse_moment(value)
    except ValueError:
        if value:
            problems.append(Problem(file, line, name, f"日時「{value}」は ISO 8601（例 2024-04-01T09:30:00+09:00）で"
                                    "書いてください"))


def _code(problems: list[Problem], file: str, line: int, name: str, value: str, codes: dict[str, str],
          required: bool = True) -> None:
    if (value or required) and value and value not in codes:
        problems.append(Problem(file, line, name, f"「{value}」は使えない値です（{'・'.join(codes)} のいずれか）"))


def _serial_of(number: str, number_format: NumberFormat) -> int:
    return int(number[: number_format.serial_digits])


def _existing(session: Session, column, values: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(values), CHUNK):
        found |= set(session.scalars(select(column).where(column.in_(values[i:i + CHUNK]))))
    return found


def _check_registrations(checked: CheckedSet, session: Session, number_format: NumberFormat,
                         already_done: int) -> dict[str, int]:
    """Check every registration row; the row index by 登録番号 (first occurrence)."""
    problems, file = checked.problems, L.REGISTRATIONS
    index: dict[str, int] = {}
    active_residents: dict[str, int] = {}
    card_numbers: dict[str, int] = {}
    for i, (line, c) in enumerate(checked.registrations):
        number = c[R["登録番号"]]
        if number and not is_valid_number(number, number_format):
            problems.append(Problem(file, line, "登録番号", f"登録番号「{number}」の形式か検査数字が正しくありません"
                                    f"（{number_format.digits} 桁、検査数字 {number_format.check_digit}）"))
        if number in index:
            first = checked.registrations[index[number]][0]
            problems.append(Problem(file, line, "登録番号", f"登録番号「{number}」が重複しています（{first} 行目と同じ）"))
        else:
            index[number] = i
        for name in ("登録年月日", "生年月日"):
            _date(problems, file, line, name, c[R[name]])
        for name in ("状態異動日", "一時停止開始日", "一時停止終了日"):
            _date(problems, file, line, name, c[R[name]], required=False)
        _code(problems, file, line, "状態", c[R["状態"]], L.STATUSES)
        _code(problems, file, line, "性別", c[R["性別"]], L.SEXES)
        _code(problems, file, line, "本人確認方法", c[R["本人確認方法"]], L.IDENTITY_PATHS)
        _code(problems, file, line, "登録証種別", c[R["登録証種別"]], L.CARD_KINDS, required=False)
        _code(problems, file, line, "印影の表す氏名", c[R["印影の表す氏名"]], L.SHOWN_NAMES, required=False)
        status = L.STATUSES.get(c[R["状態"]])
        if status and status != RecordStatus.REGISTERED and not c[R["状態異動日"]]:
            problems.append(Problem(file, line, "状態異動日", "廃止・抹消された原票には状態異動日が必要です"))
        if status == RecordStatus.REGISTERED and c[R["宛名番号"]]:
            resident = c[R["宛名番号"]]
            if resident in active_residents:
                first = checked.registrations[active_residents[resident]][0]
                problems.append(Problem(file, line, "宛名番号", f"同じ住民の有効な登録が2件あります（{first} 行目と同じ"
                                        "宛名番号）。1人1個までです"))
            active_residents.setdefault(resident, i)
        guarantor = c[R["保証人登録番号"]]
        if guarantor and not is_valid_number(guarantor, number_format):
            problems.append(Problem(file, line, "保証人登録番号", f"保証人登録番号「{guarantor}」の形式か検査数字が"
                                    "正しくありません"))
        _check_card(problems, line, c, i, card_numbers, checked)
        try:
            dpi = float(c[R["印影解像度"]])
            if not 72 <= dpi <= 2400:
                raise ValueError
        except ValueError:
            if c[R["印影解像度"]]:
                problems.append(Problem(file, line, "印影解像度", "解像度（dpi）は 72〜2400 の数で書いてください"))
    _check_against_database(checked, session, index, active_residents, card_numbers, already_done)
    return index


def _check_card(problems: list[Problem], line: int, c: tuple, i: int, seen: dict[str, int],
                checked: CheckedSet) -> None:
    kind, number = c[R["登録証種別"]], c[R["登録証番号"]]
    if kind == cards.REGISTRATION_CARD:
        try:
            normal = cards.valid_card_number(number or c[R["登録番号"]])
        except cards.CardNumberError as exc:
            problems.append(Problem(L.REGISTRATIONS, line, "登録証番号", exc.message))
            return
        if number and normal != number:
            problems.append(Problem(L.REGISTRATIONS, line, "登録証番号", f"登録証番号は正規形（{normal}）で書いてください"))
        if normal in seen:
            first = checked.registrations[seen[normal]][0]
            problems.append(Problem(L.REGISTRATIONS, line, "登録証番号", f"登録証番号「{normal}」が重複しています"
                                    f"（{first} 行目と同じ）"))
        seen.setdefault(normal, i)
    elif number and kind != "個人番号カード":
        problems.append(Problem(L.REGISTRATIONS, line, "登録証種別", "登録証番号があるのに登録証種別が空です"))


def _check_against_database(checked: CheckedSet, session: Session, index: dict[str, int],
                            active_residents: dict[str, int], card_numbers: dict[str, int], already_done: int) -> None:
    problems, rows = checked.problems, checked.registrations
    for number in sorted(_existing(session, Registration.registration_number, list(index))):
        if index[number] >= already_done:  # rows before the checkpoint are this run's own, committed earlier
            problems.append(Problem(L.REGISTRATIONS, rows[index[number]][0], "登録番号",
                                    f"登録番号「{number}」は既にデータベースにあります"))
    query_residents = [r for r, i in active_residents.items() if i >= already_done]
    for i in range(0, len(query_residents), CHUNK):
        taken = session.scalars(select(Registration.resident_id).where(
            Registration.resident_id.in_(query_residents[i:i + CHUNK]),
            Registration.status == RecordStatus.REGISTERED))
        for resident in taken:
            problems.append(Problem(L.REGISTRATIONS, rows[active_residents[resident]][0], "宛名番号",
                                    "この住民は既にデータベースで印鑑登録されています（1人1個まで）"))
    for number in _existing(session, Registration.card_number, [n for n, i in card_numbers.items() if i >= already_done]):
        problems.append(Problem(L.REGISTRATIONS, rows[card_numbers[number]][0], "登録証番号",
                                f"登録証番号「{number}」は既にデータベースの原票の登録証番号です"))


def _check_history(checked: CheckedSet, rows: list[tuple[int, tuple]], numbers: dict[str, int]) -> None:
    problems, file = checked.problems, L.HISTORY
    seen: set[tuple[str, str]] = set()
    for line, c in rows:
        number = c[H["登録番号"]]
        if number not in numbers:
            problems.append(Problem(file, line, "登録番号", f"登録番号「{number}」の原票が registrations.csv にありません"))
            continue
        key = (number, c[H["履歴連番"]])
        if not c[H["履歴連番"]].isdigit():
            problems.append(Problem(file, line, "履歴連番", "履歴連番は 1 から始まる整数で書いてください"))
        elif key in seen:
            problems.append(Problem(file, line, "履歴連番", f"登録番号「{number}」の履歴連番 {key[1]} が重複しています"))
        seen.add(key)
        _date(problems, file, line, "異動日", c[H["異動日"]])
        _moment(problems, file, line, "処理日時", c[H["処理日時"]])
        for name in ("異動前", "異動後"):
            try:
                if c[H[name]] and not isinstance(json.loads(c[H[name]]), dict):
                    raise ValueError
            except ValueError:
                problems.append(Problem(file, line, name, "JSON のオブジェクト（{\"項目\": 値}）で書いてください"))
        checked.history.setdefault(number, []).append((line, c))
    for entries in checked.history.values():
        entries.sort(key=lambda e: int(e[1][H["履歴連番"]]) if e[1][H["履歴連番"]].isdigit() else 0)


def _check_certificates(checked: CheckedSet, session: Session, rows: list[tuple[int, tuple]],
                        numbers: dict[str, int], already_done: int) -> None:
    problems, file = checked.problems, L.CERTIFICATES
    serials: dict[str, int] = {}
    for line, c in rows:
        serial, number = c[C["証明書番号"]], c[C["登録番号"]]
        if serial and not SERIAL.fullmatch(serial):
            problems.append(Problem(file, line, "証明書番号", f"証明書番号「{serial}」は「年-6桁の連番」（例 2024-000123）"
                                    "で書いてください"))
        if serial in serials:
            problems.append(Problem(file, line, "証明書番号", f"証明書番号「{serial}」が重複しています（{serials[serial]} 行目と"
                                    "同じ）"))
        serials.setdefault(serial, line)
        if number not in numbers:
            problems.append(Problem(file, line, "登録番号", f"登録番号「{number}」の原票が registrations.csv にありません"))
        else:
            checked.certificates.setdefault(number, []).append((line, c))
        _moment(problems, file, line, "交付日時", c[C["交付日時"]])
        _code(problems, file, line, "交付方法", c[C["交付方法"]], L.CHANNELS)
    owner = {serial: c[C["登録番号"]] for _, c in rows for serial in (c[C["証明書番号"]],)}
    for serial in _existing(session, IssuedCertificate.serial, list(serials)):
        if numbers.get(owner.get(serial, ""), 0) >= already_done:
            problems.append(Problem(file, serials[serial], "証明書番号", f"証明書番号「{serial}」は既にデータベースにあります"))


def _check_inquiries(checked: CheckedSet, session: Session, checks: Checks, rows: list[tuple[int, tuple]]) -> None:
    problems, file = checked.problems, L.INQUIRIES
    seen: dict[str, int] = {}
    for line, c in rows:
        number = c[Q["照会番号"]]
        if number in seen:
            problems.append(Problem(file, line, "照会番号", f"照会番号「{number}」が重複しています（{seen[number]} 行目と同じ）"))
        seen.setdefault(number, line)
        _moment(problems, file, line, "受付日時", c[Q["受付日時"]])
        _code(problems, file, line, "状態", c[Q["状態"]], L.INQUIRY_STATUS)
    checked.inquiries = rows
    for number in _existing(session, Application.external_number, list(seen)):
        problems.append(Problem(file, seen[number], "照会番号", f"照会番号「{number}」は既にデータベースにあります"))


def _check_residents(checked: CheckedSet, checks: Checks) -> None:
    """Active records and pending 照会 must name residents the register knows (a 除票's person may be gone)."""
    wanted: dict[str, list[tuple[str, int, str]]] = {}
    for line, c in checked.registrations:
        if L.STATUSES.get(c[R["状態"]]) == RecordStatus.REGISTERED and c[R["宛名番号"]]:
            wanted.setdefault(c[R["宛名番号"]], []).append((L.REGISTRATIONS, line, "宛名番号"))
    for line, c in checked.inquiries:
        if c[Q["宛名番号"]]:
            wanted.setdefault(c[Q["宛名番号"]], []).append((L.INQUIRIES, line, "宛名番号"))
    ids = list(wanted)
    known: set[str] = set()
    for i in range(0, len(ids), CHUNK):
        known |= checks.known_residents(ids[i:i + CHUNK])
    for resident in ids:
        if resident not in known:
            for file, line, name in wanted[resident]:
                checked.problems.append(Problem(file, line, name, f"宛名番号「{resident}」の住民が住民基本台帳に"
                                                "見つかりません"))


def _check_impressions(checked: CheckedSet, checks: Checks, progress: Callable[[int, int], None] | None) -> None:
    items, where = [], []
    root = checked.directory.resolve()
    checked.impressions = [None] * len(checked.registrations)
    for i, (line, c) in enumerate(checked.registrations):
        name = c[R["印影ファイル"]]
        path = (checked.directory / name).resolve()
        if not name:
            continue
        if root not in path.parents or not path.is_file():
            checked.problems.append(Problem(L.REGISTRATIONS, line, "印影ファイル", f"印影ファイル「{name}」がありません"))
            continue
        try:
            dpi = float(c[R["印影解像度"]])
        except ValueError:
            continue
        items.append((path, dpi))
        where.append((i, line, name))
    total = len(items)
    results = checks.measure(items, lambda n: progress(n, total) if progress else None)
    for (i, line, name), result in zip(where, results, strict=True):
        if isinstance(result, str):
            checked.problems.append(Problem(L.REGISTRATIONS, line, "印影ファイル", f"印影ファイル「{name}」: {result}"))
            continue
        checked.impressions[i] = result
        if not result.within:
            checked.problems.append(Problem(L.REGISTRATIONS, line, "印影ファイル",
                                            f"印影ファイル「{name}」: {result.width_mm:.1f}×{result.height_mm:.1f} mm で"
                                            "8〜25 mm の範囲外です（注意として取り込みます）", WARNING))
