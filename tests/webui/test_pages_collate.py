"""2.2.1 印影照合: upload a stamped document on the resident page and compare it with the registered impression."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace

import pytest
from sqlalchemy import func, select

import imaging
from engine.evidence.access_log import AccessEntry
from engine.models import AuditEvent
from imaging.verdict import DEFAULT_DIFFERENT, DEFAULT_SAME
from registry.blobs.models import Blob


@pytest.fixture(scope="module")
def registered(product):
    from tests.support.flow import RegistrationDriver

    return RegistrationDriver(product).registered_person(seal_text="照合")


def _post(client, reg, data: bytes | None, *, dpi: str = "", number: str | None = None, filename="doc.png"):
    form: dict = {"dpi": dpi}
    if data is not None:
        form["scan"] = (io.BytesIO(data), filename)
    url = f"/residents/{reg.resident_id}/collate/{number or reg.registration_number}"
    return client.post(url, data=form, content_type="multipart/form-data")


def _blob_count(product) -> int:
    with product.session_factory() as session:
        return session.scalar(select(func.count()).select_from(Blob))


def _shas(html: str) -> list[str]:
    return re.findall(r"/residents/blobs/([0-9a-f]{64})", html)


def test_resident_page_offers_the_form_to_clerks_only(login, registered):
    html = login("madoguchi").get(f"/residents/{registered.resident_id}").get_data(as_text=True)
    assert "印影照合（提出書類の印影と登録印影を比較）" in html
    assert f'action="/residents/{registered.resident_id}/collate/{registered.registration_number}"' in html
    assert 'enctype="multipart/form-data"' in html and 'name="csrf_token"' in html
    for role in ("auditor", "admin"):
        page = login(role).get(f"/residents/{registered.resident_id}").get_data(as_text=True)
        assert "印影照合（" not in page


@pytest.mark.slow
def test_same_seal_at_another_dpi_and_rotation_is_judged_the_same(login, product, registered):
    scan = imaging.make_seal_scan("照合", dpi=600, rotation_deg=37.0, ink=0.8, seed=11, on_form=True)
    response = _post(login("backyard"), registered, scan)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:500]
    assert 'data-verdict="same">同一と判定' in html and "別の印影と判定" not in html
    assert f"同一 {round(DEFAULT_SAME * 100, 1):g}%以上・別 {round(DEFAULT_DIFFERENT * 100, 1):g}%以下" in html
    assert "600 dpi（画像の値）" in html
    percent = float(re.search(r'class="collate-percent">([0-9.]+)<', html).group(1))
    assert percent >= DEFAULT_SAME * 100
    angle = float(re.search(r"<dt>回転</dt><dd>(-?[0-9.]+)°", html).group(1))
    assert min(abs(abs(angle) - 37.0), abs(360 - abs(angle) - 37.0)) < 3.0
    shas = _shas(html)
    assert len(set(shas)) >= 4  # registered, uploaded crop, overlay, original scan
    with product.session_factory() as session:
        media = {session.get(Blob, sha).media_type for sha in shas}
        assert session.get(Blob, shas[-1]).data == scan  # the original scan is kept as uploaded
    assert media == {"image/png"}
    overlay = login("madoguchi").get(f"/residents/blobs/{shas[2]}")
    assert overlay.status_code == 200 and overlay.data.startswith(b"\x89PNG")
    assert re.search(r'data-width-mm="[0-9.]+" data-height-mm="[0-9.]+"', html)  # true-size pictures


def test_a_different_seal_is_judged_different(login, registered):
    response = _post(login("manager"), registered, imaging.make_seal_scan("別印", dpi=300, seed=5), dpi="300")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-verdict="different">別の印影と判定' in html and "同一と判定" not in html
    assert "職員の判断（要確認）" not in html
    assert "300 dpi（入力値）" in html


@pytest.mark.parametrize("data, message", [
    (b"this is not an image", "画像ファイル（PNG・JPEG・TIFF）を選択してください"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "画像ファイルとして読み込めません"),
    (b"", "ファイルが空です"),
    (None, "照合する書類のスキャン画像を選択してください"),
])
def test_unusable_upload_is_refused_with_422_and_nothing_stored(login, product, registered, data, message):
    before = _blob_count(product)
    response = _post(login("madoguchi"), registered, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _blob_count(product) == before


def test_blank_page_and_bad_dpi_are_422(login, product, registered):
    before = _blob_count(product)
    blank = _post(login("madoguchi"), registered, imaging.make_blank_scan())
    assert blank.status_code == 422 and "印影が見つかりません" in blank.get_data(as_text=True)
    bad_dpi = _post(login("madoguchi"), registered, imaging.make_seal_scan("照合"), dpi="abc")
    assert bad_dpi.status_code == 422 and "解像度（dpi）は数字で入力してください" in bad_dpi.get_data(as_text=True)
    assert _blob_count(product) == before


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_auditor_and_admin_may_not_collate(login, registered, role):
    assert _post(login(role), registered, imaging.make_seal_scan("照合")).status_code == 403


def test_unknown_or_foreign_number_is_404(login, registered, driver):
    client = login("madoguchi")
    scan = imaging.make_seal_scan("照合")
    assert _post(client, registered, scan, number="99999999").status_code == 404
    other = driver.registered_person(seal_text="他人")
    wrong_owner = client.post(f"/residents/{registered.resident_id}/collate/{other.registration_number}",
                              data={"scan": (io.BytesIO(scan), "a.png")}, content_type="multipart/form-data")
    assert wrong_owner.status_code == 404


def test_anonymous_is_sent_to_login(app, registered):
    response = _post(app.test_client(), registered, imaging.make_seal_scan("照合"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _percent(html: str) -> float:
    return float(re.search(r'class="collate-percent">([0-9.]+)<', html).group(1))


def _decisions(product) -> list:
    with product.session_factory() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.kind == "collate_decision")
                               .order_by(AuditEvent.id)).all()
        return [(row.actor, json.loads(row.summary_json)) for row in rows]


@pytest.fixture()
def unsure_settings(product, monkeypatch):
    """Thresholds placed around a score, so that the pair scoring it is 要確認."""

    def around(score: float) -> None:
        settings = replace(product.services.settings, similarity_same=min(1.0, score + 0.05),
                           similarity_different=score - 0.05)
        monkeypatch.setattr(product.services, "settings", settings)

    return around


def test_an_unsure_pair_is_decided_by_the_clerk_with_a_reason_and_audited(login, product, registered,
                                                                           unsure_settings):
    client = login("madoguchi")
    scan = imaging.make_seal_scan("照会", dpi=300, seed=21, rotation_deg=12.0)
    score = _percent(_post(client, registered, scan).get_data(as_text=True)) / 100
    unsure_settings(score)
    html = _post(client, registered, scan).get_data(as_text=True)
    assert 'data-verdict="unsure">要確認（職員が判断）' in html and "同一と判定" not in html
    assert "職員の判断（要確認）" in html and 'name="reason"' in html
    scan_sha = re.search(r'name="scan_sha" value="([0-9a-f]{64})"', html).group(1)
    url = f"/residents/{registered.resident_id}/collate/{registered.registration_number}/decision"
    before = len(_decisions(product))

    no_reason = client.post(url, data={"scan_sha": scan_sha, "decision": "different", "reason": "  "})
    assert no_reason.status_code == 422 and "判断の理由を入力してください" in no_reason.get_data(as_text=True)
    no_choice = client.post(url, data={"scan_sha": scan_sha, "reason": "線が違う"})
    assert no_choice.status_code == 422 and "判断（同一・別）を選んでください" in no_choice.get_data(as_text=True)
    assert len(_decisions(product)) == before

    done = client.post(url, data={"scan_sha": scan_sha, "decision": "different",
                                  "reason": "重ね合わせで「照」の下部の線が一致しない"})
    page = done.get_data(as_text=True)
    assert done.status_code == 200
    assert 'data-decision="different">職員の判断「別」を記録しました' in page
    actor, summary = _decisions(product)[-1]
    assert actor == "madoguchi" and len(_decisions(product)) == before + 1
    assert summary["decision"] == "different" and summary["reason"] == "重ね合わせで「照」の下部の線が一致しない"
    assert summary["verdict"] == "unsure" and summary["score"] == pytest.approx(score, abs=0.001)
    assert summary["registration_number"] == registered.registration_number and summary["scan_sha"] == scan_sha
    assert summary["threshold_different"] < summary["score"] < summary["threshold_same"]


def test_a_decided_comparison_takes_no_clerk_decision(login, product, registered):
    client = login("backyard")
    html = _post(client, registered, imaging.make_seal_scan("照合", dpi=400, seed=3)).get_data(as_text=True)
    assert 'data-verdict="same"' in html and "職員の判断（要確認）" not in html
    scan_sha = _shas(html)[-1]
    url = f"/residents/{registered.resident_id}/collate/{registered.registration_number}/decision"
    before = len(_decisions(product))
    refused = client.post(url, data={"scan_sha": scan_sha, "decision": "different", "reason": "念のため"})
    assert refused.status_code == 409 and "「同一」と判定済み" in refused.get_data(as_text=True)
    unknown = client.post(url, data={"scan_sha": "0" * 64, "decision": "same", "reason": "理由"})
    assert unknown.status_code == 422 and "照合したスキャン画像が見つかりません" in unknown.get_data(as_text=True)
    assert len(_decisions(product)) == before


def test_collating_is_access_logged(login, product, registered):
    with product.session_factory() as session:
        before = session.scalar(select(func.count()).select_from(AccessEntry).where(AccessEntry.what == "2.2.1 印影照合"))
    _post(login("madoguchi"), registered, imaging.make_seal_scan("照合", seed=9))
    with product.session_factory() as session:
        after = session.scalar(select(func.count()).select_from(AccessEntry).where(AccessEntry.what == "2.2.1 印影照合"))
    assert after == before + 1
