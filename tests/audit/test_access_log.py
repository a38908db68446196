"""Access log: the first view of a person's data (in a case) in a session asks why; every view is logged with who and why;
auditors search the log by person and by clerk; clerks cannot."""

from __future__ import annotations

from sqlalchemy import select

from engine.evidence.access_log import AccessEntry


def entries_for(product, resident_id: str) -> list[AccessEntry]:
    with product.session_factory() as session:
        return list(session.scalars(select(AccessEntry).where(AccessEntry.resident_id == resident_id)
                                    .order_by(AccessEntry.id)))


def test_first_view_asks_for_a_purpose_then_logs_it(login, driver, product):
    registered = driver.register()
    client = login("madoguchi", purpose=None)
    first = client.get(f"/residents/{registered.resident_id}")
    assert first.status_code == 302 and "/audit/purpose" in first.headers["Location"]
    form = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "閲覧の目的" in form and "証明書の交付" in form
    # the form names the person: that much is shown, and logged, before a purpose is chosen
    assert [(e.what, e.purpose) for e in entries_for(product, registered.resident_id)] == [
        ("閲覧の目的の確認（氏名の表示）", "unstated")]

    refused = client.post("/audit/purpose", data={"purpose": "other", "next": f"/residents/{registered.resident_id}"})
    assert refused.status_code == 422 and "内容を記入してください" in refused.get_data(as_text=True)
    chosen = client.post("/audit/purpose", data={"purpose": "other", "note": "電話照会 受付12",
                                                 "next": f"/residents/{registered.resident_id}"})
    assert chosen.status_code == 302 and chosen.headers["Location"] == f"/residents/{registered.resident_id}"
    assert client.get(f"/residents/{registered.resident_id}").status_code == 200
    assert client.get(f"/residents/{registered.resident_id}").status_code == 200  # no second question
    logged = [e for e in entries_for(product, registered.resident_id) if e.purpose != "unstated"]  # not the form
    assert [(e.actor, e.what, e.purpose, e.purpose_note) for e in logged] == [
        ("madoguchi", "2.2.1 登録内容照会", "other", "電話照会 受付12")] * 2
    assert all(e.chain_seq and e.row_hash for e in logged)


def test_purpose_form_refuses_foreign_next_urls(login):
    client = login("madoguchi", purpose=None)
    response = client.post("/audit/purpose", data={"purpose": "audit", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_auditor_searches_by_person_and_by_clerk(login, driver, app, api_token):
    registered = driver.registered_person()
    login("backyard", purpose="office_investigation").get(f"/residents/{registered.resident_id}")
    auditor = login("auditor")
    by_person = auditor.get("/audit/access", query_string={"resident_id": registered.resident_id})
    html = by_person.get_data(as_text=True)
    assert by_person.status_code == 200
    assert "backyard" in html and "職権による調査・修正" in html and "2.2.1 登録内容照会" in html
    by_clerk = auditor.get("/audit/access", query_string={"actor": "backyard"}).get_data(as_text=True)
    assert registered.resident_id in by_clerk
    assert auditor.get("/audit/access", query_string={"actor": "nobody-at-all"}).get_data(as_text=True).count(
        "該当する閲覧記録はありません") == 1
    assert login("madoguchi").get("/audit/access").status_code == 403
    api = app.test_client().get("/api/v1/audit/access-log", headers=api_token("auditor"),
                                query_string={"resident_id": registered.resident_id})
    assert api.status_code == 200
    assert {"backyard"} <= {row["actor"] for row in api.get_json()["rows"]}
    assert app.test_client().get("/api/v1/audit/access-log", headers=api_token("backyard")).status_code == 403


def test_api_reads_are_logged_with_the_header_purpose(app, api_token, driver, product):
    registered = driver.register()
    headers = api_token("madoguchi") | {"X-Access-Purpose": "certificate"}
    assert app.test_client().get(f"/api/v1/residents/{registered.resident_id}", headers=headers).status_code == 200
    assert app.test_client().get(f"/api/v1/instances/{registered.instance_id}/timeline",
                                 headers=api_token("auditor")).status_code == 200
    logged = [(e.actor, e.purpose) for e in entries_for(product, registered.resident_id)]
    assert ("madoguchi", "certificate") in logged and ("auditor", "api") in logged


def test_a_printed_pdf_opened_by_its_hash_is_logged_as_that_document(login, driver, product):
    registered = driver.register()
    with product.session_factory() as session:
        from registry.seals.models import IssuedDocument

        document = session.scalars(select(IssuedDocument).where(IssuedDocument.instance_id == registered.instance_id)
                                   ).one()
    sha = document.blob_sha256
    client = login("backyard", purpose=None)
    asked = client.get(f"/residents/blobs/{sha}")
    assert asked.status_code == 302 and "/audit/purpose" in asked.headers["Location"]
    assert entries_for(product, registered.resident_id) == []

    client = login("backyard", purpose="office_investigation")
    shown = client.get(f"/residents/blobs/{sha}?download=1")
    assert shown.status_code == 200 and shown.data.startswith(b"%PDF")
    assert shown.headers["Content-Disposition"].startswith("attachment")
    logged = entries_for(product, registered.resident_id)
    assert [(e.actor, e.purpose, e.target) for e in logged] == [
        ("backyard", "office_investigation", f"document:{document.id}")]
    assert "4.1.2.2" in logged[0].what
