import re
from collections.abc import Callable
from io import BytesIO
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from printing import FontSet, Impression, PrintingError, UnprintableCharacterError

Render = Callable[..., bytes]
Pages = Callable[[bytes], list[str]]


def test_sheet_shows_title_record_and_wareki_dates(render: Render, pdf_pages: Pages) -> None:
    [page] = pdf_pages(render())
    for text in (
        "印鑑登録原票確認票",
        "4.1.2.2",
        "見本市市民課",
        "出力日時令和7年11月22日14:05",
        "登録番号00012345",
        "状態登録",
        "登録年月日令和7年11月22日",
        "髙﨑花子",
        "旧氏佐藤",
        "タカサキハナコ",
        "生年月日昭和64年1月7日",
        "性別女",
        "見本市中央三丁目4番5号",
        "世帯番号H0004567",
        "R000123456",
        "印鑑登録証00012345",
        "登録印影",
        "縦15.0mm×横15.0mm",
        "異動履歴（全3件）",
        "1/1",
    ):
        assert text in page, text


def test_optional_name_lines_appear_only_when_recorded(
    render: Render, pdf_pages: Pages, factories: SimpleNamespace
) -> None:
    record = factories.record(old_surname=None, common_name="田中　花", katakana_name="タナカ　ハナ")
    [page] = pdf_pages(render(record=record))
    assert "通称田中花" in page and "カタカナ表記タナカハナ" in page
    assert "旧氏" not in page


def test_history_lines_are_printed_with_escaped_markup(render: Render, pdf_pages: Pages) -> None:
    [page] = pdf_pages(render())
    for number, reason in ((1, "登録"), (2, "修正"), (3, "住所変更")):
        assert f"{reason}市民課職員{number:02d}履歴{number:03d}住所を変更<&>" in page
    assert "令和7年11月24日09:32令和7年11月24日" in page


def test_sixty_history_lines_flow_onto_a_second_page(
    render: Render, pdf_pages: Pages, factories: SimpleNamespace
) -> None:
    pages = pdf_pages(render(history=factories.history(60)))
    assert len(pages) == 2
    assert "1/2" in pages[0] and "2/2" in pages[1]
    assert "処理日時異動日異動事由処理者内容" in pages[1]  # header row repeats
    assert "印鑑登録原票確認票（続き）登録番号00012345髙﨑花子" in pages[1]
    everything = "".join(pages)
    assert all(f"履歴{number:03d}" in everything for number in range(1, 61))
    assert "履歴060" in pages[1]


def test_empty_history_and_missing_impression_are_stated(
    render: Render, pdf_pages: Pages, factories: SimpleNamespace
) -> None:
    record = factories.record(card_kind=None, card_number=None, status="抹消")
    [page] = pdf_pages(render(record=record, history=[], impression=None))
    for text in ("異動履歴（全0件）", "（異動履歴はありません）", "（印影未登録）", "（未交付）", "状態抹消"):
        assert text in page, text


def test_reprint_is_marked_with_its_reason(
    render: Render, pdf_pages: Pages, factories: SimpleNamespace
) -> None:
    pages = pdf_pages(render(reprint_reason="登録証の汚損", history=factories.history(60)))
    assert "再発行" in pages[0] and "再発行理由：登録証の汚損" in pages[0]
    assert "【再発行】印鑑登録原票確認票（続き）" in pages[1]
    assert "再発行" not in pdf_pages(render())[0]


def test_pdf_metadata(render: Render) -> None:
    metadata = PdfReader(BytesIO(render())).metadata
    assert metadata is not None
    assert metadata.title == "印鑑登録原票確認票"
    assert metadata.author == "見本市 市民課"
    assert metadata.subject is not None and "00012345" in metadata.subject


def test_pdf_embeds_truetype_subsets_not_cid_fonts(render: Render) -> None:
    pdf = render()
    assert b"/FontFile2" in pdf
    assert b"/Type0" not in pdf and b"UniJIS" not in pdf
    assert re.search(rb"/Subtype /TrueType", pdf)


def test_output_is_deterministic(render: Render) -> None:
    assert render() == render()


@pytest.mark.parametrize(
    ("overrides", "char", "field"),
    [
        ({"name": "𠮷野　太郎"}, "𠮷", "氏名"),
        ({"address": "見本市中央\ue000丁目"}, "\ue000", "住所"),
        ({"common_name": "𠮷田"}, "𠮷", "通称"),
    ],
)
def test_unprintable_record_field_is_refused(
    render: Render, factories: SimpleNamespace, overrides: dict[str, str], char: str, field: str
) -> None:
    with pytest.raises(UnprintableCharacterError) as caught:
        render(record=factories.record(**overrides))
    assert (caught.value.char, caught.value.field) == (char, field)
    assert caught.value.message.startswith(f"{field} に印字できない文字「{char}」")


def test_unprintable_history_line_names_its_row(render: Render, factories: SimpleNamespace) -> None:
    history = factories.history(3)
    history[1] = history[1].__class__(**{**history[1].__dict__, "summary": "氏名を𠮷野に修正"})
    with pytest.raises(UnprintableCharacterError) as caught:
        render(history=history)
    assert caught.value.field == "異動履歴2行目の内容"


def test_unprintable_reprint_reason_is_refused(render: Render) -> None:
    with pytest.raises(UnprintableCharacterError) as caught:
        render(reprint_reason="\ue000")
    assert caught.value.field == "再発行理由"


def test_missing_font_is_reported(render: Render) -> None:
    with pytest.raises(PrintingError) as caught:
        render(fonts=FontSet(mincho_path="/nonexistent/m.ttf", gothic_path="/nonexistent/g.ttf"))
    assert caught.value.code == "font_missing"


def test_impression_larger_than_its_box_is_refused(render: Render, factories: SimpleNamespace) -> None:
    with pytest.raises(PrintingError) as caught:
        render(impression=factories.disc(1000, 1000, 0.05))
    assert caught.value.code == "impression_too_large"


@pytest.mark.parametrize(
    "impression",
    [Impression(png=b"not a png", mm_per_px=0.05, width_mm=15, height_mm=15), None],
)
def test_unreadable_impression_is_refused(
    render: Render, factories: SimpleNamespace, impression: Impression | None
) -> None:
    impression = impression or Impression(png=factories.disc().png, mm_per_px=0.0, width_mm=15, height_mm=15)
    with pytest.raises(PrintingError) as caught:
        render(impression=impression)
    assert caught.value.code == "invalid_impression"
