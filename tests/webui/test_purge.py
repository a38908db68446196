"""Issue 18 point 7: 除票 are kept for the retention period, then purged only by a logged batch.

`inkan registry purge --before DATE [--dry-run]` and /admin/purge refuse anything younger than the retention
period, write a formula-safe purge list, replace the purged history rows by tombstones so `inkan audit verify`
still passes, remove the record's impression and documents, and are audited. Each test closes its own records on
a day of 2001 nobody else uses, so purging them touches nothing else in the shared database.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from engine.evidence.access_log import AccessEntry
from engine.evidence.tombstones import ChainTombstone
from engine.evidence.verify import verify_chain
from engine.models import AuditEvent
from registry.blobs.models import Blob
from registry.errors import PurgeRefused
from registry.retention.models import PurgeBatch
from registry.retention.purge import PurgeLine, check_closed_before, purge_list_csv, retention_cutoff
from registry.seals import records
from registry.seals.models import HistoryEntry, Impression, IssuedDocument, Registration
from tests.support.flow import COUNTER
from webui.audit.chains import HISTORY_CHAIN
from webui.config import ConfigurationError, check_config, defaults


def _closed(product, driver, closed_on: date) -> Registration:
    """A record registered and abolished in person (4.4.1.1, with its 除票確認票), closed on `closed_on`."""
    person = driver.register(seal_text="消去", seed=secrets.randbelow(10**6))
    outcome = product.runner.start("haishi", COUNTER, {"resident_id": person.resident_id})
    outcome = driver.step(outcome, COUNTER, {"request_kind": "return", "resident_id": person.resident_id,
                                             "card_number": person.registration_number})
    outcome = driver.step(outcome, COUNTER, {"applicant": "self", "identity_document": "passport",
                                             "identity_checked": True, "card_collected": True})
    assert outcome.status == "completed"
    with product.session_factory.begin() as session:
        record = records.registration_by_number(session, person.registration_number)
        session.execute(text("UPDATE registration SET closed_on = :d WHERE id = :i"), {"d": closed_on, "i": record.id})
    return _get(product, person.registration_number)


def _get(product, number: str) -> Registration | None:
    with product.session_factory() as session:
        return records.registration_by_number(session, number)


def _evidence(product, record: Registration) -> dict:
    """What a record leaves behind: history rows, impression, documents and their blobs."""
    with product.session_factory() as session:
        impression = session.get(Impression, record.impression_id)
        documents = session.scalars(select(IssuedDocument).where(IssuedDocument.registration_id == record.id)).all()
        return {"history": [(e.id, e.chain_seq, e.row_hash) for e in records.history_of(session, record.id)],
                "impression": (impression.id, impression.image_blob, impression.scan_blob),
                "document_blobs": [d.blob_sha256 for d in documents]}


def _blob_exists(product, sha: str) -> bool:
    with product.session_factory() as session:
        return session.get(Blob, sha) is not None


# ---- the rules, without a database ------------------------------------------------------------------------------
def test_the_retention_cutoff_and_the_refusal_of_younger_records():
    assert retention_cutoff(date(2026, 4, 1), 5) == date(2021, 4, 1)
    assert retention_cutoff(date(2028, 2, 29), 5) == date(2023, 2, 28)
    assert check_closed_before(date(2021, 4, 2), date(2026, 4, 1), 5) == date(2021, 4, 1)
    with pytest.raises(PurgeRefused, match="保存期間（廃止・抹消から5年）"):
        check_closed_before(date(2021, 4, 3), date(2026, 4, 1), 5)


def test_the_purge_list_is_formula_safe():
    lines = [PurgeLine("00000012", "抹消", date(2000, 1, 2), date(2001, 1, 2), reason, 3, 1, 0)
             for reason in ("=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)", "死亡")]
    rows = list(csv.reader(io.StringIO(purge_list_csv(lines))))
    assert rows[0][:2] == ["登録番号", "状態"] and len(rows) == 6
    assert [row[4] for row in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "'+1", "'-1", "'@SUM(A1)", "死亡"]
    assert rows[1][:4] == ["00000012", "抹消", "2000-01-02", "2001-01-02"]


@pytest.mark.parametrize("years", [0, 101, "x"])
def test_the_retention_setting_is_checked(tmp_path, years):
    config = defaults(str(tmp_path)) | {"SECRET_KEY": "x" * 32, "RETENTION_YEARS": years}
    with pytest.raises((ConfigurationError, ValueError)):
        check_config(config)


# ---- the batch, on both databases -------------------------------------------------------------------------------
def test_the_command_lists_refuses_purges_and_the_chain_still_verifies(app, product, driver, tmp_path):
    old = [_closed(product, driver, date(2001, 5, 10)), _closed(product, driver, date(2001, 5, 11))]
    younger = _closed(product, driver, date(2001, 5, 20))  # outside the --before given below
    evidence = {r.registration_number: _evidence(product, r) for r in old}
    runner = app.test_cli_runner()

    listed = runner.invoke(args=["registry", "purge", "--before", "2001-05-15", "--dry-run"])
    assert listed.exit_code == 0, listed.output
    assert all(r.registration_number in listed.output for r in old) and younger.registration_number not in listed.output
    assert "消去していません" in listed.output and all(_get(product, r.registration_number) for r in old)

    refused = runner.invoke(args=["registry", "purge", "--before", product.services.today().isoformat()])
    assert refused.exit_code == 1 and "保存期間" in refused.output
    assert all(_get(product, r.registration_number) for r in old)

    out = tmp_path / "purge.csv"
    done = runner.invoke(args=["registry", "purge", "--before", "2001-05-15", "--out", str(out)])
    assert done.exit_code == 0, done.output
    listed_rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert sorted(row[0] for row in listed_rows[1:]) == sorted(r.registration_number for r in old)
    assert all(row[1] == "廃止" and row[4] == "廃止の申請" and row[5] != "0" for row in listed_rows[1:])

    for record in old:
        _assert_purged(product, record, evidence[record.registration_number])
    assert _get(product, younger.registration_number) is not None
    _assert_audited_and_verified(app, product, old)


def _assert_purged(product, record: Registration, evidence: dict) -> None:
    assert _get(product, record.registration_number) is None
    with product.session_factory() as session:
        assert session.get(Impression, evidence["impression"][0]) is None
        assert not session.scalars(select(HistoryEntry).where(HistoryEntry.registration_id == record.id)).all()
        stones = {(t.chain_seq, t.row_hash, t.row_id) for t in session.scalars(select(ChainTombstone))}
    assert {(seq, row_hash, row_id) for row_id, seq, row_hash in evidence["history"]} <= stones
    for sha in [*evidence["impression"][1:], *evidence["document_blobs"]]:
        assert not _blob_exists(product, sha), sha


def _assert_audited_and_verified(app, product, purged: list[Registration]) -> None:
    with product.session_factory() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.kind == "registry_purge")
                                .order_by(AuditEvent.id.desc())).first()
        summary = json.loads(event.summary_json)
        batch = session.get(PurgeBatch, summary["batch_id"])
        assert sorted(summary["registration_numbers"]) == sorted(r.registration_number for r in purged)
        assert (batch.records, batch.history_rows, batch.run_by) == (2, summary["history_rows"], "inkan-cli")
        assert verify_chain(session, HISTORY_CHAIN).ok
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "registration_history: 正常" in result.output, result.output
    with pytest.raises(DBAPIError, match="append-only"), product.session_factory.begin() as session:
        session.execute(text("UPDATE chain_tombstone SET row_hash = 'x'"))
    with pytest.raises(DBAPIError, match="append-only"), product.session_factory.begin() as session:
        session.execute(text("DELETE FROM chain_tombstone"))


def test_a_row_deleted_behind_a_forged_tombstone_is_found(product, driver):
    registered = driver.register()
    with product.session_factory.begin() as session:
        entry = session.scalars(select(HistoryEntry).where(HistoryEntry.instance_id == registered.instance_id)
                                .order_by(HistoryEntry.chain_seq)).first()
        session.add(ChainTombstone(chain=HISTORY_CHAIN.name, chain_seq=entry.chain_seq, row_id=entry.id,
                                   row_hash=entry.row_hash, batch="forged"))
        session.flush()
        session.execute(text("DELETE FROM registration_history WHERE id = :i"), {"i": entry.id})  # the trigger lets it
        report = verify_chain(session, HISTORY_CHAIN)
        assert not report.ok and report.broken_id == entry.id and "墓標" in report.problem
        session.rollback()
    with product.session_factory() as session:
        assert verify_chain(session, HISTORY_CHAIN).ok


def test_the_admin_page_previews_refuses_and_purges(login, product, driver):
    record = _closed(product, driver, date(1999, 7, 7))
    admin = login("admin")
    page = admin.get("/admin/purge", query_string={"before": "1999-07-08"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and record.registration_number in html and "data-purge-preview" in html
    with product.session_factory() as session:  # the list names a person's closed record: the view is logged
        logged = session.scalars(select(AccessEntry).where(AccessEntry.resident_id == record.resident_id,
                                                           AccessEntry.what == "除票の消去（対象の一覧）")).all()
    assert [(e.actor, e.target) for e in logged] == [("admin", record.registration_number)]
    unconfirmed = admin.post("/admin/purge", data={"before": "1999-07-08"})
    assert unconfirmed.status_code == 422 and _get(product, record.registration_number) is not None
    too_young = admin.post("/admin/purge", data={"before": product.services.today().isoformat(), "confirm": "1"})
    assert too_young.status_code == 422 and "保存期間" in too_young.get_data(as_text=True)
    done = admin.post("/admin/purge", data={"before": "1999-07-08", "confirm": "1"}, follow_redirects=True)
    assert done.status_code == 200 and "除票 1 件を消去しました" in done.get_data(as_text=True)
    assert _get(product, record.registration_number) is None
    with product.session_factory() as session:
        batch_id = session.scalar(select(func.max(PurgeBatch.id)))
    listed = admin.get(f"/admin/purge/{batch_id}/list.csv")
    assert listed.status_code == 200 and record.registration_number in listed.get_data(as_text=True)
    assert login("auditor").get("/admin/purge").status_code == 403
