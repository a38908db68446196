"""The seal record (印鑑登録原票), its history (異動履歴), impressions, applications and the 1.3.2 counter."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, utcnow


class RecordStatus:
    REGISTERED = "registered"  # 登録
    ABOLISHED = "abolished"  # 廃止
    DELETED = "deleted"  # 抹消
    LABELS = {REGISTERED: "登録", ABOLISHED: "廃止", DELETED: "抹消"}


ACTIVE_CARD = "status = 'registered' AND card_number IS NOT NULL"


class Impression(Base):
    """A scanned, measured and normalised impression (4.1.5.1 / 4.1.5.2); images live in the blob table."""

    __tablename__ = "impression"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[str] = mapped_column(String(40), index=True)
    image_blob: Mapped[str] = mapped_column(String(64))
    scan_blob: Mapped[str] = mapped_column(String(64))
    dpi: Mapped[float]
    mm_per_px: Mapped[float]
    width_mm: Mapped[float]
    height_mm: Mapped[float]
    square_mm: Mapped[float]
    shape: Mapped[str] = mapped_column(String(20))
    warnings_json: Mapped[str] = mapped_column(Text, default="[]")
    override_reason: Mapped[str | None] = mapped_column(Text)
    stored_by: Mapped[str] = mapped_column(String(100))
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)
    instance_id: Mapped[int | None]


class Registration(Base):
    """印鑑登録原票. Never deleted: a closed record stays as a 除票."""

    __tablename__ = "registration"
    __table_args__ = (
        Index("uq_registration_active_resident", "resident_id", unique=True,
              sqlite_where=text("status = 'registered'"), postgresql_where=text("status = 'registered'")),
        # 5.2: one active record per card number (stored in registry.seals.cards' normal form; migration 0019)
        Index("uq_registration_active_card", "card_number", unique=True,
              sqlite_where=text(ACTIVE_CARD), postgresql_where=text(ACTIVE_CARD)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_number: Mapped[str] = mapped_column(String(20), unique=True)
    registered_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default=RecordStatus.REGISTERED, index=True)
    resident_id: Mapped[str] = mapped_column(String(40), index=True)
    household_id: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kana: Mapped[str] = mapped_column(String(200))
    old_surname: Mapped[str | None] = mapped_column(String(100))
    common_name: Mapped[str | None] = mapped_column(String(200))
    katakana_name: Mapped[str | None] = mapped_column(String(200))
    birth_date: Mapped[date]
    sex: Mapped[str] = mapped_column(String(4))
    address: Mapped[str] = mapped_column(String(300))
    impression_id: Mapped[int] = mapped_column(ForeignKey("impression.id"))
    # 4.1.1.1: which name the impression shows (registry.seals.shown_names; NULL for records made before 0023)
    impression_name: Mapped[str | None] = mapped_column(String(20))
    identity_path: Mapped[str] = mapped_column(String(30))
    card_kind: Mapped[str | None] = mapped_column(String(30))
    card_number: Mapped[str | None] = mapped_column(String(40))
    mynumber_cert_serial: Mapped[str | None] = mapped_column(String(60))
    suspended_from: Mapped[date | None]
    suspended_until: Mapped[date | None]
    closed_on: Mapped[date | None]
    close_reason: Mapped[str | None] = mapped_column(String(200))
    instance_id: Mapped[int | None]
    # 保証人の登録番号 of a record brought in by `inkan registry import` (issue 17; records registered here keep it
    # in their 「登録」 history entry and leave this NULL)
    guarantor_number: Mapped[str | None] = mapped_column(String(20))


class HistoryEntry(Base):
    """異動履歴: one change of a record, with what it was before and after. Append-only."""

    __tablename__ = "registration_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    reason: Mapped[str] = mapped_column(String(60))  # 異動事由
    effective_date: Mapped[date]  # 異動日
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)  # 処理日
    operator: Mapped[str] = mapped_column(String(100))
    instance_id: Mapped[int | None] = mapped_column(index=True)
    before_json: Mapped[str] = mapped_column(Text, default="{}")
    after_json: Mapped[str] = mapped_column(Text, default="{}")
    chain_seq: Mapped[int | None] = mapped_column(unique=True, index=True)  # hash chain, stamped by engine/evidence/chain.py's hook
    row_hash: Mapped[str | None] = mapped_column(String(64))


class Application(Base):
    """An application for registration and how it ended: registered, refused (with reason) or referred."""

    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # '4.1.2'
    resident_id: Mapped[str | None] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(20))  # open | registered | refused | referred
    reason: Mapped[str | None] = mapped_column(String(60))
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    operator: Mapped[str] = mapped_column(String(100))
    # 4.1.4: the random part of the 照会番号, printed only on the 照会書兼回答書 (None: issued before it existed)
    check_code: Mapped[str | None] = mapped_column(String(12))
    # the 照会番号 the previous system gave a pending 4.1.4 application brought in by `inkan registry import`
    external_number: Mapped[str | None] = mapped_column(String(40), unique=True)


class AnswerRefusal(Base):
    """4.1.4.6: a 回答書 refused because it did not come through the mailed letter (unprinted or unmailed letter,
    before the minimum wait, a 照会番号 that is not the printed one): a possible fraud attempt, for the auditors."""

    __tablename__ = "inquiry_answer_refusal"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    instance_id: Mapped[int] = mapped_column(index=True)
    resident_id: Mapped[str | None] = mapped_column(String(40), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    typed_number: Mapped[str] = mapped_column(String(40))  # as typed, the random part masked
    refused_at: Mapped[datetime] = mapped_column(index=True)  # the office's (JST) wall time, like closed_at
    operator: Mapped[str] = mapped_column(String(100))


class NumberSequence(Base):
    """The last serial handed out by 1.3.2; one row per sequence, locked by the transaction that takes a number."""

    __tablename__ = "number_sequence"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


class IssuedDocument(Base):
    """A document printed for a record (確認票 …): which, when, by whom, from which instance, and its PDF."""

    __tablename__ = "issued_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    kind: Mapped[str] = mapped_column(String(100))
    blob_sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    reprint_reason: Mapped[str | None] = mapped_column(Text)
    printed_by: Mapped[str] = mapped_column(String(100))
    printed_at: Mapped[datetime] = mapped_column(default=utcnow)
    instance_id: Mapped[int | None]


class Guarantee(Base):
    """保証書 (4.1.2): a registered person vouched for an applicant, the stamp accepted as their registered seal.

    One row per application (instance); counted against the per-day and per-year limits of a guarantor.
    """

    __tablename__ = "guarantee"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(unique=True)
    guarantor_registration_id: Mapped[int] = mapped_column(index=True)  # no foreign key: a purged 除票 leaves the count
    guarantor_number: Mapped[str] = mapped_column(String(20))
    resident_id: Mapped[str] = mapped_column(String(40), index=True)  # the applicant
    vouched_on: Mapped[date] = mapped_column(index=True)
    stamp_verdict: Mapped[str] = mapped_column(String(20))  # same | unsure (then decided by a clerk)
    stamp_score: Mapped[float | None]
    decided_by: Mapped[str | None] = mapped_column(String(100))  # the clerk who decided an unsure stamp
    decision_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
