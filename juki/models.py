"""Tables of the simulated resident register (``juki_sim_*``); columns and invariants only.

``kana_key``, ``name_key``, ``common_name_key`` and ``address_key`` are space-free search forms written by
``juki.rows`` with the functions of ``juki.normalize``. On PostgreSQL ``kana_key`` uses the "C" collation, so
results sort in code-point (五十音) order on every backend and prefix searches (LIKE 'ヤマ%') can use its index
whatever the database collation.
"""

from datetime import date, datetime
from typing import Annotated

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from juki.db import Base

ResidentId = Annotated[str, mapped_column(String(20))]
HouseholdId = Annotated[str, mapped_column(String(20))]
ShortText = Annotated[str, mapped_column(String(100))]
LongText = Annotated[str, mapped_column(String(200))]
BinaryOrderText = String(100).with_variant(String(100, collation="C"), "postgresql")


class SimHousehold(Base):
    """A 世帯: its number, its head and the address it lives at."""

    __tablename__ = "juki_sim_household"

    household_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    head_resident_id: Mapped[ResidentId]
    address: Mapped[LongText]


class SimResident(Base):
    """One 住民票 (current or former) of the simulated register."""

    __tablename__ = "juki_sim_resident"
    __table_args__ = (
        CheckConstraint("status IN ('resident', 'moved_out', 'deceased')", name="status"),
        CheckConstraint("sex IN ('男', '女')", name="sex"),
        CheckConstraint("(status = 'resident') = (status_date IS NULL)", name="status_date"),
    )

    resident_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    household_id: Mapped[HouseholdId] = mapped_column(
        ForeignKey("juki_sim_household.household_id"), index=True
    )
    name: Mapped[ShortText] = mapped_column(index=True)
    kana: Mapped[ShortText] = mapped_column(index=True)
    birth_date: Mapped[date] = mapped_column(index=True)
    sex: Mapped[str] = mapped_column(String(1))
    address: Mapped[LongText]
    status: Mapped[str] = mapped_column(String(20), index=True)
    status_date: Mapped[date | None]
    relationship: Mapped[str] = mapped_column(String(20))
    nationality: Mapped[str] = mapped_column(String(2))
    common_name: Mapped[str | None] = mapped_column(String(100))
    katakana_name: Mapped[str | None] = mapped_column(String(100))
    old_surname: Mapped[str | None] = mapped_column(String(50))
    lacks_capacity: Mapped[bool] = mapped_column(default=False)
    kana_key: Mapped[str] = mapped_column(BinaryOrderText, index=True)
    name_key: Mapped[ShortText] = mapped_column(index=True)
    common_name_key: Mapped[str | None] = mapped_column(String(100))
    address_key: Mapped[LongText]


class SimChange(Base):
    """One change (異動) recorded in the simulator, with the event it announced; ``id`` is the feed cursor.

    ``changes_json`` holds {field: {"before": …, "after": …}} exactly as the event carries it, so a later
    異動の取消し can put the before values back. ``cancelled_by`` names the cancellation that undid this change.
    """

    __tablename__ = "juki_sim_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    resident_id: Mapped[ResidentId] = mapped_column(index=True)
    effective_date: Mapped[date]
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(100))
    changes_json: Mapped[str] = mapped_column(Text)
    cancels_event_id: Mapped[str | None] = mapped_column(String(100))
    cancelled_by: Mapped[str | None] = mapped_column(String(100))


class SimCertificate(Base):
    """A My Number card's 利用者証明用電子証明書 as the simulated J-LIS knows it (5.4)."""

    __tablename__ = "juki_sim_certificate"
    __table_args__ = (CheckConstraint("status IN ('valid', 'revoked', 'expired')", name="status"),)

    serial: Mapped[str] = mapped_column(String(60), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    resident_id: Mapped[str | None] = mapped_column(String(20), index=True)
    note: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(100))


class SimJlisState(Base):
    """How the simulated J-LIS behaves (one row, id 1; no row: it answers normally).

    'down' never answers (応答なし（障害）); 'slow' answers after ``delay_seconds`` (遅延), which the client
    gives up on once INKAN_JLIS_TIMEOUT has passed. Lets an administrator show the clerks a failing neighbour.
    """

    __tablename__ = "juki_sim_jlis_state"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("mode IN ('normal', 'down', 'slow')", name="mode"),
        CheckConstraint("delay_seconds IS NULL OR delay_seconds > 0", name="delay_seconds"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    mode: Mapped[str] = mapped_column(String(20))
    delay_seconds: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(100))
