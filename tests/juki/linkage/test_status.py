"""How current the linkage is (issue 16.9): ``linkage_status`` gives the lag behind the register and the cursor's
age from the injected clock, the 連動 page and its JSON show them with the refused change files, 「今すぐ取得」
takes changes in at once, and the push endpoint stays closed unless push is configured."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import TEST_PASSWORD
from juki import changes
from juki.changelog import recent_changes
from juki.linkage import open_file_errors
from juki.linkage.change_file import write_change_file
from registry.staff import accounts
from tests.support.purpose import answering_client
from tests.support.resident_events import received
from webui.api.juki_events import signature

KEY = "linkage-test-event-key-0123456789"


def signed_in(app, role: str):
    client = answering_client(app, "audit")  # answers the 閲覧の目的 question when a page asks it
    assert client.post("/login", data={"username": role, "password": TEST_PASSWORD}).status_code == 302
    return client


def record_at(product, resident_id: str, moment, address: str):
    """A 転居 the register recorded at ``moment``."""
    with product.session_factory.begin() as session:
        ctx = changes.ChangeContext(effective_date=product.services.today(), actor="test",
                                    today=product.services.today(), recorded_at=moment)
        return changes.move_within(session, resident_id, ctx, address=address)


def test_lag_and_cursor_age_follow_the_clock(pulling, driver):
    moment = pulling.services.clock() + timedelta(days=1)
    record_at(pulling, driver.fresh_resident(), moment - timedelta(minutes=10), "見本市時計町1番")
    pulling.services.clock = lambda: moment
    assert pulling.take_in_resident_changes(force=True).received == 1
    with pulling.session_factory() as session:
        pulling.services.clock = lambda: moment + timedelta(seconds=90)
        fresh = pulling.linkage_status(session)
        pulling.services.clock = lambda: moment + timedelta(seconds=200)
        stale = pulling.linkage_status(session)
    assert fresh["ok"] and fresh["problems"] == [] and fresh["modes"] == ["pull"]
    assert (fresh["pull"]["cursor_age_seconds"], fresh["pull"]["lag_seconds"]) == (90.0, 690.0)
    assert fresh["pull"]["newest_change_at"] == (moment - timedelta(minutes=10)).isoformat()
    assert not stale["ok"] and stale["problems"] == [
        "住基の変更一覧の取得（pull）: 3 分間 取得していません（ワーカーが動いているか確認してください）"]


def test_a_failing_register_is_a_problem_until_it_answers(pulling, make_app):
    down = make_app(JUKI="http", JUKI_URL="http://127.0.0.1:9/juki", JUKI_CONNECT_TIMEOUT=1).extensions["inkan"]
    assert down.take_in_resident_changes(force=True).errors
    with down.session_factory() as session:
        status = down.linkage_status(session)
    assert not status["ok"] and status["pull"]["failures"] == 1
    assert "1 回続けて失敗しています（住民記録システムに接続できません" in status["problems"][0]
    pulling.take_in_resident_changes(force=True)
    with pulling.session_factory() as session:
        assert pulling.linkage_status(session)["ok"]


def test_the_rendou_page_shows_the_lag_and_the_refused_file_rows(make_app, change_dir, due_now):
    app = make_app(JUKI_LINKAGE="pull,file", JUKI_FILE_DIR=str(change_dir))
    product = app.extensions["inkan"]
    (change_dir / "bad.csv").write_text("event_id,kind,resident_id,effective_date,recorded_at\n"
                                        "reg-77,teleport,00000000017,2026-04-01,2026-04-01T09:30:00+09:00\n",
                                        encoding="utf-8")
    (change_dir / "bad.csv.done").write_bytes(b"")
    (change_dir / "later.csv").write_text("event_id", encoding="utf-8")  # no marker yet: being written
    assert product.take_in_resident_changes(force=True).files.files[0].rejected == 1
    backyard = signed_in(app, "backyard")
    page = backyard.get("/rendou/").get_data(as_text=True)
    assert "住基との連携" in page and "変更一覧の取得（pull）" in page and "異動ファイル（file）" in page
    assert "60 秒ごと" in page and "秒前" in page and "書き込み中 later.csv" in page
    assert "エラーのある異動ファイル" in page and "bad.csv" in page and "2 行目" in page
    assert "異動の種類「teleport」は扱えません" in page and "今すぐ取得" in page
    status = backyard.get("/rendou/status").get_json()
    assert set(status) >= {"ok", "problems", "pull", "file"} and status["file"]["being_written"] == ["later.csv"]
    [bad] = [entry for entry in status["file"]["files_with_errors"] if entry["file"] == "bad.csv"]
    assert bad["rejected"] == 1 and bad["errors"][0]["line"] == 2
    file_id = _file_id(product, "bad.csv")
    assert signed_in(app, "auditor").post(f"/rendou/files/{file_id}/resolve").status_code == 403
    assert backyard.post(f"/rendou/files/{file_id}/resolve").status_code == 302
    assert f"/rendou/files/{file_id}/resolve" not in backyard.get("/rendou/").get_data(as_text=True)
    assert backyard.post(f"/rendou/files/{file_id}/resolve").status_code == 404


def _file_id(product, name: str) -> int:
    with product.session_factory() as session:
        return next(record.id for record in open_file_errors(session) if record.name == name)


def test_a_change_recorded_in_the_simulator_waits_in_the_feed_until_pulled(pulling, make_app, driver):
    app = make_app()
    registered = driver.register()
    admin = signed_in(app, "admin")
    response = admin.post("/admin/juki/changes", data={"kind": "death", "resident_id": registered.resident_id,
                                                       "effective_date": pulling.services.today().isoformat()},
                          follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "異動通知 1 件を変更一覧に載せました" in page and "60 秒ごとに変更一覧を取得します" in page
    assert "未取得" in page
    with app.extensions["inkan"].session_factory() as session:
        [death] = [row for row in recent_changes(session, 5) if row.resident_id == registered.resident_id]
    assert received(pulling, death) is None
    flashed = signed_in(app, "backyard").post("/rendou/pull", follow_redirects=True).get_data(as_text=True)
    assert "住基の異動を取得しました（新しい異動通知 1 件）" in flashed
    assert received(pulling, death).source == "pull"


def test_pull_now_says_why_when_the_register_does_not_answer(make_app, due_now):
    app = make_app(JUKI="http", JUKI_URL="http://127.0.0.1:9/juki", JUKI_CONNECT_TIMEOUT=1)
    page = signed_in(app, "manager").post("/rendou/pull", follow_redirects=True).get_data(as_text=True)
    assert "住基の異動を取得できませんでした: 住民記録システムに接続できません" in page


@pytest.mark.parametrize(("modes", "status", "code"), [("pull", 403, "juki_events_closed"),
                                                       ("pull,push", 202, None)])
def test_the_push_endpoint_is_open_only_with_push(make_app, modes, status, code):
    app = make_app(JUKI_LINKAGE=modes, JUKI_EVENT_KEY=KEY)
    with app.extensions["inkan"].session_factory.begin() as session:
        token = accounts.issue_token(session, "admin")
    body = json.dumps({"event_id": f"push-{modes}-{id(app)}", "kind": "death", "resident_id": "00000000017",
                       "effective_date": "2026-04-01", "recorded_at": "2026-04-01T09:30:00+09:00"}).encode()
    response = app.test_client().post("/api/v1/juki/events", data=body, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json", "X-Juki-Signature": signature(KEY, body)})
    assert response.status_code == status
    if code:
        assert response.get_json()["error"] == code and "INKAN_JUKI_LINKAGE に push" in response.get_json()["message"]


def test_the_file_layout_written_by_the_simulator_is_what_the_docs_describe():
    """docs/juki/file-linkage.md lists exactly the columns the reader accepts, in the written order."""
    doc = (Path(__file__).resolve().parents[3] / "docs/juki/file-linkage.md").read_text(encoding="utf-8")
    header = write_change_file([]).splitlines()[0]
    assert f"\n{header}\n" in doc
