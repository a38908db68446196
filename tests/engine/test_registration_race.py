"""The same resident at two counters (issue 13 point 6): two 4.1.2 instances reach 4.1.2.1 at once; one registers,
the other takes the modelled refusal (既に印鑑登録されています) with no incident and no impression row left behind.
Also an incident of the old kind (the refusal raised at 1.3.2) ends in the refusal when retried."""

from __future__ import annotations

import threading
from dataclasses import replace

from sqlalchemy import func, select

from engine.actor import Actor
from engine.models import Incident, ProcessInstance
from engine.runtime.queries import instance_detail
from handlers.base import HandlerError
from handlers.operators.registration import person_snapshot
from handlers.operators.residents import lookup_resident
from registry.errors import NotEligible
from registry.seals import records
from registry.seals.models import Application, Impression, NumberSequence, Registration
from registry.seals.numbering import SEQUENCE
from tests.support.flow import BACK, COUNTER

MESSAGE = "既に印鑑登録されています（1人1個まで）"
ACCEPT = {"impression_decision": "accept", "impression_name": "full_name"}
ADMIN = Actor("admin", "admin")


def at_review(driver, resident_id: str, seal_text: str):
    """A 4.1.2 instance for the resident with its scan measured: the clerk's 4.1.1.1 check (task_review) is next."""
    outcome = driver.to_scan(resident_id)
    return driver.step(outcome, BACK, {"scan_blob_id": driver.scan(seal_text)})


def last_serial(product) -> int:
    with product.session_factory() as session:
        return session.scalar(select(NumberSequence.last_value).where(NumberSequence.name == SEQUENCE)) or 0


def accept_both_at_once(product, driver, first, second) -> list:
    """Complete both task_review at the same moment from two threads (each a whole unit of work: on PostgreSQL
    they queue on the audit chain's head row, on SQLite on the write lock, so the second sees the first's record
    at its 4.1.2.1 check; test_1_3_2_… below interleaves the number itself)."""
    start = threading.Barrier(2, timeout=20)
    outcomes: list = [None, None]
    errors: list[BaseException] = []

    def complete(index: int, outcome) -> None:
        task_id = driver.open_task(outcome.instance_id)
        start.wait()
        try:
            outcomes[index] = product.runner.complete(task_id, BACK, ACCEPT)
        except BaseException as exc:  # noqa: BLE001 — reported by the test below
            errors.append(exc)

    threads = [threading.Thread(target=complete, args=(i, o)) for i, o in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return outcomes


def test_two_counters_register_the_same_resident_at_once_one_is_refused(product, driver, login):
    resident_id = driver.fresh_resident()
    first, second = at_review(driver, resident_id, "甲"), at_review(driver, resident_id, "乙")
    serial_before = last_serial(product)

    outcomes = accept_both_at_once(product, driver, first, second)

    assert all(o.incident_id is None and o.status == "running" for o in outcomes), outcomes
    assert last_serial(product) == serial_before + 1  # the refused one gave its number back: no gap
    with product.session_factory() as session:
        records = list(session.scalars(select(Registration).where(Registration.resident_id == resident_id)))
        assert len(records) == 1
        winner = records[0].instance_id
        loser = next(o.instance_id for o in outcomes if o.instance_id != winner)
        data = instance_detail(session, product.specs, loser).data
        assert data["registration"] == {"registered": False, "reason": "already_registered", "label": "登録済み",
                                        "message": MESSAGE}
        assert data["refusal"]["reason"] == "already_registered" and MESSAGE in data["refusal"]["message"]
        assert data["refusal"]["impression_discarded"] is True
        impressions = list(session.scalars(select(Impression).where(Impression.resident_id == resident_id)))
        assert [i.id for i in impressions] == [records[0].impression_id]  # the loser's row is gone
        assert session.scalar(select(func.count()).select_from(Incident).where(
            Incident.instance_id.in_([first.instance_id, second.instance_id]))) == 0
        application = session.scalars(select(Application).where(Application.instance_id == loser)).one()
        assert (application.status, application.reason) == ("refused", "already_registered")

    task_id = driver.open_task(loser)
    clerk = login("madoguchi")
    assert MESSAGE in clerk.get(f"/tasks/{task_id}").get_data(as_text=True)  # the counter explains it from here
    assert MESSAGE in clerk.get(f"/instances/{loser}").get_data(as_text=True)
    ended = product.runner.complete(task_id, COUNTER, {"explained": True})
    assert ended.status == "completed" and ended.incident_id is None
    with product.session_factory() as session:
        assert session.get(ProcessInstance, loser).end_event == "end_refused"


def old_style_register(ctx, resident_id: str, impression_id: int, identity_path: str, **_ignored) -> dict:
    """4.1.2.1 as it was before: the refusal raised at 1.3.2, an incident."""
    raise HandlerError(f"登録できません: {MESSAGE}", code="already_registered")


def test_an_incident_of_the_old_kind_ends_in_the_refusal_when_retried(product, driver, monkeypatch):
    resident_id = driver.fresh_resident()
    late = at_review(driver, resident_id, "丙")
    driver.registered_person(resident_id)  # another counter got there first
    handler = product.handlers.get("inkan.registry.register")
    monkeypatch.setitem(product.handlers._handlers, handler.operator_id, replace(handler, fn=old_style_register))
    failed = product.runner.complete(driver.open_task(late.instance_id), BACK, ACCEPT)
    monkeypatch.undo()
    assert failed.status == "error" and failed.incident_id

    retried = product.runner.retry(failed.incident_id, ADMIN)

    assert retried.status == "running" and retried.incident_id is None
    with product.session_factory() as session:
        data = instance_detail(session, product.specs, late.instance_id).data
        assert data["refusal"]["reason"] == "already_registered" and data["refusal"]["impression_discarded"]
        assert session.scalar(select(func.count()).select_from(Incident).where(
            Incident.instance_id == late.instance_id)) == 1  # the old one, resolved; no new one
        assert session.scalar(select(func.count()).select_from(Impression).where(
            Impression.instance_id == late.instance_id)) == 0
    assert driver.open_task(late.instance_id)


def test_1_3_2_checks_again_under_the_counter_lock_and_gives_the_number_back(product, driver):
    """Two sessions interleaved: both found the resident eligible; the first takes the number and holds it
    uncommitted, the second waits for the counter, then finds the first's record: NotEligible, number unused."""
    resident_id = driver.fresh_resident()
    serial_before = last_serial(product)
    first = product.session_factory()
    first.begin()
    won = register_in(first, product, resident_id, "甲")
    second_result: list = []
    waiting = threading.Thread(target=lambda: second_result.append(try_register(product, resident_id, "乙")))
    waiting.start()
    waiting.join(1.0)
    assert waiting.is_alive()  # queued behind the first's lock on the 1.3.2 counter (or the write lock)
    first.commit()
    first.close()
    waiting.join(30)
    assert second_result == [("already_registered", MESSAGE)]
    assert last_serial(product) == serial_before + 1
    with product.session_factory() as session:
        numbers = list(session.scalars(select(Registration.registration_number)
                                       .where(Registration.resident_id == resident_id)))
        assert numbers == [won]


def register_in(session, product, resident_id: str, seal_text: str) -> str:
    """records.register in the caller's open transaction (the resident was eligible when it began)."""
    resident = lookup_resident(product.juki(session), resident_id)
    impression = Impression(resident_id=resident_id, image_blob="0" * 64, scan_blob="0" * 64, dpi=300.0,
                            mm_per_px=0.1, width_mm=15.0, height_mm=15.0, square_mm=15.0, shape="round",
                            stored_by=seal_text)
    session.add(impression)
    session.flush()
    record = records.register(session, person_snapshot(resident), impression, identity_path="photo_id",
                              today=product.services.today(), operator="test", instance_id=None,
                              number_format=product.services.settings.number_format)
    return record.registration_number


def try_register(product, resident_id: str, seal_text: str) -> tuple[str, str] | str:
    with product.session_factory.begin() as session:
        try:
            return register_in(session, product, resident_id, seal_text)
        except NotEligible as exc:
            return exc.reason, exc.message
