import pytest

import printing
from printing import FontSet, PrintingError, UnprintableCharacterError, check_printable, default_fonts
from printing import fonts as fonts_module

EXPECTED_API = {
    "ATTESTATION",
    "CARD_SIZE",
    "Addressee",
    "CertificateRequest",
    "Closure",
    "DeletionNotice",
    "Inquiry",
    "certificate",
    "certificate_payload",
    "certificates_batch",
    "closed_record_sheet",
    "combined_document",
    "deletion_notice",
    "demo_office_seal_png",
    "inquiry_letter",
    "registration_card",
    "verify_certificate_payload",
    "FontSet",
    "HistoryLine",
    "Impression",
    "Office",
    "PrintingError",
    "RegistrationRecord",
    "UnprintableCharacterError",
    "check_printable",
    "confirmation_sheet",
    "default_fonts",
    "era_year",
    "to_wareki",
}


def test_public_api_is_exported() -> None:
    assert set(printing.__all__) == EXPECTED_API
    assert all(hasattr(printing, name) for name in printing.__all__)


def test_default_fonts_are_the_ipaex_truetype_files() -> None:
    fonts = default_fonts()
    assert fonts.mincho_path.endswith("ipaexfont-mincho/ipaexm.ttf")
    assert fonts.gothic_path.endswith("ipaexfont-gothic/ipaexg.ttf")


def test_default_fonts_names_a_missing_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts_module, "DEFAULT_MINCHO", "/nonexistent/mincho.ttf")
    with pytest.raises(PrintingError) as caught:
        default_fonts()
    assert caught.value.code == "font_missing"
    assert "/nonexistent/mincho.ttf" in caught.value.message


def test_check_printable_with_a_missing_font_file() -> None:
    missing = FontSet(mincho_path="/nonexistent/a.ttf", gothic_path="/nonexistent/b.ttf")
    with pytest.raises(PrintingError) as caught:
        check_printable("山田", "氏名", missing)
    assert caught.value.code == "font_missing"


@pytest.mark.parametrize(
    "text", ["髙﨑　花子", "渡邊 剝 鷗外", "〒100-0001\n見本市（内線 123）", "タカサキ ハナコ", ""]
)
def test_check_printable_accepts_text_both_fonts_cover(text: str) -> None:
    check_printable(text, "氏名", default_fonts())


@pytest.mark.parametrize(
    ("text", "char"), [("𠮷野　太郎", "𠮷"), ("山田\ue000子", "\ue000"), ("山田\t太郎", "\t")]
)
def test_check_printable_names_the_missing_character_and_field(text: str, char: str) -> None:
    with pytest.raises(UnprintableCharacterError) as caught:
        check_printable(text, "氏名", default_fonts())
    error = caught.value
    assert isinstance(error, PrintingError)
    assert (error.code, error.char, error.field) == ("unprintable_character", char, "氏名")
    assert f"(U+{ord(char):04X})" in error.message
    assert error.message.startswith("氏名 に印字できない文字「")
    assert error.message.endswith("外字登録が必要です")


def test_unprintable_message_matches_the_agreed_wording() -> None:
    error = UnprintableCharacterError("𠮷", "氏名")
    assert error.message == "氏名 に印字できない文字「𠮷」(U+20BB7) が含まれています。外字登録が必要です"
    assert str(error) == error.message


@pytest.mark.parametrize(("char", "shown"), [("\ue000", "\ue000"), ("\t", ""), ("\u200b", "")])
def test_message_shows_private_use_characters_but_not_controls(char: str, shown: str) -> None:
    assert UnprintableCharacterError(char, "住所").message.startswith(f"住所 に印字できない文字「{shown}」")
