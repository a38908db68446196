"""What handlers are given from outside: the municipal settings, the resident register, J-LIS and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from handlers.imaging_pool import ImagingPool
from imaging.verdict import DEFAULT_DIFFERENT, DEFAULT_SAME, Thresholds
from juki.contracts import JlisClient, JukiFactory
from registry.seals.guarantees import DEFAULT_PER_DAY, DEFAULT_PER_YEAR, GuaranteeLimits
from registry.seals.numbering import NumberFormat
from registry.settings.store import Municipality, current_municipality

JST = timezone(timedelta(hours=9), "JST")
# Where `inkan serve` answers by default: the certificates' QR codes open this until an admin sets the public URL.
DEFAULT_VERIFY_URL = "http://127.0.0.1:8000/verify"


@dataclass(frozen=True)
class OfficeSettings:
    municipality: str = "見本市"
    mayor_title: str = "見本市長"
    mayor_name: str = "見本　太郎"
    section: str = "市民課"
    contact: str = "〒100-0001 見本市中央一丁目1番1号　電話 0120-000-000"
    verify_url: str = DEFAULT_VERIFY_URL


@dataclass(frozen=True)
class RegistrySettings:
    min_age: int = 15
    seal_min_mm: float = 8.0
    seal_max_mm: float = 25.0
    default_dpi: float = 300.0
    similarity_same: float = DEFAULT_SAME  # a comparison scoring at least this is 同一
    similarity_different: float = DEFAULT_DIFFERENT  # at most this is 別; in between 要確認 (a clerk decides)
    inquiry_deadline_days: int = 30  # 4.1.4.2: days the applicant has to bring back the 回答書
    inquiry_min_wait_days: int = 1  # 4.1.4.6: days after mailing before the 回答書 is accepted (1: the next day)
    certificate_fee: int = 300  # 6.1: yen per copy at the counter (INKAN_CERTIFICATE_FEE)
    retention_years: int = 5  # 除票 kept after closure before a purge may remove them (INKAN_RETENTION_YEARS)
    guarantor_per_day: int = DEFAULT_PER_DAY  # 保証書: applicants one guarantor may vouch for a day (INKAN_GUARANTOR_PER_DAY)
    guarantor_per_year: int = DEFAULT_PER_YEAR  # … and per calendar year (INKAN_GUARANTOR_PER_YEAR)
    card_numbering: str = "registry"  # 5.3: "preprinted" → the record takes the new card's number
    card_system_url: str = ""  # 5.3: the external card system's endpoint; empty: not called
    card_system_timeout: float = 5.0
    pin_pepper: bytes = b""  # 5.2.4: server-side pepper of the PIN hash
    number_format: NumberFormat = field(default_factory=NumberFormat)
    office: OfficeSettings = field(default_factory=OfficeSettings)

    @property
    def similarity(self) -> Thresholds:
        """The comparison's two thresholds (INKAN_SIMILARITY_SAME / INKAN_SIMILARITY_DIFFERENT)."""
        return Thresholds(same=self.similarity_same, different=self.similarity_different)

    @property
    def guarantee_limits(self) -> GuaranteeLimits:
        return GuaranteeLimits(per_day=self.guarantor_per_day, per_year=self.guarantor_per_year)


@dataclass(frozen=True)
class Operator:
    """Who prints or issues outside a flow: a username and role (engine.actor.Actor has the same shape)."""

    username: str
    role: str | None = None


@dataclass
class HandlerServices:
    settings: RegistrySettings
    juki_factory: JukiFactory  # the simulator's class, or an HttpRegister (its own factory)
    jlis: JlisClient
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # engine.evidence.audit.record, wired in one place: (session, actor, kind, *, instance_id, title, summary)
    audit: Callable[..., None] | None = None
    certificate_key: bytes = b""  # HMAC key of the certificates' QR payloads
    verify_url: str | None = None  # INKAN_CERTIFICATE_VERIFY_URL: when set, overrides the settings' /verify URL
    # measuring, normalising and comparing impressions (INKAN_IMAGING_WORKERS processes; 0: in the caller's thread)
    imaging_pool: ImagingPool = field(default_factory=lambda: ImagingPool(0))

    def office(self, session: Session) -> Municipality:
        """The municipality settings in force now: the newest saved version, else the configured defaults."""
        office = self.settings.office
        defaults = Municipality(municipality=office.municipality, mayor_title=office.mayor_title,
                                mayor_name=office.mayor_name, section=office.section, contact=office.contact,
                                verify_url=office.verify_url)
        return current_municipality(session, defaults)

    def certificate_verify_url(self, office: Municipality) -> str:
        """The /verify page a certificate's QR code opens: INKAN_CERTIFICATE_VERIFY_URL, else the settings'
        証明書確認ページのURL, else the configured default (versions saved before the setting existed)."""
        return self.verify_url or office.verify_url or self.settings.office.verify_url

    def record_audit(self, session: Session, actor: Any, kind: str, **details: Any) -> None:
        """Add an audit event to the caller's unit of work; raise RuntimeError when no audit sink is wired."""
        if self.audit is None:
            raise RuntimeError("HandlerServices.audit is not wired")
        self.audit(session, actor, kind, **details)

    def now(self) -> datetime:
        """Local (JST) wall time without tzinfo, as printed and as entered in the 処理日."""
        return self.clock().astimezone(JST).replace(tzinfo=None)

    def today(self) -> date:
        return self.now().date()

    def utcnow(self) -> datetime:
        """The clock as naive UTC, the way times are stored."""
        return self.clock().astimezone(UTC).replace(tzinfo=None)


def to_jst(utc_naive: datetime) -> datetime:
    """A stored (naive UTC) time as local wall time, the way documents print it."""
    return utc_naive.replace(tzinfo=UTC).astimezone(JST).replace(tzinfo=None)
