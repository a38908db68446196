"""4.1.4.2 照会書兼回答書: a clerk records the day printed letters went into the mail. The 回答書 of 4.1.4.6 is
accepted only for a letter printed AND mailed, and not before INKAN_INQUIRY_MIN_WAIT_DAYS after its mailing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from handlers.base import HandlerError
from handlers.environment import HandlerServices, to_jst
from registry.documents import queue
from registry.documents.models import PrintBatchJob, PrintQueueItem, QueueStatus

__all__ = ["LetterState", "letter_state", "mark_job_mailed", "mark_mailed"]

MAILED_KIND = "letter_mailed"  # the audit event of one letter marked mailed


@dataclass(frozen=True)
class LetterState:
    """Where an application's 照会書兼回答書 is: `problem` is None when its 回答書 may be accepted today, else
    letter_not_printed | letter_not_mailed | answer_too_early; `accepted_from` the first day an answer counts."""

    problem: str | None
    mailed_on: date | None = None
    accepted_from: date | None = None


def letter_state(session: Session, application_id: int, *, today: date, min_wait_days: int) -> LetterState:
    letter = queue.letter_of_application(session, application_id)
    if letter is None or letter.status != QueueStatus.PRINTED:
        return LetterState("letter_not_printed")
    if letter.mailed_on is None:
        return LetterState("letter_not_mailed")
    accepted_from = letter.mailed_on + timedelta(days=min_wait_days)
    return LetterState("answer_too_early" if today < accepted_from else None, letter.mailed_on, accepted_from)


def mark_mailed(session: Session, services: HandlerServices, item_ids: list[int], *, mailed_on: date | None,
                actor: Any) -> list[int]:
    """Record that the printed 照会書兼回答書 `item_ids` were mailed on `mailed_on` (default today); one audit event
    per letter, on its instance. All or none: raise HandlerError nothing_selected, letter_not_found,
    letter_not_printed, already_mailed, mailed_on_in_future or mailed_before_printed."""
    if not item_ids:
        raise HandlerError("郵送済みにする照会書兼回答書を選んでください", code="nothing_selected")
    day = mailed_on or services.today()
    if day > services.today():
        raise HandlerError("郵送日に未来の日付は指定できません", code="mailed_on_in_future")
    letters = [_printed_letter(session, item_id, day) for item_id in dict.fromkeys(item_ids)]
    for letter in letters:
        letter.mailed_on, letter.mailed_at, letter.mailed_by = day, services.utcnow(), actor.username
        services.record_audit(session, actor, MAILED_KIND, instance_id=letter.instance_id,
                              title="4.1.4.2 照会書兼回答書の郵送",
                              summary={"queue_item_id": letter.id, "application_id": letter.application_id,
                                       "mailed_on": day.isoformat(), "addressee": letter.subject_name})
    return [letter.id for letter in letters]


def mark_job_mailed(session: Session, services: HandlerServices, job_id: int, *, mailed_on: date | None,
                    actor: Any) -> list[int]:
    """Every printed, not yet mailed 照会書兼回答書 of one batch job, as mark_mailed; raise HandlerError
    job_not_found or nothing_selected (nothing of that job is left to mail)."""
    job = session.get(PrintBatchJob, job_id)
    if job is None or job.document != queue.INQUIRY_LETTER:
        raise HandlerError(f"照会書兼回答書の一括印刷ジョブ {job_id} はありません", code="job_not_found")
    ids = [item.id for item in queue.items_of_job(session, job_id)
           if item.status == QueueStatus.PRINTED and item.mailed_on is None]
    return mark_mailed(session, services, ids, mailed_on=mailed_on, actor=actor)


def _printed_letter(session: Session, item_id: int, mailed_on: date) -> PrintQueueItem:
    letter = session.get(PrintQueueItem, item_id, with_for_update=True)
    if letter is None or letter.document != queue.INQUIRY_LETTER:
        raise HandlerError(f"照会書兼回答書 #{item_id} はありません", code="letter_not_found")
    if letter.status != QueueStatus.PRINTED or letter.printed_at is None:
        raise HandlerError(f"照会書兼回答書 #{item_id} はまだ印刷されていません（一括印刷の後で郵送済みにしてください）",
                           code="letter_not_printed")
    if letter.mailed_on is not None:
        raise HandlerError(f"照会書兼回答書 #{item_id} は {letter.mailed_on.isoformat()} に郵送済みです",
                           code="already_mailed")
    if mailed_on < to_jst(letter.printed_at).date():
        raise HandlerError(f"照会書兼回答書 #{item_id} の郵送日が印刷日より前です", code="mailed_before_printed")
    return letter
