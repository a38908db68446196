"""The コンビニ交付 log: one row per request, written before it is examined and completed with the answer."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, utcnow


class KonbiniRequest(Base):
    """A certificate request from a convenience-store kiosk and what the registry answered (issued / refused)."""

    __tablename__ = "konbini_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(20))  # 'api' (交付センター) | 'kiosk' (simulated page)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    cert_serial: Mapped[str] = mapped_column(String(60), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    terminal: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str | None] = mapped_column(String(20))  # 'issued' | 'refused'; None: no answer given
    code: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(Text)
    registration_id: Mapped[int | None]
    document_sha: Mapped[str | None] = mapped_column(String(64))
    answered_at: Mapped[datetime | None]
