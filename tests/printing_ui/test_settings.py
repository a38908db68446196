"""市区町村設定: an admin edits them in one place, each save is a version with an audit event; bad input refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

import printing
from handlers.environment import DEFAULT_VERIFY_URL
from registry.settings.store import municipality_history
from tests.printing_ui.conftest import audit_events, pdf_text, registration_id_of
from webui import create_app
from webui.config import ConfigurationError

FORM = {"municipality": "見本市", "mayor_title": "見本市長", "mayor_name": "見本　太郎", "section": "市民課",
        "contact": "〒100-0001 見本市中央一丁目1番1号　電話 0120-000-000", "show_sex": "1",
        "verify_url": DEFAULT_VERIFY_URL}


def versions(product) -> int:
    with product.session_factory() as session:
        return len(municipality_history(session, limit=1000))


def png(size: tuple[int, int], color=(200, 30, 30, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def restore_settings(login, office_seal):
    """Put the default texts back after a test changed them (other tests print with them)."""
    yield
    login("admin").post("/admin/settings", data=FORM)


def test_admin_changes_the_mayor_and_the_next_document_prints_it(login, product, driver, restore_settings):
    admin = login("admin")
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert "市区町村設定" in page and "公印" in page and 'name="mayor_name"' in page
    assert 'alt="公印の画像（現在の設定）"' in page  # the seal preview
    before = versions(product)
    response = admin.post("/admin/settings", data=FORM | {"mayor_name": "試験　花子", "note": "市長交代"},
                          follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "市区町村設定を保存しました" in html and "試験　花子" in html
    assert versions(product) == before + 1
    event = audit_events(product, "settings_changed")[-1]
    assert event["actor"] == "admin"
    assert event["changes"] == {"mayor_name": {"before": "見本　太郎", "after": "試験　花子"}}
    registered = driver.registered_person()
    response = login("madoguchi").post(f"/documents/registrations/{registration_id_of(product, registered.registration_number)}/print",
                                       data={"kind": "5.2 印鑑登録証"}, follow_redirects=True)
    assert response.status_code == 200
    with product.session_factory() as session:
        assert product.services.office(session).mayor_name == "試験　花子"


def test_the_card_and_sheets_print_the_saved_municipality(login, product, driver, restore_settings):
    login("admin").post("/admin/settings", data=FORM | {"municipality": "試験市", "mayor_title": "試験市長"})
    registered = driver.registered_person()
    client = login("madoguchi")
    registration_id = registration_id_of(product, registered.registration_number)
    client.post(f"/documents/registrations/{registration_id}/print", data={"kind": "5.2 印鑑登録証"})
    with product.session_factory() as session:
        from registry.seals import records

        card = next(d for d in records.documents_of(session, registration_id) if d.kind == "5.2 印鑑登録証")
    pdf = client.get(f"/documents/document/{card.id}.pdf").data
    assert "試験市" in pdf_text(pdf) and registered.registration_number in pdf_text(pdf)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("mayor_name", "", "市長の氏名を入力してください"),
    ("municipality", "市" * 41, "市区町村名は40文字以内"),
    ("section", "市民\u0007課", "制御文字"),
    ("mayor_name", "見本\ue000太郎", "U+E000"),
    ("verify_url", "http://inkan.example.jp/verify", "http:// はこのコンピュータでの試用（127.0.0.1 / localhost）に限ります"),
    ("verify_url", "ftp://inkan.example.jp/verify", "https:// で始まるURLにしてください"),
    ("verify_url", "inkan.example.jp/verify", "https:// で始まるURLにしてください"),
    ("verify_url", "https://inkan.example.jp/verify?lang=ja", "? や # は含めないでください"),
    ("verify_url", "https://inkan.example.jp/verify#top", "? や # は含めないでください"),
    ("verify_url", "https://clerk:secret@inkan.example.jp/verify", "利用者名やパスワードを含めないでください"),
    ("verify_url", "https://見本市.example.jp/verify", "空白や全角文字は使えません"),
    ("verify_url", "https://inkan.example.jp/確認", "空白や全角文字は使えません"),
    ("verify_url", "https://inkan.example.jp:99999/verify", "形式が正しくありません"),
    ("verify_url", "https://" + "a" * 95 + ".jp/verify", "100文字以内"),
])
def test_bad_texts_are_refused_in_japanese_and_nothing_is_saved(login, product, office_seal, field, value, message):
    before = versions(product)
    response = login("admin").post("/admin/settings", data=FORM | {field: value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and "入力内容に誤りがあります" in html
    assert versions(product) == before


@pytest.mark.parametrize(("data", "message"), [
    (b"GIF89a not a png", "PNG形式にしてください"),
    (b"\x89PNG\r\n\x1a\n" + b"broken" * 10, "読み込めません"),
    (png((40, 40)), "64〜3000ピクセル"),
    (png((300, 100)), "ほぼ正方形"),
    (png((200, 200), (0, 0, 0, 0)), "印影が見当たりません"),
    (png((200, 200), (255, 255, 255, 255)), "印影が見当たりません"),
])
def test_bad_office_seal_images_are_refused(login, product, office_seal, data, message):
    before = versions(product)
    response = login("admin").post("/admin/settings", data=FORM | {"office_seal": (io.BytesIO(data), "seal.png")},
                                   content_type="multipart/form-data")
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert versions(product) == before


def test_a_new_office_seal_is_kept_as_a_new_version(login, product, office_seal, restore_settings):
    seal = printing.demo_office_seal_png("試験市長", size_px=300)
    response = login("admin").post("/admin/settings", data=FORM | {"office_seal": (io.BytesIO(seal), "seal.png")},
                                   content_type="multipart/form-data")
    assert response.status_code == 302
    with product.session_factory() as session:
        history = municipality_history(session)
    assert history[0].office_seal_blob != history[1].office_seal_blob
    assert audit_events(product, "settings_changed")[-1]["changes"].keys() == {"office_seal_blob"}
    login("admin").post("/admin/settings", data=FORM | {"office_seal": (io.BytesIO(printing.demo_office_seal_png()),
                                                                          "seal.png")},
                        content_type="multipart/form-data")


@pytest.mark.parametrize("role", ["madoguchi", "backyard", "manager", "auditor"])
def test_only_admins_reach_the_settings(login, role):
    client = login(role)
    assert client.get("/admin/settings").status_code == 403
    assert client.post("/admin/settings", data=FORM).status_code == 403


def test_seeding_happens_once(product, office_seal):
    from handlers.services.settings import seed_settings
    from tests.printing_ui.conftest import ADMIN

    with product.session_factory.begin() as session:
        assert seed_settings(session, product.services, seal_png=None, actor=ADMIN) is None
        assert product.services.office(session).office_seal_blob  # the saved seal stays


@pytest.mark.parametrize(("url", "local"), [
    ("https://inkan.example.lg.jp/verify", False),
    ("https://www.city.example.jp:8443/inkan/verify", False),
    ("http://127.0.0.1:8000/verify", True),
    ("http://localhost:5000/verify", True),
])
def test_the_verify_url_is_saved_shown_and_audited(login, product, office_seal, restore_settings, url, local):
    admin = login("admin")
    response = admin.post("/admin/settings", data=FORM | {"verify_url": url}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "市区町村設定を保存しました" in page
    assert f'いま証明書に印字するURL: <span class="mono">{url}</span>' in page
    assert ("このコンピュータの中でしか開けません" in page) is local  # a phone could not open it
    with product.session_factory() as session:
        assert product.services.office(session).verify_url == url
    if url != DEFAULT_VERIFY_URL:
        assert audit_events(product, "settings_changed")[-1]["changes"]["verify_url"]["after"] == url


def test_an_empty_verify_url_means_the_default(login, product, office_seal, restore_settings):
    page = login("admin").post("/admin/settings", data=FORM | {"verify_url": "  "}, follow_redirects=True)
    assert f'いま証明書に印字するURL: <span class="mono">{DEFAULT_VERIFY_URL}</span>' in page.get_data(as_text=True)
    with product.session_factory() as session:
        office = product.services.office(session)
        assert office.verify_url is None and product.services.certificate_verify_url(office) == DEFAULT_VERIFY_URL


@pytest.mark.parametrize("url", ["http://inkan.example.jp/verify", "https://inkan.example.jp/verify?x=1"])
def test_the_server_setting_is_checked_at_start(database_url, url):
    with pytest.raises(ConfigurationError, match="INKAN_CERTIFICATE_VERIFY_URL"):
        create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key-0123456789",
                    "IN_PROCESS_WORKER": False, "CERTIFICATE_VERIFY_URL": url})
