"""The 自動交付機 log: one row per request, written before it is examined and completed with the answer.

The PIN typed at the machine is never stored (not even hashed): the row keeps the card number, the machine and
what was answered. Wrong PINs are counted on the registration's PIN row (registry.seals.pin), so a lock holds on
every machine and at the counter (5.3).
"""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, utcnow


class JidouRequest(Base):
    """A certificate request at a 自動交付機 and what the registry answered (issued / refused)."""

    __tablename__ = "jidou_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(20))  # 'api' (a machine) | 'simulator' (the simulated page)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    card_number: Mapped[str] = mapped_column(String(40), index=True)  # normal form (registry.seals.cards)
    terminal: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str | None] = mapped_column(String(20))  # 'issued' | 'refused'; None: no answer given
    code: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(Text)
    registration_id: Mapped[int | None]
    document_sha: Mapped[str | None] = mapped_column(String(64))
    answered_at: Mapped[datetime | None]
