"""Wire the product once: database, handlers, specs, resident register and the workflow runner."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy.orm import Session, sessionmaker

from engine.casework import RunnerDoors
from engine.database import connect
from engine.evidence import audit
from engine.library.catalog import SpecCache
from engine.runtime.runner import WorkflowRunner
from handlers import HandlerRegistry, ServiceContext, Subject, build_registry
from handlers.casework import RegistryWorld
from handlers.environment import HandlerServices, OfficeSettings, RegistrySettings
from handlers.imaging_pool import ImagingPool, Limits
from handlers.linkage.intake import receive
from handlers.linkage.processing import process_pending_events
from handlers.linkage.triage import triage
from handlers.operators.residents import lookup_resident
from juki import SimulatedRegister
from juki.errors import JukiUnavailable
from juki.http import HttpRegister
from juki.jlis import SimulatedJlis
from juki.linkage import LinkageSettings, TakeIn, linkage_status, take_in
from registry.seals.numbering import NumberFormat
from webui.config import linkage_settings, resolve_similarity


@dataclass
class Product:
    session_factory: sessionmaker[Session]
    handlers: HandlerRegistry
    specs: SpecCache
    services: HandlerServices
    runner: WorkflowRunner
    bpmn_dir: Path
    linkage: LinkageSettings = field(default_factory=LinkageSettings)

    def juki(self, session: Session):
        return self.services.juki_factory(session)

    def take_in_resident_changes(self, *, force: bool = False) -> TakeIn:
        """住民記録連動: pull the register's change feed and read its change files (INKAN_JUKI_LINKAGE) into the
        intake when due; ``force`` looks now (the 連動 page's 「今すぐ取得」)."""
        return take_in(self.session_factory, self.services.juki_factory, receive, settings=self.linkage,
                       now=self.services.clock(), force=force)

    def linkage_round(self) -> int:
        """The worker's round of the linkage: how many changes were new to the intake."""
        return self.take_in_resident_changes().received

    def linkage_status(self, session: Session) -> dict:
        """How current the registry's view of the register is (the 連動 page, readiness): see juki.linkage.status."""
        return linkage_status(session, self.linkage, self.services.clock())

    def process_resident_events(self, limit: int = 50) -> int:
        """住民記録連動: the worker's round over received resident events (4.2.2 / 4.3.2)."""
        return process_pending_events(
            self.runner, lambda session, event, history: triage(session, self.juki(session), event, history), limit)

    def case_world(self, used: set[str] | None = None) -> RegistryWorld:
        """The world definition test cases run in on this product's database (engine.casework drives them);
        `used`: the residents already handed out on it."""
        return RegistryWorld(self.session_factory, self.services,
                             RunnerDoors(self.runner, self.process_resident_events), used)


def settings_from(config) -> RegistrySettings:
    config = dict(config)
    resolve_similarity(config)  # a config straight from defaults() still carries the old single threshold's None
    office = OfficeSettings(municipality=config["MUNICIPALITY"], mayor_title=config["MAYOR_TITLE"],
                            mayor_name=config["MAYOR_NAME"], section=config["SECTION"], contact=config["CONTACT"])
    return RegistrySettings(
        min_age=int(config["MIN_AGE"]), seal_min_mm=float(config["SEAL_MIN_MM"]),
        seal_max_mm=float(config["SEAL_MAX_MM"]), default_dpi=float(config["DEFAULT_DPI"]),
        similarity_same=float(config["SIMILARITY_SAME"]), similarity_different=float(config["SIMILARITY_DIFFERENT"]),
        inquiry_deadline_days=int(config["INQUIRY_DEADLINE_DAYS"]),
        inquiry_min_wait_days=int(config["INQUIRY_MIN_WAIT_DAYS"]),
        certificate_fee=int(config["CERTIFICATE_FEE"]), retention_years=int(config["RETENTION_YEARS"]),
        guarantor_per_day=int(config["GUARANTOR_PER_DAY"]), guarantor_per_year=int(config["GUARANTOR_PER_YEAR"]),
        card_numbering=str(config["CARD_NUMBERING"]), card_system_url=str(config["CARD_SYSTEM_URL"] or ""),
        card_system_timeout=float(config["CARD_SYSTEM_TIMEOUT"]), pin_pepper=pin_pepper(config),
        number_format=NumberFormat(int(config["NUMBER_DIGITS"]), config["NUMBER_CHECK_DIGIT"]), office=office)


def certificate_key(config) -> bytes:
    """INKAN_CERTIFICATE_KEY, else a key derived from SECRET_KEY (so the session key itself never signs QRs)."""
    if config.get("CERTIFICATE_KEY"):
        return str(config["CERTIFICATE_KEY"]).encode("utf-8")
    return hmac.new(str(config["SECRET_KEY"]).encode("utf-8"), b"inkan-certificate-qr", hashlib.sha256).digest()


def pin_pepper(config) -> bytes:
    """INKAN_PIN_PEPPER, else a key derived from SECRET_KEY (5.2.4)."""
    if config.get("PIN_PEPPER"):
        return str(config["PIN_PEPPER"]).encode("utf-8")
    return hmac.new(str(config["SECRET_KEY"]).encode("utf-8"), b"inkan-pin-pepper", hashlib.sha256).digest()


def juki_factory(config):
    """INKAN_JUKI: the simulated register (default) or the HTTP adapter to INKAN_JUKI_URL (docs/juki/openapi.yaml)."""
    if config["JUKI"] == "http":
        return HttpRegister(config["JUKI_URL"], timeout=float(config["JUKI_TIMEOUT"]),
                            connect_timeout=float(config["JUKI_CONNECT_TIMEOUT"]), token=str(config["JUKI_TOKEN"]))
    return SimulatedRegister


def build_product(config) -> Product:
    session_factory = connect(config["DATABASE_URL"])
    handlers = build_registry()
    specs = SpecCache()
    settings = settings_from(config)
    services = HandlerServices(settings=settings, juki_factory=juki_factory(config),
                               jlis=SimulatedJlis(session_factory, timeout=float(config["JLIS_TIMEOUT"])),
                               audit=audit.record, certificate_key=certificate_key(config),
                               verify_url=config.get("CERTIFICATE_VERIFY_URL") or None,
                               imaging_pool=ImagingPool(int(config["IMAGING_WORKERS"]), Limits.of(settings)))

    def context_factory(**kwargs) -> ServiceContext:
        return ServiceContext(services=services, **kwargs)

    def subject_of_start(session: Session, data: dict) -> Subject | None:
        try:
            resident = lookup_resident(services.juki_factory(session), data.get("resident_id"))
        except JukiUnavailable:  # the register is down: the flow still starts, its handlers name the subject
            return Subject(resident_id=str(data["resident_id"])) if data.get("resident_id") else None
        return Subject(name=resident.name, resident_id=resident.resident_id) if resident else None

    runner = WorkflowRunner(session_factory, handlers, specs, context_factory, subject_of_start)
    return Product(session_factory, handlers, specs, services, runner, Path(config["BPMN_DIR"]),
                   linkage_settings(config))


def product() -> Product:
    """The product of the running app."""
    return current_app.extensions["inkan"]
