"""Reports against a small known data set placed in 2031 (no other test writes there) and a lane of its own."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest

from engine.evidence.reports import instances_per_day, open_tasks, percentile, task_durations
from engine.models import HumanTask, ProcessDefinition, ProcessInstance
from registry.documents.models import IssuedCertificate
from registry.seals.models import Application
from tests.support.flow import RegistrationDriver
from webui.audit.dashboard import build_dashboard

DAY = date(2031, 3, 1)
LANE = "監査テスト"


def jst(day: date, hour: int, minute: int = 0) -> datetime:
    """A JST wall time as the naive UTC the tables store."""
    return datetime(day.year, day.month, day.day, hour, minute) - timedelta(hours=9)


@pytest.fixture(scope="module")
def seeded(product):
    """The known data set, written once per database."""
    registered = RegistrationDriver(product).registered_person()
    with product.session_factory.begin() as session:
        definition = session.query(ProcessDefinition).filter_by(process_id="sokuji_touroku").first()
        starts = [(jst(DAY, 9, 30), "completed", "end_registered", "登録完了"),
                  (jst(DAY, 10), "completed", "end_refused", "却下"), (jst(DAY, 23, 50), "running", None, None),
                  (jst(DAY + timedelta(days=1), 0, 10), "completed", "end_registered", "登録完了")]
        instances = []
        for started, status, end, label in starts:
            instance = ProcessInstance(definition_id=definition.id, process_id="sokuji_touroku", status=status,
                                       state="", started_by="madoguchi", started_at=started, updated_at=started,
                                       end_event=end, outcome_label=label)
            session.add(instance)
            instances.append(instance)
        session.flush()
        for minutes in range(1, 11):  # durations 1 … 10 minutes
            created = jst(DAY, 11)
            session.add(HumanTask(instance_id=instances[0].id, task_guid=str(uuid.uuid4()), spec_name="t_audit",
                                  title="監査テスト作業", lane=LANE, is_open=False, created_at=created,
                                  completed_by="backyard", completed_at=created + timedelta(minutes=minutes)))
        for _ in range(3):
            session.add(HumanTask(instance_id=instances[2].id, task_guid=str(uuid.uuid4()), spec_name="t_open",
                                  title="未処理", lane=LANE, is_open=True, created_at=datetime(2020, 1, 1)))
        for n, reason in enumerate(("under_15", "under_15", "deceased")):
            session.add(Application(instance_id=900_000 + n,
                                    kind="4.1.2", status="refused", reason=reason, operator="madoguchi",
                                    closed_at=jst(DAY, 14)))
        for channel, hour in (("counter", 9), ("counter", 15), ("konbini", 20)):
            session.add(IssuedCertificate(serial=f"T{uuid.uuid4().hex[:12]}", year=2031,
                                          sequence=int(uuid.uuid4().int % 10**8), registration_id=_record_id(
                                              session, registered.registration_number),
                                          channel=channel, issued_at=datetime(2031, 3, 1, hour), issued_by="x",
                                          blob_sha256="0" * 64))


def _record_id(session, number: str) -> int:
    from registry.seals.records import registration_by_number

    return registration_by_number(session, number).id


def test_reports_count_the_known_data(product, seeded):
    with product.session_factory() as session:
        daily = {(d.day, d.outcome): d.count for d in instances_per_day(session, DAY, DAY + timedelta(days=1))}
        assert daily == {(DAY, "登録完了"): 1, (DAY, "却下"): 1, (DAY, "running"): 1,
                         (DAY + timedelta(days=1), "登録完了"): 1}
        tasks, lanes = task_durations(session, DAY, DAY)
        mine = next(t for t in tasks if t.key == "監査テスト作業")
        assert (mine.count, mine.median_seconds, mine.p90_seconds) == (10, 330.0, 540.0)
        assert next(t for t in lanes if t.key == LANE).count == 10
        lane = next(o for o in open_tasks(session, datetime(2031, 1, 1)) if o.lane == LANE)
        assert lane.count == 3 and lane.buckets["7日以上"] == 3
        dashboard = build_dashboard(session, DAY, DAY)
    assert ("4.1.2 即時登録", "15歳未満", "under_15", 2) in dashboard.tables["refusals"]
    assert ("4.1.2 即時登録", "死亡", "deceased", 1) in dashboard.tables["refusals"]
    assert dashboard.tables["certificates"] == [("2031-03-01", "窓口", 2), ("2031-03-01", "コンビニ", 1)]
    assert sum(bar.height > 0 for bar in dashboard.certificate_chart.bars) == 2


def test_percentile_is_nearest_rank():
    assert percentile([float(n) for n in range(1, 11)], 0.9) == 9.0
    assert percentile([5.0], 0.9) == 5.0 and percentile([], 0.9) == 0.0


def test_dashboard_page_and_csv(login, app, api_token, seeded):
    client = login("auditor")
    html = client.get("/audit/reports", query_string={"from": "2031-03-01", "to": "2031-03-02"}).get_data(
        as_text=True)
    assert "業務別・結果別の事案数" in html and "<svg" in html and "証明書の交付件数" in html
    csv = client.get("/audit/reports.csv", query_string={"table": "certificates", "from": "2031-03-01",
                                                         "to": "2031-03-01"})
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True)
    assert text.startswith("\ufeff日,交付場所,件数") and "2031-03-01,窓口,2" in text
    assert client.get("/audit/reports.csv", query_string={"table": "nope"}).status_code == 404
    assert login("madoguchi").get("/audit/reports").status_code == 403
    api = app.test_client().get("/api/v1/audit/reports", headers=api_token("manager"),
                                query_string={"from": "2031-03-01", "to": "2031-03-01"})
    assert api.status_code == 200 and ["2031-03-01", "コンビニ", 1] in api.get_json()["tables"]["certificates"]
    assert app.test_client().get("/api/v1/audit/reports", headers=api_token("backyard")).status_code == 403
