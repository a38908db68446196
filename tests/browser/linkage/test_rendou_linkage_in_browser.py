"""The 連動 page in a real browser with pull and file linkage (issue 16.9): an admin records a 死亡 in the
住基シミュレータ (it waits in the change feed, 未取得), a バックヤード clerk sees how current the linkage is,
takes the change in with 「今すぐ取得」, and sees the refused row of a change file with its line and reason."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from tests.browser.test_inquiry_in_browser import past_purpose
from tests.browser.test_registration_in_browser import log_in, log_out

pytestmark = pytest.mark.browser


@pytest.fixture
def linked_server(make_app, change_dir, due_now):
    app = make_app(JUKI_LINKAGE="pull,file", JUKI_FILE_DIR=str(change_dir))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def test_the_backyard_sees_the_lag_pulls_now_and_reads_the_file_errors(linked_server, new_page, driver, change_dir,
                                                                       tmp_path):
    app, base = linked_server
    registered = driver.register()
    (change_dir / "20260401-0001.csv").write_text(
        "event_id,kind,resident_id,effective_date,recorded_at\n"
        "reg-bad-1,death,00000000017,2026-04-01,2026-04-01T09:30:00\n", encoding="utf-8")
    (change_dir / "20260401-0001.csv.done").write_bytes(b"")
    page = new_page()
    log_in(page, base, "admin")
    page.goto(f"{base}/admin/juki?resident_id={registered.resident_id}")
    past_purpose(page)
    with page.expect_navigation():
        page.locator("form.sim-form", has=page.locator("input[name=kind][value=death]")).locator("button").click()
    assert "変更一覧に載せました" in page.locator(".flashes").inner_text()
    row = page.locator("table tr", has_text=registered.resident_id).filter(has_text="死亡").first
    assert "未取得" in row.inner_text()
    log_out(page)

    log_in(page, base, "backyard")
    page.goto(f"{base}/rendou/")
    status = page.locator(".linkage-status")
    assert "変更一覧の取得（pull）" in status.inner_text() and "異動ファイル（file）" in status.inner_text()
    with page.expect_navigation():
        page.click("button:has-text('今すぐ取得')")
    assert "新しい異動通知 1 件" in page.locator(".flashes").inner_text()
    pull_row = page.locator(".linkage-status tr[data-mode=pull]")
    assert "秒前" in pull_row.locator(".lag-age").inner_text() and "正常" in pull_row.inner_text()
    errors = page.locator("table.file-errors")
    assert "20260401-0001.csv" in errors.inner_text() and "2 行目" in errors.inner_text()
    assert "recorded_at には時差を付けてください" in errors.inner_text()
    events = page.locator("tr", has_text=registered.resident_id).filter(has_text="死亡")
    assert "未処理" in events.first.inner_text()
    page.screenshot(path=str(tmp_path / "rendou.png"), full_page=True)
    with page.expect_navigation():
        errors.locator("button:has-text('確認済み')").click()
    assert page.locator("table.file-errors tr", has_text="20260401-0001.csv").count() == 0
