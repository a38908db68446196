"""Figures: one 印鑑登録証明書 (time, size) and 1,000 certificates in one batch PDF; optionally render the docs PNGs.

Targets (issue 4): ≤ 20 ms and ≤ 150 KB per certificate; 1,000 certificates in one batch PDF ≤ 30 s.
Warm figures are what a server sees: the same process, every certificate a different record and impression.
Run: .venv/bin/python bench/printing_certificates.py [--n 1000] [--repeat 200] [--docs docs/printing]
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

import printing
from printing.fonts import DEFAULT_MINCHO

KEY = b"bench-demo-key"
ISSUED_AT = datetime(2025, 11, 22, 14, 5)


def sample_office() -> printing.Office:
    return printing.Office(
        municipality="見本市",
        mayor_title="見本市長",
        mayor_name="見本 一郎",
        section="市民課",
        contact="見本市役所 市民課 印鑑登録係\n〒100-0001 見本市中央一丁目1番1号　電話 0120-000-000（内線 123）",
    )


def sample_record(number: int = 12345) -> printing.RegistrationRecord:
    return printing.RegistrationRecord(
        registration_number=f"{number:08d}",
        status="登録",
        registered_on=date(2025, 11, 22),
        name="髙﨑　花子",
        kana="タカサキ　ハナコ",
        old_surname="佐藤",
        common_name=None,
        katakana_name=None,
        birth_date=date(1989, 1, 7),
        sex="女",
        address="見本市中央三丁目4番5号　見本マンション101号室",
        household_id="H0004567",
        resident_id="R000123456",
        card_kind="印鑑登録証",
        card_number=f"{number:08d}",
    )


def sample_impression(variant: int | None = None) -> printing.Impression:
    """A red 15 mm round seal reading 「髙﨑」 (16 mm image at 0.05 mm/px).

    ``variant`` adds a few ink dots spelling the number, so every certificate of the bench carries its own
    impression (a server prints a different person's seal each time; nothing may be cached across them).
    """
    image = Image.new("RGBA", (320, 320), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 309, 309), outline=(200, 30, 30, 255), width=16)
    font = _seal_font()
    for index, char in enumerate("髙﨑"):
        draw.text((160, 100 + index * 120), char, font=font, fill=(200, 30, 30, 255), anchor="mm")
    for bit in range(12 if variant is not None else 0):
        if variant >> bit & 1:
            draw.rectangle((1, 100 + bit * 10, 5, 104 + bit * 10), fill=(200, 30, 30, 255))
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return printing.Impression(png=buffer.getvalue(), mm_per_px=0.05, width_mm=16.0, height_mm=16.0)


@lru_cache(maxsize=1)
def _seal_font() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(DEFAULT_MINCHO, 110)


def sample_request(
    index: int = 0, impression: printing.Impression | None = None
) -> printing.CertificateRequest:
    record = sample_record(12345 + index)
    serial = f"C2025-{index + 1:06d}"
    issued_at = ISSUED_AT + timedelta(seconds=index)
    payload = printing.certificate_payload(serial, issued_at, record.registration_number, KEY)
    return printing.CertificateRequest(
        record=record,
        impression=impression or sample_impression(),
        serial=serial,
        issued_at=issued_at,
        qr_payload=f"https://inkan.example.jp/verify?p={payload}",
    )


def distinct_requests(count: int, start: int = 0) -> list[printing.CertificateRequest]:
    """``count`` certificates of different records, each with its own impression (built before timing)."""
    return [sample_request(index, sample_impression(index)) for index in range(start, start + count)]


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def bench(n: int, repeat: int) -> None:
    office, seal = sample_office(), printing.demo_office_seal_png()
    requests = distinct_requests(repeat + 1)
    (_, cold, cold_cpu) = _timed(lambda: printing.certificate(requests[0], office, office_seal_png=seal))
    print(
        f"cold (first certificate of the process: font parsing, caches): {cold * 1000:.1f} ms "
        f"(CPU {cold_cpu * 1000:.1f} ms)"
    )
    runs = [
        _timed(lambda r=request: printing.certificate(r, office, office_seal_png=seal))
        for request in requests[1:]
    ]
    wall, cpu = [run[1] for run in runs], [run[2] for run in runs]
    print(
        f"one certificate, warm (n={repeat}, each a new record and impression): "
        f"median {statistics.median(wall) * 1000:.1f} ms, p95 {percentile(wall, 0.95) * 1000:.1f} ms, "
        f"max {max(wall) * 1000:.1f} ms (CPU median {statistics.median(cpu) * 1000:.1f} ms, "
        f"p95 {percentile(cpu, 0.95) * 1000:.1f} ms); size max {max(len(run[0]) for run in runs) / 1024:.1f} KB "
        "(targets ≤ 20 ms, ≤ 150 KB)"
    )
    batch_requests = distinct_requests(n, start=repeat + 1)
    batch, elapsed, elapsed_cpu = _timed(
        lambda: printing.certificates_batch(batch_requests, office, office_seal_png=seal)
    )
    print(
        f"{n} certificates in one PDF: {elapsed:.2f} s (CPU {elapsed_cpu:.2f} s), {len(batch) / 1024 / 1024:.1f} MB "
        f"({len(batch) / n / 1024:.1f} KB/page) (target ≤ 30 s for 1,000)"
    )


def _timed(render: Callable[[], bytes]) -> tuple[bytes, float, float]:
    """The PDF, wall seconds and CPU seconds of one call (CPU time shows the cost when other jobs share the cores)."""
    wall, cpu = time.perf_counter(), time.process_time()
    pdf = render()
    return pdf, time.perf_counter() - wall, time.process_time() - cpu


def sample_documents() -> dict[str, bytes]:
    """Every document, rendered from the sample data (for docs/printing/<name>.png)."""
    office, record = sample_office(), sample_record()
    history = [
        printing.HistoryLine(
            datetime(2025, 11, 22, 9, 30), date(2025, 11, 22), "登録", "市民課 職員01", "新規登録"
        ),
        printing.HistoryLine(
            datetime(2026, 3, 2, 10, 0), date(2026, 3, 1), "住所変更", "市民課 職員02", "住所を変更"
        ),
    ]
    addressee = printing.Addressee("100-0002", "見本市中央三丁目4番5号\n見本マンション101号室", "髙﨑　花子")
    inquiry = printing.Inquiry(
        "Q2025-000123", "印鑑登録申請", date(2025, 11, 20), date(2025, 12, 19), "髙﨑　花子", addressee
    )
    notice = printing.DeletionNotice(
        "00012345", "髙﨑　花子", date(2026, 4, 1), "住民基本台帳からの転出", addressee
    )
    closure = printing.Closure(date(2026, 4, 1), "転出による抹消")
    seal = printing.demo_office_seal_png()
    return {
        "confirmation_sheet": printing.confirmation_sheet(
            record, history, sample_impression(), office, issued_at=ISSUED_AT
        ),
        "closed_record_sheet": printing.closed_record_sheet(
            record, history, sample_impression(), office, closure=closure, issued_at=ISSUED_AT
        ),
        "inquiry_letter": printing.inquiry_letter(inquiry, office, issued_on=date(2025, 11, 21)),
        "certificate": printing.certificate(sample_request(), office, office_seal_png=seal),
        "deletion_notice": printing.deletion_notice(notice, office, issued_on=date(2026, 4, 2)),
        "registration_card": printing.registration_card("00012345", office, issued_on=date(2025, 11, 22)),
    }


def render_docs(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, pdf in sample_documents().items():
            source = Path(tmp) / f"{name}.pdf"
            source.write_bytes(pdf)
            dpi = "300" if name == "registration_card" else "100"
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    dpi,
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-png",
                    "-singlefile",
                    str(source),
                    str(folder / name),
                ],
                check=True,
            )
            print(f"{folder / name}.png  ({(folder / f'{name}.png').stat().st_size / 1024:.0f} KB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000, help="certificates in the batch PDF")
    parser.add_argument("--repeat", type=int, default=200, help="single certificates timed warm")
    parser.add_argument("--docs", type=Path, help="also render each document to <dir>/<name>.png")
    args = parser.parse_args()
    if args.docs:
        render_docs(args.docs)
    bench(args.n, args.repeat)


if __name__ == "__main__":
    main()
