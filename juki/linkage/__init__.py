"""Linking with the resident register the standard's way: PULL the change feed, read change FILES, or accept PUSH.

``take_in`` is the worker's round (and the 連動 page's 「今すぐ取得」): for each configured way in it hands the
register's changes to the registry's intake (``receive``, wired by the product: ``handlers.linkage.intake.receive``), which
stores each event once by its id. ``linkage_status`` says how current that is. Settings: ``LinkageSettings``
(INKAN_JUKI_LINKAGE, INKAN_JUKI_PULL_SECONDS, INKAN_JUKI_FILE_DIR); layouts in docs/juki/file-linkage.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from juki.linkage.files import FilesResult, read_change_files
from juki.linkage.intake import Receive
from juki.linkage.pull import PullResult, pull_changes
from juki.linkage.settings import LinkageSettings
from juki.linkage.status import linkage_status, open_file_errors

__all__ = ["LinkageSettings", "Receive", "TakeIn", "linkage_status", "open_file_errors", "take_in"]


@dataclass(frozen=True)
class TakeIn:
    """One round over the configured ways in: the pull's and the files' results (None: way not configured)."""

    pull: PullResult | None = None
    files: FilesResult | None = None

    @property
    def received(self) -> int:
        """Events new to the intake in this round."""
        return (self.pull.received if self.pull else 0) + (self.files.received if self.files else 0)

    @property
    def errors(self) -> list[str]:
        return [result.error for result in (self.pull, self.files) if result is not None and result.error]


def take_in(session_factory: sessionmaker[Session], register: Callable[[Session], Any], receive: Receive, *,
            settings: LinkageSettings, now: datetime, force: bool = False) -> TakeIn:
    """Pull the feed and read the change files as configured, when due (``force``: now, ignoring the period)."""
    pull = pull_changes(session_factory, register, receive, now=now, settings=settings, force=force) \
        if settings.pulls else None
    files = read_change_files(session_factory, receive, now=now, settings=settings, force=force) \
        if settings.reads_files else None
    return TakeIn(pull, files)
