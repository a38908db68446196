"""The access purposes a signed-in session has chosen, one per person and case, and the questions still open.

A purpose answers "why do I open this person's data in this case": it is kept in the session under the key
(person, case) — the case is the process instance the page belongs to, None outside a case — and SEVERAL stands for
pages that show several people at once and still ask (the purge list, the exchange runs, a print batch …).

The session is a signed cookie, so what it keeps is bounded: at most MAX_REMEMBERED answers and MAX_CHARS of them
as JSON, the oldest dropped first (that person and case is asked again). Signing in or out clears the session.
"""

from __future__ import annotations

import json

from flask import session

from engine.evidence.access_log import PURPOSES

__all__ = ["MAX_REMEMBERED", "SEVERAL", "Question", "ask", "last_purpose", "open_question", "purpose_for", "remember",
           "settle"]

CHOSEN_KEY = "access_purposes"  # [[person, case, code, note], …], oldest first
ASKED_KEY = "purpose_questions"  # [[target, person, case], …]: what the gate asked and the form may name
SEVERAL = "*"
MAX_REMEMBERED = 40
MAX_CHARS = 2400  # the chosen purposes as JSON; a cookie holds about 4 KB and the session keeps more than this
MAX_OPEN_QUESTIONS = 6  # tabs a clerk leaves on the form at once

Question = tuple[str, int | None]  # (person or SEVERAL, case)


def purpose_for(person: str, case: int | None) -> tuple[str, str | None] | None:
    """The (code, note) chosen for this person in this case during the session, or None."""
    for entry in reversed(_chosen()):
        if entry[0] == person and entry[1] == case:
            return entry[2], entry[3]
    return None


def last_purpose() -> tuple[str, str | None] | None:
    """The purpose chosen most recently in the session (the form preselects it), or None."""
    chosen = _chosen()
    return (chosen[-1][2], chosen[-1][3]) if chosen else None


def remember(person: str, case: int | None, code: str, note: str | None) -> None:
    """Keep the purpose for this person and case for the rest of the session (the oldest answers make room)."""
    chosen = [e for e in _chosen() if (e[0], e[1]) != (person, case)] + [[person, case, code, note]]
    while len(chosen) > 1 and (len(chosen) > MAX_REMEMBERED or len(json.dumps(chosen)) > MAX_CHARS):
        chosen.pop(0)
    session[CHOSEN_KEY] = chosen


def ask(target: str, question: Question) -> None:
    """Note that the page `target` waits for a purpose for `question` (the form names that person and case)."""
    asked = [q for q in _asked() if q[0] != target] + [[target, *question]]
    session[ASKED_KEY] = asked[-MAX_OPEN_QUESTIONS:]


def open_question(target: str) -> Question | None:
    """The person and case the page `target` asked about, when the gate sent the clerk to the form for it."""
    for entry in reversed(_asked()):
        if entry[0] == target:
            return entry[1], entry[2]
    return None


def settle(target: str) -> None:
    session[ASKED_KEY] = [q for q in _asked() if q[0] != target]


def _chosen() -> list[list]:
    value = session.get(CHOSEN_KEY)
    if not isinstance(value, list):
        return []
    return [e for e in value if isinstance(e, list) and len(e) == 4 and e[2] in PURPOSES]


def _asked() -> list[list]:
    value = session.get(ASKED_KEY)
    return [q for q in value if isinstance(q, list) and len(q) == 3] if isinstance(value, list) else []
