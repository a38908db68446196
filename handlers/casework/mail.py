"""The `$mail_letter` step of a 4.1.4 case: the case's 照会書兼回答書 printed through the batch printer, then
recorded as mailed `days_ago` days ago — as the back office of earlier days would have left it, since a case cannot
move the product's clock (the modeler runs cases inside the running product)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from handlers.casework.errors import CaseError
from handlers.casework.factory import FACTORY
from handlers.environment import HandlerServices
from handlers.services.batch import run_batch
from handlers.services.mailing import mark_mailed
from registry.documents import queue
from registry.documents.models import PrintQueueItem, QueueStatus
from registry.seals import records

__all__ = ["mail_letter"]


def mail_letter(session_factory: sessionmaker[Session], services: HandlerServices, instance_id: int,
                days_ago: int) -> None:
    """Print the instance's queued letter (alone, in a batch job of its own) and mark it mailed `days_ago` days
    ago; raise CaseError when the instance queued no letter or it could not be printed."""
    if not isinstance(days_ago, int) or days_ago < 0:
        raise CaseError("$mail_letter の days_ago は0以上の整数で指定してください")
    with session_factory.begin() as session:
        letter = _letter(session, instance_id)
        letter_id, job_id = letter.id, _job_for(session, letter) if letter.status == QueueStatus.QUEUED else None
    if job_id is not None:
        run_batch(session_factory, services, job_id, actor=FACTORY)
    with session_factory.begin() as session:
        letter = session.get_one(PrintQueueItem, letter_id)
        if letter.status != QueueStatus.PRINTED or letter.printed_at is None:
            raise CaseError(f"照会書兼回答書を印刷できませんでした（{letter.error or letter.status}）")
        back = timedelta(days=days_ago)
        letter.printed_at = min(letter.printed_at, services.utcnow() - back)
        mark_mailed(session, services, [letter.id], mailed_on=services.today() - back, actor=FACTORY)


def _letter(session: Session, instance_id: int) -> PrintQueueItem:
    application = records.application_of_instance(session, instance_id)
    letter = queue.letter_of_application(session, application.id) if application is not None else None
    if letter is None:
        raise CaseError("この事案には照会書兼回答書がありません（4.1.4.2 照会書発行の後で $mail_letter を使います）")
    return letter


def _job_for(session: Session, letter: PrintQueueItem) -> int:
    """A batch job holding only this letter."""
    job = queue.new_job(session, letter.document, queued_on=None, created_by=FACTORY.username)
    letter.batch_job_id, job.total = job.id, 1
    return job.id
