"""Registered people for tests: driven through the real 4.1.2 即時登録 (register), or written directly by the
casework factory when the registration itself is not under test (registered_person)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

import imaging
from engine.actor import Actor
from engine.runtime.queries import open_tasks_of_instance
from engine.runtime.runner import RunOutcome
from handlers.casework import fresh_adults, register_directly
from registry.blobs.store import put_blob
from registry.seals.models import Registration

COUNTER = Actor("madoguchi", "madoguchi")
BACK = Actor("backyard", "backyard")
_used: dict[str, set[str]] = {}

IDENTIFY = {"received_items": ["application", "seal", "id_document"]}
PHOTO_ID = {"applicant": "self", "identity_path": "photo_id", "photo_id_kind": "driving_licence"}


@dataclass
class Registered:
    instance_id: int | None  # the 4.1.2 instance; None for a person the factory registered
    resident_id: str
    registration_number: str


def used_residents(product) -> set[str]:
    """The residents tests and bpmn_tests cases have handed out on this product's database."""
    return _used.setdefault(str(product.session_factory.kw["bind"].url), set())


class RegistrationDriver:
    def __init__(self, product):
        self.product = product
        self.runner = product.runner

    def fresh_resident(self) -> str:
        """An adult living alone whom nobody registered, no other test used and who is no demo resident (so a test
        may change them in the simulated register)."""
        return self._fresh(count=1, alone=True)[0]

    def fresh_household_pair(self) -> tuple[str, str]:
        """Two unregistered, unused adults of the same household."""
        first, second = self._fresh(count=2, alone=False)
        return first, second

    def _fresh(self, *, count: int, alone: bool) -> list[str]:
        with self.product.session_factory() as session:
            return fresh_adults(session, self.product.services.today(), used_residents(self.product), count=count,
                                alone=alone)

    def registered_person(self, resident_id: str | None = None, seal_text: str = "登録", **seal) -> Registered:
        """A registered person without driving 4.1.2: the factory writes the 原票, impression and card directly
        (handlers.casework.register_directly). For tests whose subject is not the registration itself."""
        resident_id = resident_id or self.fresh_resident()
        with self.product.session_factory.begin() as session:
            record = register_directly(session, self.product.services, resident_id, seal_text=seal_text, **seal)
            return Registered(None, resident_id, record.registration_number)

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
        """Run the whole 4.1.2 photo-ID path and return the number assigned (about a second: use
        registered_person() unless the registration, its instance or its documents are under test)."""
        resident_id = resident_id or self.fresh_resident()
        outcome = self.to_scan(resident_id)
        outcome = self.step(outcome, BACK, {"scan_blob_id": self.scan(seal_text, **seal)})
        outcome = self.step(outcome, BACK, {"impression_decision": "accept", "impression_name": "full_name"})
        outcome = self.step(outcome, BACK, {"card_kind": "registration_card"})
        outcome = self.step(outcome, COUNTER, {"handed_over": True})
        assert outcome.status == "completed", outcome
        with self.product.session_factory() as session:
            record = session.scalars(select(Registration).where(Registration.resident_id == resident_id,
                                                                Registration.status == "registered")).one()
            return Registered(outcome.instance_id, resident_id, record.registration_number)
