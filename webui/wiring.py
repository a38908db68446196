"""Wire the product once: database, handlers, specs, resident register and the workflow runner."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy.orm import Session, sessionmaker

from engine.catalog import SpecCache
from engine.database import connect
from engine.runtime import WorkflowRunner
from handlers import HandlerRegistry, ServiceContext, Subject, build_registry
from handlers.residents import lookup_resident
from handlers.services import HandlerServices, OfficeSettings, RegistrySettings
from juki import SimulatedRegister
from juki.jlis import SimulatedJlis
from registry.seals.numbering import NumberFormat


@dataclass
class Product:
    session_factory: sessionmaker[Session]
    handlers: HandlerRegistry
    specs: SpecCache
    services: HandlerServices
    runner: WorkflowRunner
    bpmn_dir: Path

    def juki(self, session: Session):
        return self.services.juki_factory(session)


def settings_from(config) -> RegistrySettings:
    office = OfficeSettings(municipality=config["MUNICIPALITY"], mayor_title=config["MAYOR_TITLE"],
                            mayor_name=config["MAYOR_NAME"], section=config["SECTION"], contact=config["CONTACT"])
    return RegistrySettings(
        min_age=int(config["MIN_AGE"]), seal_min_mm=float(config["SEAL_MIN_MM"]),
        seal_max_mm=float(config["SEAL_MAX_MM"]), default_dpi=float(config["DEFAULT_DPI"]),
        similarity_threshold=float(config["SIMILARITY_THRESHOLD"]),
        number_format=NumberFormat(int(config["NUMBER_DIGITS"]), config["NUMBER_CHECK_DIGIT"]), office=office)


def build_product(config) -> Product:
    session_factory = connect(config["DATABASE_URL"])
    handlers = build_registry()
    specs = SpecCache()
    services = HandlerServices(settings=settings_from(config), juki_factory=SimulatedRegister, jlis=SimulatedJlis())

    def context_factory(**kwargs) -> ServiceContext:
        return ServiceContext(services=services, **kwargs)

    def subject_of_start(session: Session, data: dict) -> Subject | None:
        resident = lookup_resident(services.juki_factory(session), data.get("resident_id"))
        return Subject(name=resident.name, resident_id=resident.resident_id) if resident else None

    runner = WorkflowRunner(session_factory, handlers, specs, context_factory, subject_of_start)
    return Product(session_factory, handlers, specs, services, runner, Path(config["BPMN_DIR"]))


def product() -> Product:
    """The product of the running app."""
    return current_app.extensions["inkan"]
