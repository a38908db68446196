"""Issue 17: /admin/exchange in a real browser — the dry run of a set with a bad row lists the problem with file,
line and field; the import of a good set runs as a job whose progress bar, phase and message the page follows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from registry.exchange import layout as L
from registry.seals.models import Registration
from tests.browser.test_inquiry_in_browser import past_purpose
from tests.browser.test_registration_in_browser import log_in
from tests.support.exchange_set import impression_pngs, residents_for, write_set
from webui.exchange.service import PACKAGE_FILE

pytestmark = pytest.mark.browser


def _set(app, product, name: str, count: int, first_serial: int, skip: int = 0):
    with product.session_factory() as session:
        people = residents_for(session, count, skip=skip)
    root = app.instance_path + "/exchange"
    return write_set(Path(root) / name, people, first_serial=first_serial,
                     pngs=impression_pngs(2), package=json.loads(PACKAGE_FILE.read_text("utf-8")))


def test_the_admin_checks_a_set_then_imports_one_with_progress(app, browser, live_server, product, tmp_path):
    bad = _set(app, product, "browser-bad", 4, 600_000)
    rows = (bad.directory / L.REGISTRATIONS).read_bytes().decode("utf-8").split("\r\n")
    rows[2] = rows[2].replace("官公署発行の写真付き証明書", "運転免許").replace("保証書", "運転免許")
    (bad.directory / L.REGISTRATIONS).write_bytes("\r\n".join(rows).encode("utf-8"))
    good = _set(app, product, "browser-good", 12, 601_000, skip=4)

    context = browser.new_context(locale="ja-JP", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    polled: list[dict] = []
    page.on("response", lambda r: polled.append(r.json()) if r.url.endswith("/status") else None)
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/exchange")
    past_purpose(page)
    page.screenshot(path=str(tmp_path / "exchange-index.png"), full_page=True)
    page.select_option("select[name=set]", "browser-bad")
    page.locator("[data-exchange-check]").click()
    page.wait_for_selector("[data-exchange-problems]")
    problems = page.locator("[data-exchange-problems] tbody tr").all_inner_texts()
    assert any(L.REGISTRATIONS in row and "\t3\t" in row and "本人確認方法" in row and "使えない値" in row
               for row in problems), problems
    assert "検証のみ" in page.locator("[data-exchange-message]").inner_text()
    assert page.locator("[data-exchange-report]").is_visible()
    page.screenshot(path=str(tmp_path / "exchange-dry-run.png"), full_page=True)

    page.goto(f"{live_server}/admin/exchange")
    page.select_option("select[name=set]", "browser-good")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-exchange-import]").click()
    page.wait_for_selector("[data-exchange-problems]")
    assert "取り込みました" in page.locator("[data-exchange-message]").inner_text()
    assert page.locator("[data-exchange-bar]").get_attribute("value") == "12"
    assert page.locator("[data-exchange-label]").inner_text() == "完了"
    page.screenshot(path=str(tmp_path / "exchange-import.png"), full_page=True)
    context.close()
    assert all({"phase", "done", "total", "eta_label", "status_label"} <= set(p) for p in polled), polled
    with product.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Registration).where(
            Registration.registration_number.in_(good.numbers))) == 12
