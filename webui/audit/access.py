"""Log every view of a person's data, with the purpose the user chose for that person in that case.

A page that shows one person's data calls `purpose_gate(resident_id, instance_id)` first: the first time this
session opens that person in that case (the process instance the page belongs to; None outside a case) it answers
the interstitial form, which names the person and the case; the same person in the same case is not asked again.
Pages that show several people at once either ask once for all of them (`purpose_gate(SEVERAL)`: the purge list,
exchange runs, a print batch) or, as lists, search results and task pages do, never stop the clerk and log what is
known. `log_person_view(session, resident_id, what, instance_id=…)` then logs inside the unit of work that reads the
data, with the purpose chosen for that person and case. The API takes the purpose from the `X-Access-Purpose`
header (one of PURPOSES' codes) and logs "api" when it is absent.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy.orm import Session

from engine.evidence.access_log import PURPOSES, log_view
from webui.audit.purposes import SEVERAL, ask, purpose_for
from webui.auth.next_url import is_local_path
from webui.auth.users import current_actor

__all__ = ["API_PURPOSE", "PURPOSE_LABELS", "SEVERAL", "UNSTATED_PURPOSE", "after_purpose", "log_api_list",
           "log_api_view", "log_list_view", "log_person_view", "pending_download", "purpose_gate", "referring_page"]

DOWNLOAD_KEY = "pending_download"
API_PURPOSE = "api"
# Lists, search results and task pages do not stop the clerk to ask why; a view of a person no purpose was chosen
# for (in that case) is still logged, under this code.
UNSTATED_PURPOSE = "unstated"
PURPOSE_LABELS = PURPOSES | {API_PURPOSE: "API経由（目的の指定なし）",
                             UNSTATED_PURPOSE: "目的の選択前（一覧・検索・作業画面）"}


def purpose_gate(resident_id: str | None, instance_id: int | None = None):
    """A redirect to the purpose form when no purpose is chosen yet for this person (or SEVERAL) in this case;
    None when the page may go on (also for a page that shows nobody).

    The form sends the clerk on to what they asked for; for a download (``?download=1``) it also carries the page
    the link was on (``back``), so after answering the clerk lands back there and the download starts from it.
    """
    if not resident_id or not current_user.is_authenticated or purpose_for(resident_id, instance_id) is not None:
        return None
    target = request.full_path.rstrip("?")
    ask(target, (resident_id, instance_id))
    back = referring_page() if request.args.get("download") == "1" else None
    return redirect(url_for("audit.purpose", next=target, **({"back": back} if back else {})))


def referring_page() -> str | None:
    """The page of this site the request came from (Referer), as a local path; None for another site or none."""
    referrer = urlsplit(request.referrer or "")
    if not referrer.path or referrer.netloc != request.host:
        return None
    path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return path if is_local_path(path) and not referrer.path.startswith("/audit/purpose") else None


def after_purpose(target: str, back: str | None) -> str:
    """Where the purpose form sends the clerk: back to the page of a download link, the download pending (it
    starts from that page: pending_download), else straight on to what they asked for."""
    if back and is_local_path(back) and _is_download(target):
        session[DOWNLOAD_KEY] = target
        return back
    return target


def pending_download() -> str | None:
    """The download the purpose form held back (once: the page that shows it starts it)."""
    target = session.pop(DOWNLOAD_KEY, None)
    return target if isinstance(target, str) and is_local_path(target) else None


def _is_download(target: str) -> bool:
    return "download=1" in urlsplit(target).query.split("&")


def log_person_view(db: Session, resident_id: str | None, what: str, target: str | None = None, *,
                    instance_id: int | None = None, among_several: bool = False, commit: bool = False) -> None:
    """Log a page view of `resident_id`'s data (no-op without a person); call after purpose_gate().

    The row carries the purpose chosen for this person in case `instance_id` (for a page that asked once for
    SEVERAL people: `among_several`), else UNSTATED_PURPOSE. `commit` ends the page's transaction here, before the
    template renders: on SQLite every transaction holds the write lock, and helpers that the layout calls open
    sessions of their own.
    """
    if resident_id:
        code, note = purpose_for(SEVERAL if among_several else resident_id, instance_id) or (UNSTATED_PURPOSE, None)
        log_view(db, current_actor(), resident_id, what, code, target=target, note=note)
    if commit:
        db.commit()


def log_list_view(db: Session, resident_ids: Iterable[str | None], what: str, *, commit: bool = False) -> None:
    """Log one row per person a list, search result or task page shows (names, birth dates …), once each, with
    the purpose chosen for that person outside a case, else UNSTATED_PURPOSE (a list never asks)."""
    actor = current_actor()
    for resident_id in dict.fromkeys(r for r in resident_ids if r):
        code, note = purpose_for(resident_id, None) or (UNSTATED_PURPOSE, None)
        log_view(db, actor, resident_id, what, code, note=note)
    if commit:
        db.commit()


def log_api_list(db: Session, actor, resident_ids: Iterable[str | None], what: str) -> None:
    """Log an API answer listing people, one row per person, with the X-Access-Purpose header's purpose."""
    for resident_id in dict.fromkeys(r for r in resident_ids if r):
        log_api_view(db, actor, resident_id, what)


def log_api_view(db: Session, actor, resident_id: str | None, what: str, target: str | None = None) -> None:
    """Log an API read of `resident_id`'s data with the purpose named in the X-Access-Purpose header."""
    if not resident_id:
        return
    code = request.headers.get("X-Access-Purpose", "").strip()
    log_view(db, actor, resident_id, what, code if code in PURPOSES else API_PURPOSE, target=target)

