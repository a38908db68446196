"""Drive 4.1.4 照会による登録 through the real engine and handlers, as tests need it: the letter is printed in a
batch and marked mailed as clerks do, and the clock (tests.support.auth.Clock) is moved past the minimum wait."""

from __future__ import annotations

from dataclasses import dataclass

from engine.runtime.queries import instance_detail, open_tasks_of_instance
from engine.runtime.runner import RunOutcome
from handlers.base import HandlerError
from handlers.environment import Operator
from handlers.services.batch import run_batch, start_batch
from handlers.services.mailing import mark_mailed
from registry.documents import queue
from registry.seals import records
from registry.seals.models import Application, Registration
from tests.support.flow import BACK, COUNTER, RegistrationDriver

PRINTER = Operator("backyard", "backyard")

APPLICATION = {"applicant": "self", "inquiry_reason": "no_identity_document", "received_items": ["application", "seal"]}
ANSWER = {"answer": "applied", "bearer": "self", "bearer_identity_checked": True}


@dataclass
class Pending:
    """A 4.1.4 application waiting for its 回答書: the letter is queued, the answer task is open."""

    instance_id: int
    resident_id: str
    inquiry_number: str  # the reference number pages show
    application_id: int
    seal_text: str
    printed_number: str  # the number as the letter prints it, with its random part


def print_queued_letters(product) -> None:
    """Run the batch print of every queued 照会書兼回答書, as the back office does each day."""
    try:
        with product.session_factory.begin() as session:
            job_id = start_batch(session, queue.INQUIRY_LETTER, queued_on=None, actor=PRINTER)
    except HandlerError as exc:
        assert exc.code == "nothing_queued", exc.message
        return
    assert run_batch(product.session_factory, product.services, job_id, actor=PRINTER).status == "done"


class InquiryDriver:
    """`clock` (tests.support.auth.Clock, the product's clock) is moved past the wait after mailing; without it the
    letter is mailed today and an answer is refused as too early."""

    def __init__(self, product, clock=None):
        self.product = product
        self.runner = product.runner
        self.base = RegistrationDriver(product)
        self.clock = clock

    def start(self, resident_id: str, **data) -> RunOutcome:
        return self.runner.start("shoukai_touroku", COUNTER, {"resident_id": resident_id} | data)

    def open_spec_names(self, instance_id: int) -> list[str]:
        with self.product.session_factory() as session:
            return [t.spec_name for t in open_tasks_of_instance(session, instance_id)]

    def data(self, instance_id: int) -> dict:
        with self.product.session_factory() as session:
            return instance_detail(session, self.product.specs, instance_id).data

    def application(self, instance_id: int) -> Application:
        with self.product.session_factory() as session:
            return records.application_of_instance(session, instance_id)

    def registration_of(self, instance_id: int) -> Registration | None:
        with self.product.session_factory() as session:
            return records.registration_made_by(session, instance_id)

    def step(self, outcome: RunOutcome, actor, data: dict) -> RunOutcome:
        return self.base.step(outcome, actor, data)

    def to_answer(self, resident_id: str | None = None, seal_text: str = "照会", mailed: bool = True,
                  impression_name: str = "full_name", **application) -> Pending:
        """Take the application, scan and accept the impression (showing `impression_name`): the letter is queued,
        the answer awaited; when `mailed`, the letter is printed, marked mailed today and the clock waits the
        minimum days."""
        resident_id = resident_id or self.base.fresh_resident()
        outcome = self.start(resident_id)
        outcome = self.step(outcome, COUNTER, {"resident_id": resident_id} | APPLICATION | application)
        outcome = self.step(outcome, BACK, {"scan_blob_id": self.base.scan(seal_text)})
        outcome = self.step(outcome, BACK, {"impression_decision": "accept", "impression_name": impression_name})
        assert self.open_spec_names(outcome.instance_id) == ["task_answer"], self.open_spec_names(outcome.instance_id)
        inquiry = self.data(outcome.instance_id)["inquiry"]
        with self.product.session_factory() as session:
            printed = records.printed_inquiry_number(session.get(Application, inquiry["application_id"]))
        pending = Pending(outcome.instance_id, resident_id, inquiry["inquiry_number"], inquiry["application_id"],
                          seal_text, printed)
        if mailed:
            self.mail(pending)
        return pending

    def mail(self, pending: Pending, wait: bool = True) -> None:
        """Print the queued letters, mark this one mailed today, then let the minimum wait pass on the clock."""
        print_queued_letters(self.product)
        with self.product.session_factory.begin() as session:
            letter = queue.letter_of_application(session, pending.application_id)
            mark_mailed(session, self.product.services, [letter.id], mailed_on=None, actor=PRINTER)
        if wait and self.clock is not None:
            self.clock.advance(days=self.product.services.settings.inquiry_min_wait_days)

    def answer(self, pending: Pending, **answer) -> RunOutcome:
        """The 回答書 brought to the counter, its printed number typed."""
        task_id = self.base.open_task(pending.instance_id)
        return self.runner.complete(task_id, COUNTER, {"inquiry_number": pending.printed_number} | ANSWER | answer)

    def bring_seal(self, pending: Pending, seal_text: str | None = None, decision: str = "match") -> RunOutcome:
        """After an accepted answer: scan the seal brought and decide on the comparison."""
        scan = self.base.scan(seal_text or pending.seal_text)
        outcome = self.runner.complete(self.base.open_task(pending.instance_id), BACK, {"answer_scan_blob_id": scan})
        return self.step(outcome, BACK, {"seal_decision": decision})

    def register(self, pending: Pending) -> RunOutcome:
        """The answer accepted, the same seal brought, the card issued and handed over."""
        self.answer(pending)
        outcome = self.bring_seal(pending)
        outcome = self.step(outcome, BACK, {"card_kind": "registration_card"})
        return self.step(outcome, COUNTER, {"handed_over": True})
