"""What the purpose form names: the person by display name and the case by flow and 事案番号 (no ids)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.runtime.queries import case_subject
from juki import JukiError
from webui.audit.access import SEVERAL, log_person_view
from webui.wiring import product

__all__ = ["QuestionSubject", "question_subject"]

SEVERAL_LABEL = "複数の住民（一覧・一括処理の画面）"
UNKNOWN_LABEL = "（住民記録に見当たらない住民）"


@dataclass(frozen=True)
class QuestionSubject:
    person: str
    case: str | None  # 「業務名（事案 12）」, None outside a case


def question_subject(person: str, case: int | None) -> QuestionSubject:
    """The labels for the form; showing the person's name is itself a view of their data, so it is logged."""
    with product().session_factory() as session:
        found = case_subject(session, case) if case is not None else None
        case_label = f"{found.flow_name}（事案 {case}）" if found else None
        if person == SEVERAL:
            return QuestionSubject(SEVERAL_LABEL, case_label)
        name = _register_name(session, person) or (found.subject_name if found else None)
        log_person_view(session, person, "閲覧の目的の確認（氏名の表示）", instance_id=case, commit=True)
    return QuestionSubject(name or UNKNOWN_LABEL, case_label)


def _register_name(session, resident_id: str) -> str | None:
    try:
        resident = product().juki(session).get_resident(resident_id)
    except JukiError:
        return None
    return resident.name if resident is not None else None
