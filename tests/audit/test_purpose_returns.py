"""Issue 15 point 5: the 閲覧の目的 question returns the clerk to what they asked for — a download included: after
answering, the clerk is back on the page the download link was on and the download starts from there."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from tests.support.flow import BACK


def handover_task(driver, product) -> tuple[int, str]:
    """A 4.1.2 case at 交付 (窓口), whose page offers the 原票確認票 PDF for download."""
    outcome = driver.to_scan(driver.fresh_resident())
    for data in ({"scan_blob_id": driver.scan("山本", size_mm=15.0)},
                 {"impression_decision": "accept", "impression_name": "full_name"},
                 {"card_kind": "registration_card"}):
        outcome = product.runner.complete(driver.open_task(outcome.instance_id), BACK, data)
    return driver.open_task(outcome.instance_id)


def test_a_download_asked_for_before_a_purpose_starts_from_the_page_it_was_on(login, driver, product):
    task_id = handover_task(driver, product)
    clerk = login("madoguchi", purpose=None)
    page = clerk.get(f"/tasks/{task_id}").get_data(as_text=True)
    download = re.search(r'href="(/residents/blobs/[0-9a-f]{64}\?download=1)"', page).group(1)

    asked = clerk.get(download, headers={"Referer": f"http://localhost/tasks/{task_id}"})
    assert asked.status_code == 302
    location = urlsplit(asked.headers["Location"])
    assert location.path == "/audit/purpose"
    query = parse_qs(location.query)
    assert query["next"] == [download] and query["back"] == [f"/tasks/{task_id}"]
    form = clerk.get(asked.headers["Location"]).get_data(as_text=True)
    assert f'name="back" value="/tasks/{task_id}"' in form

    answered = clerk.post("/audit/purpose", data={"purpose": "counter_application", "next": download,
                                                  "back": f"/tasks/{task_id}"})
    assert answered.status_code == 302 and answered.headers["Location"] == f"/tasks/{task_id}"
    back = clerk.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert f'href="{download.replace("&", "&amp;")}" data-auto-download' in back
    assert "data-auto-download" not in clerk.get(f"/tasks/{task_id}").get_data(as_text=True), "started once"
    pdf = clerk.get(download)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_page_asked_for_before_a_purpose_is_shown_after_it_and_a_foreign_back_is_ignored(login, driver, product):
    registered = driver.registered_person()
    clerk = login("madoguchi", purpose=None)
    asked = clerk.get(f"/residents/{registered.resident_id}", headers={"Referer": "https://evil.example/x"})
    assert "back=" not in asked.headers["Location"]
    answered = clerk.post("/audit/purpose", data={"purpose": "counter_application",
                                                  "next": f"/residents/{registered.resident_id}",
                                                  "back": "//evil.example/"})
    assert answered.headers["Location"] == f"/residents/{registered.resident_id}"
    assert clerk.get(f"/residents/{registered.resident_id}").status_code == 200  # not asked again for this person
