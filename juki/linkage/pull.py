"""PULL: the worker asks the register's change feed (``JukiClient.changes_since``) what changed since its cursor.

Each page is one transaction: the cursor row is locked (SKIP LOCKED), the page asked for, its events handed to
the intake and the cursor moved, so a page is taken in exactly once however many workers run, and a restart
resumes from the committed cursor. When the register does not answer, the cursor stays, the failure is recorded
on the row, one warning is logged (not one per round) and the next attempt backs off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from juki.errors import InvalidQuery, JukiUnavailable
from juki.linkage.cursor import claim_cursor, is_due, note_failure, note_recovered, note_taken_in
from juki.linkage.intake import Receive, take_in
from juki.linkage.settings import PULL, LinkageSettings

__all__ = ["BUSY", "DONE", "FAILED", "MAX_PAGES", "NOT_DUE", "PullResult", "pull_changes"]

log = logging.getLogger("inkan.juki.linkage")

DONE, NOT_DUE, BUSY, FAILED = "done", "not_due", "busy", "failed"
MAX_PAGES = 20  # pages per round; the next round goes on where this one stopped


@dataclass(frozen=True)
class PullResult:
    """What one pull round did: its state, the events new to the intake, duplicates, pages read, the error."""

    state: str
    received: int = 0
    duplicates: int = 0
    pages: int = 0
    error: str | None = None


def pull_changes(session_factory: sessionmaker[Session], register: Callable[[Session], Any], receive: Receive, *,
                 now: datetime, settings: LinkageSettings, force: bool = False) -> PullResult:
    """Take in the register's changes since the stored cursor, page by page, when due (or ``force``)."""
    received = duplicates = pages = 0
    while pages < MAX_PAGES:
        with session_factory.begin() as session:
            row = claim_cursor(session, PULL)
            if row is None:
                return PullResult(BUSY, received, duplicates, pages)
            if pages == 0 and not force and not is_due(row, now):
                return PullResult(NOT_DUE)
            try:
                feed = register(session).changes_since(row.cursor, settings.page_size)
            except (JukiUnavailable, InvalidQuery) as exc:
                if note_failure(row, exc.message, now, settings.pull_seconds):
                    log.warning("resident register change feed not read (cursor %r kept, retried with back-off): %s",
                                row.cursor, exc.message)
                return PullResult(FAILED, received, duplicates, pages, exc.message)
            new, repeated = take_in(session, feed.events, receive, PULL)
            row.cursor = feed.cursor
            note_taken_in(row, feed.events, new, repeated, now)
            if cleared := note_recovered(row, now, settings.pull_seconds):
                log.info("resident register change feed read again after %d failed attempt(s)", cleared)
            more = len(feed.events) >= settings.page_size
            if more:
                row.next_attempt_at = None  # a full page: more is waiting, the next round goes on at once
        received, duplicates, pages = received + new, duplicates + repeated, pages + 1
        if not more:
            break
    return PullResult(DONE, received, duplicates, pages)
