"""Sample records, offices and synthetic impressions for the printing tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from io import BytesIO
from types import SimpleNamespace
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader

from printing import HistoryLine, Impression, Office, RegistrationRecord, confirmation_sheet

MINCHO = "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"
ISSUED_AT = datetime(2025, 11, 22, 14, 5)


def make_office() -> Office:
    return Office(
        municipality="見本市",
        mayor_title="見本市長",
        mayor_name="見本 一郎",
        section="市民課",
        contact="見本市役所 市民課 印鑑登録係\n〒100-0001 見本市中央一丁目1番1号　電話 0120-000-000（内線 123）",
    )


def make_record(**changes: object) -> RegistrationRecord:
    values: dict[str, object] = {
        "registration_number": "00012345",
        "status": "登録",
        "registered_on": date(2025, 11, 22),
        "name": "髙﨑　花子",
        "kana": "タカサキ　ハナコ",
        "old_surname": "佐藤",
        "common_name": None,
        "katakana_name": None,
        "birth_date": date(1989, 1, 7),
        "sex": "女",
        "address": "見本市中央三丁目4番5号　見本マンション101号室",
        "household_id": "H0004567",
        "resident_id": "R000123456",
        "card_kind": "印鑑登録証",
        "card_number": "00012345",
    }
    values.update(changes)
    return RegistrationRecord(**values)  # type: ignore[arg-type]


def make_history(count: int) -> list[HistoryLine]:
    start = datetime(2025, 11, 22, 9, 30)
    reasons = ("登録", "修正", "住所変更", "一時停止", "停止解除")
    return [
        HistoryLine(
            processed_at=start + timedelta(days=index, minutes=index),
            effective_date=(start + timedelta(days=index)).date(),
            reason=reasons[index % len(reasons)],
            operator=f"市民課 職員{index + 1:02d}",
            summary=f"履歴{index + 1:03d} 住所を変更 <&>",
        )
        for index in range(count)
    ]


def png_bytes(image: Image.Image) -> bytes:
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def disc_impression(width_px: int = 300, height_px: int = 300, mm_per_px: float = 0.05) -> Impression:
    """A black disc (or ellipse) filling a transparent RGBA image of ``width_px`` × ``height_px``."""
    image = Image.new("RGBA", (width_px, height_px), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((0, 0, width_px - 1, height_px - 1), fill=(0, 0, 0, 255))
    return Impression(
        png=png_bytes(image),
        mm_per_px=mm_per_px,
        width_mm=width_px * mm_per_px,
        height_mm=height_px * mm_per_px,
    )


def seal_impression() -> Impression:
    """A red 15 mm round seal reading 「髙﨑」 with a little transparent margin (16 mm image)."""
    image = Image.new("RGBA", (320, 320), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 309, 309), outline=(200, 30, 30, 255), width=16)
    font = ImageFont.truetype(MINCHO, 110)
    for index, char in enumerate("髙﨑"):
        draw.text((160, 100 + index * 120), char, font=font, fill=(200, 30, 30, 255), anchor="mm")
    return Impression(png=png_bytes(image), mm_per_px=0.05, width_mm=15.0, height_mm=15.0)


@pytest.fixture
def office() -> Office:
    return make_office()


@pytest.fixture
def record() -> RegistrationRecord:
    return make_record()


@pytest.fixture
def history() -> list[HistoryLine]:
    return make_history(3)


@pytest.fixture
def render(record: RegistrationRecord, history: list[HistoryLine], office: Office) -> Callable[..., bytes]:
    """Render a confirmation sheet from the sample data; keyword arguments override any input."""

    def _render(**overrides: Any) -> bytes:
        inputs: dict[str, Any] = {
            "record": record,
            "history": history,
            "impression": seal_impression(),
            "office": office,
            "issued_at": ISSUED_AT,
        }
        inputs.update(overrides)
        return confirmation_sheet(**inputs)

    return _render


@pytest.fixture
def pdf_pages() -> Callable[[bytes], list[str]]:
    """Extract each page's text with pypdf, all whitespace removed."""

    def _pages(pdf: bytes) -> list[str]:
        return ["".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages]

    return _pages


@pytest.fixture
def factories() -> SimpleNamespace:
    """The sample builders, for tests that need variants."""
    return SimpleNamespace(
        record=make_record,
        history=make_history,
        office=make_office,
        disc=disc_impression,
        seal=seal_impression,
        png=png_bytes,
    )
