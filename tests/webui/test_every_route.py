"""Every route × every role (and anonymous), with real ids, unknown ids and junk: never a 500, and the
answers a role should get: anonymous → login or 401, auditors never change anything."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROLES
from juki import DEMO_RESIDENTS

PUBLIC = ("/login", "/api/v1/openapi.json", "/verify", "/healthz", "/readyz")
JUNK_QUERY = "?kana=%FF%FE&birth_date=2026-13-45&page=-1&per_page=abc&lane=%E2%80%8B&status=bogus&q=%27%22%3C"


@pytest.fixture(scope="module")
def ids(app, product, tmp_path_factory):
    from tests.support.flow import RegistrationDriver
    from tests.support.inquiry_flow import InquiryDriver

    registered = RegistrationDriver(product).register()
    with product.session_factory() as session:
        from engine.runtime.queries import instance_detail

        detail = instance_detail(session, product.specs, registered.instance_id)
    return {
        "task_id": str(detail.tasks[0].id), "instance_id": str(registered.instance_id),
        "incident_id": "999999", "process_id": "sokuji_touroku", "resident_id": registered.resident_id,
        "sha": detail.data["confirmation"]["document_blob_id"], "sha256": detail.data["confirmation"]["document_blob_id"],
        "number": registered.registration_number, "filename": "bpmn-js/dist/bpmn-navigated-viewer.production.min.js",
        **_document_ids(product, registered.registration_number), **_library_ids(product),
        "application_id": str(InquiryDriver(product).to_answer().application_id), "batch_id": "1",
        "user_id": _throwaway_user(product), "run_id": "1",
    }


def _throwaway_user(product) -> str:
    """The account the admin's /admin/users operations act on here (deactivating a role's user would sign
    the other tests out)."""
    from registry.staff import accounts

    with product.session_factory.begin() as session:
        return str(accounts.add_user(session, "route-table-user", "madoguchi", "route-table-password").id)


def _library_ids(product) -> dict:
    from engine.actor import Actor
    from engine.library import catalog, drafts

    with product.session_factory.begin() as session:
        definition = catalog.active_definition(session, "sokuji_touroku")
        draft = drafts.open_draft(session, definition, Actor("manager", "manager"), {"cases": []})
        return {"definition_id": str(definition.id), "draft_id": str(draft.id)}


def _document_ids(product, number: str) -> dict:
    from registry.seals import records

    with product.session_factory() as session:
        record = records.registration_by_number(session, number)
        document_id = str(records.documents_of(session, record.id)[0].id)
    return {"document_id": document_id, "item_id": document_id, "source": "document",
            "registration_id": str(record.id), "certificate_id": "1", "job_id": "1", "event_row_id": "1",
            "file_id": "1", "request_id": "0" * 32}


UNKNOWN = {"task_id": "987654", "instance_id": "987654", "incident_id": "987654", "process_id": "nope",
           "resident_id": "00000000000", "sha": "0" * 64, "sha256": "0" * 64, "number": "99999999",
           "filename": "../../etc/passwd", "document_id": "987654", "item_id": "987654", "source": "batch",
           "registration_id": "987654", "certificate_id": "987654", "job_id": "987654", "event_row_id": "987654",
           "file_id": "987654",
           "definition_id": "987654", "draft_id": "987654", "application_id": "987654", "user_id": "987654", "batch_id": "987654", "run_id": "987654", "request_id": "f" * 32}
JUNK = {"task_id": "0", "instance_id": "0", "incident_id": "0", "process_id": "%E2%80%8B<x>",
        "resident_id": "<script>", "sha": "zz", "sha256": "..%2F..", "number": "%00", "filename": "%2e%2e/x",
        "document_id": "0", "item_id": "0", "source": "%2e%2e", "registration_id": "0", "certificate_id": "0",
        "job_id": "0", "event_row_id": "0", "file_id": "0", "definition_id": "0", "draft_id": "0",
        "application_id": "0", "user_id": "0", "batch_id": "0", "run_id": "0", "request_id": "%2e%2e"}


def urls(app, values: dict) -> list[tuple[str, str]]:
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, url))
    return out


def client_for(app, login, api_token, role):
    if role == "anonymous":
        return app.test_client(), {}
    return login(role), api_token(role)


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
@pytest.mark.parametrize("which", ["real", "unknown", "junk"])
def test_no_route_answers_500(app, login, api_token, ids, role, which):
    values = {"real": ids, "unknown": UNKNOWN, "junk": JUNK}[which]
    client, headers = client_for(app, login, api_token, role)
    for method, url in urls(app, values):
        if url == "/logout":
            continue  # would end the session the loop uses
        for suffix in ("", JUNK_QUERY):
            response = client.open(url + suffix, method=method, headers=headers if url.startswith("/api/") else {},
                                   data={"resident_id": DEMO_RESIDENTS["eligible"], "x": "\x00"})
            assert response.status_code < 500, (method, url + suffix, response.status_code,
                                                response.get_data(as_text=True)[:300])
            assert_security_headers(response, f"{role} {method} {url + suffix}")
            if role == "anonymous" and not url.startswith(PUBLIC):
                assert response.status_code in (302, 400, 401, 404, 405), (method, url, response.status_code)
            if role == "auditor" and method == "POST" and not url.startswith("/login"):
                assert response.status_code in (400, 403, 404, 405, 422), (method, url, response.status_code)


def test_nul_characters_are_refused_in_japanese(app, api_token, login):
    response = app.test_client().post("/api/v1/instances", headers=api_token("madoguchi"),
                                      json={"process_id": "sokuji_touroku", "data": {"resident_id": "1\u0000"}})
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid_character",
                                   "message": "入力に使用できない文字（NUL）が含まれています"}
    page = login("madoguchi").get("/residents?kana=%00")
    assert page.status_code == 400 and "NUL" in page.get_data(as_text=True)


# ---- route × role expectations ---------------------------------------------------------------------------------
# What each role must get from each endpoint, requested with the real ids above and an empty body:
#   OK      a page or answer (< 400, not the login page)
#   DENIED  403 (the server refuses the role, whatever the input)
#   REACHES not 401 / 403: the role gets through to the business rules (which may still say 404 / 409 / 422)
#   ANY     not checked here (login / logout)
# An endpoint missing from EXPECTATIONS fails test_every_endpoint_has_an_expectation, which prints what each role
# got, so whoever adds a route decides (and writes down) who may use it.
OK, DENIED, REACHES, ANY = "ok", "denied", "reaches", "any"
ROLE_ORDER = ("madoguchi", "backyard", "manager", "auditor", "admin")


def by_role(madoguchi: str, backyard: str, manager: str, auditor: str, admin: str) -> dict[str, str]:
    return dict(zip(ROLE_ORDER, (madoguchi, backyard, manager, auditor, admin), strict=True))


EVERYONE = by_role(OK, OK, OK, OK, OK)
CLERKS_WRITE = by_role(REACHES, REACHES, REACHES, DENIED, DENIED)
WINDOW_LANE_TASK = by_role(REACHES, DENIED, REACHES, DENIED, DENIED)  # ids["task_id"] is a 窓口 task
ADMIN_OPERATES = by_role(DENIED, DENIED, DENIED, DENIED, REACHES)
RETRIERS = by_role(DENIED, DENIED, REACHES, DENIED, REACHES)
DEPLOYERS = by_role(DENIED, DENIED, REACHES, DENIED, REACHES)
READERS = by_role(DENIED, DENIED, OK, OK, OK)  # reports, chain check
READERS_REACH = by_role(DENIED, DENIED, REACHES, REACHES, REACHES)
PRIVACY = by_role(DENIED, DENIED, DENIED, OK, OK)  # who looked at whom
UNCHECKED = by_role(ANY, ANY, ANY, ANY, ANY)
DOCUMENT_READERS = by_role(REACHES, REACHES, REACHES, REACHES, DENIED)  # printed documents: personal data
LIBRARY_EDIT = by_role(DENIED, DENIED, REACHES, DENIED, DENIED)  # process definitions: the section managers

EXPECTATIONS: dict[tuple[str, str], dict[str, str]] = {
    ("auth.login", "GET"): UNCHECKED, ("auth.login", "POST"): UNCHECKED, ("auth.logout", "POST"): UNCHECKED,
    ("inbox.index", "GET"): EVERYONE, ("inbox.start_page", "GET"): EVERYONE, ("inbox.start", "POST"): CLERKS_WRITE,
    ("tasks.show", "GET"): EVERYONE, ("tasks.complete", "POST"): WINDOW_LANE_TASK,
    ("tasks.claim", "POST"): WINDOW_LANE_TASK, ("tasks.unclaim", "POST"): WINDOW_LANE_TASK,
    ("tasks.read_scan_upload", "POST"): WINDOW_LANE_TASK, ("inbox.confirm_start", "GET"): CLERKS_WRITE,
    ("instances.index", "GET"): EVERYONE, ("instances.show", "GET"): EVERYONE,
    ("instances.diagram", "GET"): EVERYONE, ("instances.retry", "POST"): RETRIERS,
    ("instances.cancel", "POST"): CLERKS_WRITE,
    ("instances.suspend", "POST"): ADMIN_OPERATES, ("instances.resume", "POST"): ADMIN_OPERATES,
    ("instances.terminate", "POST"): ADMIN_OPERATES, ("instances.reassign", "POST"): ADMIN_OPERATES,
    ("residents.search", "GET"): EVERYONE, ("residents.lookup", "GET"): EVERYONE,
    ("residents.show", "GET"): EVERYONE,
    # ids["sha"] is a printed 確認票: the documents' rule whatever URL reaches it (test_the_blob_door below)
    ("residents.blob", "GET"): by_role(OK, OK, OK, OK, DENIED),
    ("residents.collate_seal", "POST"): CLERKS_WRITE, ("residents.collate_decision", "POST"): CLERKS_WRITE,
    ("vendor.asset", "GET"): EVERYONE,
    ("inquiry.index", "GET"): EVERYONE, ("inquiry.show", "GET"): EVERYONE, ("inquiry.cancel", "POST"): CLERKS_WRITE,
    ("audit.purpose", "GET"): EVERYONE, ("audit.purpose", "POST"): by_role(*[REACHES] * 5),
    ("audit.access_log", "GET"): PRIVACY, ("audit.access_log_csv", "GET"): PRIVACY, ("audit.chains", "GET"): READERS, ("audit.index", "GET"): READERS, ("audit.reports", "GET"): READERS,
    ("audit.orphans", "GET"): PRIVACY,  # the orphan sweep's report (issue 13 point 6)
    ("audit.report_csv", "GET"): READERS_REACH,  # no ?table= → 404 for those let through
    ("api.openapi", "GET"): EVERYONE, ("api.list_definitions", "GET"): EVERYONE,
    ("api.deploy_definition", "POST"): DEPLOYERS, ("api.list_instances", "GET"): EVERYONE,
    ("api.start_instance", "POST"): CLERKS_WRITE, ("api.get_instance", "GET"): EVERYONE,
    ("api.list_instance_events", "GET"): EVERYONE, ("api.get_inbox", "GET"): EVERYONE,
    ("api.get_task", "GET"): EVERYONE, ("api.claim_task", "POST"): WINDOW_LANE_TASK,
    ("api.unclaim_task", "POST"): WINDOW_LANE_TASK, ("api.complete_task", "POST"): WINDOW_LANE_TASK,
    ("api.retry_incident", "POST"): RETRIERS, ("api.upload_blob", "POST"): CLERKS_WRITE,
    ("api.mark_letters_mailed", "POST"): CLERKS_WRITE,
    ("api.download_blob", "GET"): by_role(OK, OK, OK, OK, DENIED), ("api.search_residents", "GET"): by_role(*[REACHES] * 5),  # no criteria → 422
    ("api.get_resident", "GET"): EVERYONE, ("api.get_registration", "GET"): EVERYONE,
    ("api.instance_search", "GET"): EVERYONE, ("api.instance_timeline", "GET"): EVERYONE,
    ("api.suspend_instance", "POST"): ADMIN_OPERATES, ("api.resume_instance", "POST"): ADMIN_OPERATES,
    ("api.terminate_instance", "POST"): ADMIN_OPERATES, ("api.reassign_task", "POST"): ADMIN_OPERATES,
    ("api.access_log", "GET"): PRIVACY, ("api.audit_chains", "GET"): READERS, ("api.audit_reports", "GET"): READERS,
    ("documents.show", "GET"): DOCUMENT_READERS, ("documents.pdf", "GET"): DOCUMENT_READERS,
    ("documents.certificate_page", "GET"): DOCUMENT_READERS, ("documents.reprint", "POST"): CLERKS_WRITE,
    ("documents.print_new", "POST"): CLERKS_WRITE, ("documents.certificate", "POST"): CLERKS_WRITE,
    ("printjobs.index", "GET"): DOCUMENT_READERS, ("printjobs.show", "GET"): DOCUMENT_READERS,
    ("printjobs.status", "GET"): DOCUMENT_READERS, ("printjobs.start", "POST"): CLERKS_WRITE,
    ("printjobs.cancel", "POST"): CLERKS_WRITE, ("printjobs.mailed", "POST"): CLERKS_WRITE, ("settings.edit", "GET"): by_role(DENIED, DENIED, DENIED, DENIED, OK),
    ("settings.save", "POST"): ADMIN_OPERATES, ("verify.check", "GET"): EVERYONE,
    # 除票の消去 (issue 18): the administrator's; an empty form (no date, no confirmation) is refused (422)
    ("purge.index", "GET"): by_role(DENIED, DENIED, DENIED, DENIED, OK), ("purge.run", "POST"): ADMIN_OPERATES,
    ("purge.purge_list", "GET"): by_role(DENIED, DENIED, DENIED, DENIED, REACHES),  # batch 1 may not exist → 404
    ("exchange.index", "GET"): by_role(DENIED, DENIED, DENIED, DENIED, OK), ("exchange.start", "POST"): ADMIN_OPERATES,
    ("exchange.show", "GET"): ADMIN_OPERATES, ("exchange.status", "GET"): ADMIN_OPERATES,  # run 1 may not exist
    ("exchange.report", "GET"): ADMIN_OPERATES, ("exchange.cancel", "POST"): ADMIN_OPERATES,
    ("rendou.index", "GET"): by_role(DENIED, OK, OK, OK, OK),
    ("rendou.resolve", "POST"): by_role(DENIED, REACHES, REACHES, DENIED, DENIED),  # row 1 is no incident → 404
    ("rendou.status", "GET"): by_role(DENIED, OK, OK, OK, OK),  # the linkage's lag as JSON (issue 16.9)
    ("rendou.pull_now", "POST"): by_role(DENIED, OK, OK, DENIED, OK),  # 「今すぐ取得」
    ("rendou.resolve_file", "POST"): by_role(DENIED, REACHES, REACHES, DENIED, DENIED),  # no file 1 → 404
    # the register's service account (admin): 403 juki_events_closed unless INKAN_JUKI_LINKAGE has push and a
    # shared key is set, else 401 (no signature)
    ("api.receive_resident_event", "POST"): by_role(DENIED, DENIED, DENIED, DENIED, ANY),
    # the model library (issue 7): managers change definitions, auditors and admins read, clerks see nothing
    **{(e, "GET"): READERS for e in ("library.index", "library.process", "library.diff", "library.version_xml",
                                     "library.export", "library.editor.show", "library.editor.data", "library.editor.changes",
                                     "api.list_versions", "api.diff", "api.export", "api.get_draft")},
    ("library.migrate", "GET"): READERS_REACH, ("api.migration_plan", "GET"): READERS_REACH,  # one version → 409
    **{(e, m): LIBRARY_EDIT for e, m in (
        ("library.migrate", "POST"), ("library.new_draft", "POST"), ("library.activate", "POST"),
        ("library.import_file", "POST"), ("library.editor.save", "POST"), ("library.editor.test", "POST"),
        ("library.editor.record", "POST"), ("library.editor.deploy", "POST"), ("library.editor.discard", "POST"),
        ("library.editor.form_preview", "POST"), ("api.migrate", "POST"), ("api.open_draft", "POST"),
        ("api.activate", "POST"), ("api.import_definition", "POST"), ("api.save_draft", "PUT"),
        ("api.test_draft", "POST"), ("api.deploy_draft", "POST"))},
    # the neighbours' simulators (住基, J-LIS, the コンビニ kiosk) are the administrator's
    **{(e, "GET"): by_role(DENIED, DENIED, DENIED, DENIED, OK)
       for e in ("simulator.juki_page", "simulator.jlis_page", "simulator.kiosk_page")},
    **{(e, "POST"): ADMIN_OPERATES for e in ("simulator.juki_change", "simulator.jlis_change", "simulator.kiosk_request")},
    ("simulator.jlis_outage", "POST"): ADMIN_OPERATES,
    ("simulator.kiosk_certificate", "GET"): ADMIN_OPERATES,  # only what this session's kiosk received (else 404)
    # load balancers: no login, no personal data
    ("health.alive", "GET"): EVERYONE, ("health.ready", "GET"): EVERYONE,  # an empty form is refused (422): J-LIS stays 正常
    # J-LIS's 証明書交付センター authenticates with the shared key, never a staff token (tests/webui/test_konbini.py)
    ("konbini.request_certificate", "POST"): UNCHECKED,
    # the office's 自動交付機 authenticate with their shared key (tests/webui/test_jidou_kofuki.py); the simulated
    # machine is the administrator's; counter clerks, managers and admins unlock a card locked at the machine
    ("jidou_api.request_certificate", "POST"): UNCHECKED,
    ("jidou.machine_page", "GET"): by_role(DENIED, DENIED, DENIED, DENIED, OK),
    ("jidou.machine_request", "POST"): ADMIN_OPERATES, ("jidou.machine_certificate", "GET"): ADMIN_OPERATES,
    ("jidou.locked_page", "GET"): by_role(OK, DENIED, OK, DENIED, OK),
    ("jidou.unlock", "POST"): by_role(REACHES, DENIED, REACHES, DENIED, REACHES),
    # everyone changes their own password (an empty form → 422); staff accounts are the administrator's
    ("auth.password", "GET"): EVERYONE, ("auth.password", "POST"): by_role(*[REACHES] * 5),
    **{(e, "GET"): by_role(DENIED, DENIED, DENIED, DENIED, OK) for e in ("admin_users.index", "admin_users.show")},
    **{(e, "POST"): ADMIN_OPERATES for e in ("admin_users.add", "admin_users.unlock", "admin_users.deactivate",
                                             "admin_users.activate", "admin_users.set_password",
                                             "admin_users.issue_token", "admin_users.revoke_tokens")},
}
AUDITOR_MAY_POST = {"auth.login", "auth.logout", "audit.purpose", "auth.password"}  # none changes a record
NOT_STAFF_CREDENTIALS = {"konbini.request_certificate", "jidou_api.request_certificate"}  # a staff session or token never gets through


def endpoints(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) of every route but static files."""
    return [(rule.endpoint, method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


def answer(client, headers: dict, method: str, rule: str, values: dict):
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], rule)
    if url.startswith("/api/"):
        return client.open(url, method=method, headers=headers, json={} if method != "GET" else None)
    return client.open(url, method=method, data={})


def outcome_problem(expected: str, response) -> str | None:
    status, location = response.status_code, response.headers.get("Location", "")
    if status >= 500:
        return f"{status}"
    if expected == OK and (status >= 400 or "/login" in location):
        return f"expected an answer, got {status} {location}".strip()
    if expected == DENIED and status != 403:
        return f"expected 403, got {status}"
    if expected == REACHES and status in (401, 403):
        return f"expected to get through, got {status}"
    return None


def test_the_table_never_lets_the_auditor_change_anything():
    for (endpoint, method), expected in EXPECTATIONS.items():
        if method != "GET" and endpoint not in AUDITOR_MAY_POST | NOT_STAFF_CREDENTIALS:
            assert expected["auditor"] == DENIED, (endpoint, method)
        if endpoint.split(".", 1)[1] in ("suspend", "resume", "terminate", "reassign", "suspend_instance",
                                         "resume_instance", "terminate_instance", "reassign_task"):
            assert expected == ADMIN_OPERATES, endpoint


def test_every_endpoint_has_an_expectation(app, login, api_token, ids):
    missing = [(e, m, r) for e, m, r in endpoints(app) if (e, m) not in EXPECTATIONS]
    observed = []
    for endpoint, method, rule in missing:  # show what each role gets now, to help write the expectation
        got = {}
        for role in ROLE_ORDER:
            client, headers = client_for(app, login, api_token, role)
            got[role] = answer(client, headers, method, rule, ids).status_code
        observed.append(f"({endpoint!r}, {method!r}): {got}")
    assert not missing, "endpoints without a role expectation (add them to EXPECTATIONS):\n" + "\n".join(observed)


@pytest.mark.parametrize("role", ROLE_ORDER)
def test_each_role_gets_what_the_table_says(app, login, api_token, ids, role):
    client, headers = client_for(app, login, api_token, role)
    problems = []
    for endpoint, method, rule in endpoints(app):
        expected = EXPECTATIONS.get((endpoint, method), {}).get(role, ANY)
        if expected == ANY:
            continue
        response = answer(client, headers, method, rule, ids)
        assert_security_headers(response, f"{role} {method} {rule}")
        problem = outcome_problem(expected, response)
        if problem:
            problems.append(f"{method} {rule} ({endpoint}): {problem}")
    assert not problems, "\n".join(problems)


# ---- security headers on every answer (issue 12 point 8) ------------------------------------------------------
def assert_security_headers(response, where: str, *, production: bool = False) -> None:
    """CSP without inline script / style or eval, no framing (PDFs: by this site only), nosniff, referrer policy;
    HSTS in production only."""
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where
    if response.mimetype == "application/pdf":
        assert "frame-ancestors 'self'" in policy and headers.get("X-Frame-Options") == "SAMEORIGIN", where
    else:
        assert "script-src 'self';" in policy and "style-src 'self';" in policy, (where, policy)
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy, (where, policy)
        assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin"), where
    hsts = headers.get("Strict-Transport-Security", "")
    assert (hsts.startswith("max-age=") and int(hsts.split("=")[1].split(";")[0]) >= 31536000) if production \
        else not hsts, (where, hsts)


def static_files() -> list[str]:
    root = Path(__file__).resolve().parents[2] / "webui" / "static"
    return sorted("/static/" + path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


def test_static_files_vendor_files_verify_kiosk_and_pdfs_carry_the_headers(app, login, api_token, ids):
    anonymous, admin, clerk = app.test_client(), login("admin"), login("madoguchi")
    answers = [(path, anonymous.get(path)) for path in static_files()]
    assert len(answers) > 10 and all(r.status_code == 200 for _, r in answers)
    answers += [(path, client.get(path)) for client, path in (
        (clerk, f"/vendor/{ids['filename']}"), (clerk, "/vendor/bpmn-js/dist/assets/bpmn-js.css"),
        (anonymous, "/verify"), (anonymous, "/verify?p=garbage"), (anonymous, "/login"), (admin, "/kiosk"),
        (anonymous, "/no/such/page"), (anonymous, "/api/v1/openapi.json"), (anonymous, "/api/v1/inbox"),
        (clerk, f"/documents/document/{ids['document_id']}.pdf"), (clerk, f"/residents/blobs/{ids['sha']}"))]
    assert answers[-1][1].mimetype == "application/pdf" and answers[-2][1].mimetype == "application/pdf"
    for path, response in answers:
        assert_security_headers(response, path)


def test_production_adds_hsts_to_every_answer(database_url, tmp_path_factory, ids):
    from conftest import TEST_PASSWORD, make_test_app

    production = make_test_app(database_url, tmp_path_factory, ENV="production",
                               SECRET_KEY="k7Gq-2vXn9LwPz4RtY8sBc1MdHf6JeUa-production")
    client = production.test_client()
    assert client.post("/login", data={"username": "auditor", "password": TEST_PASSWORD}).status_code == 302
    client.post("/audit/purpose", data={"purpose": "audit"})
    for method, url in urls(production, ids) + [("GET", path) for path in static_files()[:3]]:
        if url != "/logout":
            response = client.open(url, method=method, data={})
            assert_security_headers(response, f"{method} {url}", production=True)
