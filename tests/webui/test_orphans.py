"""Issue 13 point 6: the orphan sweep finds the impression rows and blobs nothing uses — planted ones, and only
them — keeps what a live instance, a registry row, an instance's data or the audit still names, removes them only
with --delete (audited), and shows the same report to the auditor and the administrator."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from engine.actor import Actor
from engine.evidence import audit
from engine.models import AuditEvent
from registry.blobs.models import Blob
from registry.blobs.store import put_blob
from registry.db import utcnow
from registry.seals.models import Impression
from webui.orphans.service import find_orphans

SYSTEM = Actor("test", "admin")


def old_blob(product, label: str) -> str:
    """A blob nobody uses, made two days ago (older than the sweep's grace period)."""
    with product.session_factory.begin() as session:
        sha = put_blob(session, f"{label} {secrets.token_hex(8)}".encode(), "text/plain")
        session.execute(update(Blob).where(Blob.sha256 == sha).values(created_at=utcnow() - timedelta(days=2)))
    return sha


def impression(product, *, instance_id: int | None, image: str, scan: str) -> int:
    with product.session_factory.begin() as session:
        row = Impression(resident_id="orphan-test", image_blob=image, scan_blob=scan, dpi=300.0, mm_per_px=0.1,
                         width_mm=15.0, height_mm=15.0, square_mm=15.0, shape="round", stored_by="test",
                         instance_id=instance_id)
        session.add(row)
        session.flush()
        return row.id


def found(product) -> tuple[set[int], set[str]]:
    report = find_orphans(product)
    return {line.id for line in report.impressions}, {line.sha256 for line in report.blobs}


def test_the_sweep_finds_only_the_planted_orphans_and_deletes_them_with_delete(app, product, driver):
    impressions_before, blobs_before = found(product)
    # planted: an impression row no registration and no instance uses, with its two images, and a lone old file
    image, scan, lone = old_blob(product, "image"), old_blob(product, "scan"), old_blob(product, "lone")
    planted_impression = impression(product, instance_id=None, image=image, scan=scan)
    # kept: an impression a live instance stored; a file only the audit names; a young file; a registered person
    live = driver.start(driver.fresh_resident())
    kept_impression = impression(product, instance_id=live.instance_id, image=old_blob(product, "live image"),
                                 scan=old_blob(product, "live scan"))
    audited = old_blob(product, "audited")
    with product.session_factory.begin() as session:
        audit.record(session, SYSTEM, "note", summary={"blob": audited})
        young = put_blob(session, b"young " + secrets.token_bytes(8), "text/plain")
    driver.registered_person()

    impressions, blobs = found(product)
    assert impressions - impressions_before == {planted_impression}
    assert blobs - blobs_before == {image, scan, lone}
    assert kept_impression not in impressions and not {audited, young} & blobs

    runner = app.test_cli_runner()
    listed = runner.invoke(args=["registry", "orphans"])
    assert listed.exit_code == 0, listed.output
    assert f"印影\t{planted_impression}\t" in listed.output and lone in listed.output
    assert "削除していません（削除するには --delete）" in listed.output
    assert found(product) == (impressions, blobs)  # the dry run changed nothing

    deleted = runner.invoke(args=["registry", "orphans", "--delete"])
    assert deleted.exit_code == 0, deleted.output
    assert "を削除しました（監査記録 registry_orphans）" in deleted.output
    assert found(product) == (set(), set())
    with product.session_factory() as session:
        assert session.get(Impression, planted_impression) is None
        assert session.get(Impression, kept_impression) is not None
        assert not set(session.scalars(select(Blob.sha256).where(Blob.sha256.in_([image, scan, lone]))))
        assert set(session.scalars(select(Blob.sha256).where(Blob.sha256.in_([audited, young])))) == {audited, young}
        event = session.scalars(select(AuditEvent).where(AuditEvent.kind == "registry_orphans")
                                .order_by(AuditEvent.id.desc())).first()
        summary = json.loads(event.summary_json)
        assert planted_impression in summary["impressions"] and lone in summary["blobs"]
        assert event.actor == "inkan-cli"


def test_the_auditor_and_the_administrator_see_the_report_clerks_do_not(product, login):
    lone = old_blob(product, "shown")
    for role in ("auditor", "admin"):
        page = login(role).get("/audit/orphans")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "未使用データ（参照されていない印影・ファイル）" in text and lone in text
        assert "inkan registry orphans --delete" in text
    assert login("madoguchi").get("/audit/orphans").status_code == 403
    assert found(product)[1] >= {lone}  # the page deletes nothing
