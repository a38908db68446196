"""What the 4.1.4 pages show: an application waiting for (or done with) its 回答書, found by its 照会番号."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.models import HumanTask, ProcessInstance
from engine.runtime.queries import instance_detail, open_tasks_of_instance
from registry.documents import queue
from registry.documents.models import PrintQueueItem, QueueStatus
from registry.seals import records
from registry.seals.models import Application
from webui.wiring import product

__all__ = ["STATUS_LABELS", "InquiryCase", "answer_task_of", "find_case", "load_case", "pending_cases"]

STATUS_LABELS = {"inquiring": "照会中（回答待ち）", "registered": "登録済み", "refused": "却下", "lapsed": "失効",
                 "cancelled": "取消", "open": "受付中"}
LAPSE_LABELS = {"deadline_passed": "回答期限の経過", "not_applied": "本人の申請ではない",
                "cancelled": "誤って開始した事案の取消"}
ANSWER_TASK = "task_answer"


@dataclass
class InquiryCase:
    application: Application
    instance: ProcessInstance
    data: dict[str, Any]
    open_tasks: list[HumanTask]
    letter_label: str = ""  # where its 照会書兼回答書 is: 印刷待ち / 印刷済み（郵送の記録待ち） / 郵送済み（日付）

    @property
    def inquiry_number(self) -> str:
        return records.inquiry_number(self.application.id)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.application.status, self.application.status)

    @property
    def reason_label(self) -> str | None:
        reason = self.application.reason
        return LAPSE_LABELS.get(reason, reason) if reason else None

    @property
    def inquiry(self) -> dict[str, Any]:
        return self.data.get("inquiry") or {}

    @property
    def answer_task(self) -> HumanTask | None:
        return next((t for t in self.open_tasks if t.spec_name == ANSWER_TASK), None)


def find_case(session: Session, number: str) -> InquiryCase | None:
    """The case of a typed or scanned 照会番号; None when malformed, mistyped (check digit) or unknown."""
    application = records.application_by_inquiry_number(session, number)
    return load_case(session, application) if application is not None else None


def load_case(session: Session, application: Application) -> InquiryCase:
    detail = instance_detail(session, product().specs, application.instance_id)
    return InquiryCase(application, detail.instance, detail.data, open_tasks_of_instance(session, application.instance_id),
                       letter_label(queue.letter_of_application(session, application.id)))


def letter_label(letter: PrintQueueItem | None) -> str:
    if letter is None:
        return "未作成"
    if letter.mailed_on is not None:
        return f"郵送済み（{letter.mailed_on.isoformat()}）"
    return "印刷済み（郵送の記録待ち）" if letter.status == QueueStatus.PRINTED else "印刷待ち"


def answer_task_of(case: InquiryCase) -> HumanTask | None:
    return case.answer_task if case.instance.status in ("running", "waiting") else None


def pending_cases(session: Session) -> list[tuple[str, Application, ProcessInstance | None]]:
    """Applications still waiting for their answer, newest first: 照会番号, application, instance (subject)."""
    return [(records.inquiry_number(a.id), a, session.get(ProcessInstance, a.instance_id))
            for a in records.inquiries(session)]
