"""Drive 4.1.2 即時登録 through the real engine and handlers, as tests need it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

import imaging
from engine.actor import Actor
from engine.queries import open_tasks_of_instance
from engine.runtime import RunOutcome
from juki.models import SimResident
from registry.blobs.store import put_blob
from registry.seals.models import Registration

COUNTER = Actor("madoguchi", "madoguchi")
BACK = Actor("backyard", "backyard")
_used: dict[str, set[str]] = {}

IDENTIFY = {"received_items": ["application", "seal", "id_document"]}
PHOTO_ID = {"applicant": "self", "identity_path": "photo_id", "photo_id_kind": "driving_licence"}


@dataclass
class Registered:
    instance_id: int
    resident_id: str
    registration_number: str


class RegistrationDriver:
    def __init__(self, product):
        self.product = product
        self.runner = product.runner

    def fresh_resident(self, *, alone: bool = True) -> str:
        """An adult resident nobody has registered and no other test has used on this database."""
        url = str(self.product.session_factory.kw["bind"].url)
        used = _used.setdefault(url, set())
        cutoff = date(self.product.services.today().year - 20, 1, 1)
        with self.product.session_factory() as session:
            registered = set(session.scalars(select(Registration.resident_id)))
            query = (select(SimResident).where(SimResident.status == "resident", SimResident.birth_date < cutoff,
                                               SimResident.lacks_capacity.is_(False))
                     .order_by(SimResident.resident_id))
            for resident in session.scalars(query):
                if resident.resident_id in used or resident.resident_id in registered:
                    continue
                if alone and len(self.product.juki(session).household_members(resident.household_id)) != 1:
                    continue
                used.add(resident.resident_id)
                return resident.resident_id
        raise AssertionError("no fresh resident left")

    def fresh_household_pair(self) -> tuple[str, str]:
        """Two unregistered, unused adults of the same household."""
        url = str(self.product.session_factory.kw["bind"].url)
        used = _used.setdefault(url, set())
        cutoff = date(self.product.services.today().year - 20, 1, 1)
        with self.product.session_factory() as session:
            registered = set(session.scalars(select(Registration.resident_id)))
            juki = self.product.juki(session)
            for head in session.scalars(select(SimResident).where(SimResident.relationship == "世帯主",
                                                                  SimResident.status == "resident")
                                        .order_by(SimResident.resident_id)):
                adults = [m.resident_id for m in juki.household_members(head.household_id)
                          if m.birth_date < cutoff and not m.lacks_capacity
                          and m.resident_id not in used and m.resident_id not in registered]
                if len(adults) >= 2:
                    used.update(adults[:2])
                    return adults[0], adults[1]
        raise AssertionError("no household with two fresh adults left")

    def scan(self, text: str = "印影", **options) -> str:
        with self.product.session_factory.begin() as session:
            return put_blob(session, imaging.make_seal_scan(text, **options), "image/png")

    def open_task(self, instance_id: int) -> int:
        with self.product.session_factory() as session:
            return open_tasks_of_instance(session, instance_id)[0].id

    def step(self, outcome: RunOutcome, actor: Actor, data: dict) -> RunOutcome:
        return self.runner.complete(outcome.next_task_id or self.open_task(outcome.instance_id), actor, data)

    def start(self, resident_id: str) -> RunOutcome:
        return self.runner.start("sokuji_touroku", COUNTER, {"resident_id": resident_id})

    def to_scan(self, resident_id: str) -> RunOutcome:
        """Start and complete the counter steps with photo ID; the scan task is next."""
        outcome = self.start(resident_id)
        outcome = self.step(outcome, COUNTER, {"resident_id": resident_id} | IDENTIFY)
        return self.step(outcome, COUNTER, PHOTO_ID)

    def register(self, resident_id: str | None = None, seal_text: str = "登録", **seal) -> Registered:
        """Run the whole photo-ID path and return the number assigned."""
        resident_id = resident_id or self.fresh_resident()
        outcome = self.to_scan(resident_id)
        outcome = self.step(outcome, BACK, {"scan_blob_id": self.scan(seal_text, **seal)})
        outcome = self.step(outcome, BACK, {"impression_decision": "accept"})
        outcome = self.step(outcome, BACK, {"card_kind": "registration_card"})
        outcome = self.step(outcome, COUNTER, {"handed_over": True})
        assert outcome.status == "completed", outcome
        with self.product.session_factory() as session:
            record = session.scalars(select(Registration).where(Registration.resident_id == resident_id,
                                                                Registration.status == "registered")).one()
            return Registered(outcome.instance_id, resident_id, record.registration_number)
