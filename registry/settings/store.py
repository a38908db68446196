"""Read and save the municipality settings: the current version, its history, and a new version per save."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.settings.models import MunicipalitySettings

__all__ = ["Municipality", "current_municipality", "municipality_history", "save_municipality"]


@dataclass(frozen=True)
class Municipality:
    """The values of one settings version; ``version`` 0 means the configured defaults (nothing saved yet)."""

    municipality: str
    mayor_title: str
    mayor_name: str
    section: str
    contact: str
    office_seal_blob: str | None = None
    show_sex: bool = True
    verify_url: str | None = None  # the public /verify page the certificates' QR codes open; None: the default
    version: int = 0
    changed_by: str | None = None
    changed_at: datetime | None = None

    def values(self) -> dict[str, object]:
        """The editable values (no version metadata), for comparing two versions."""
        return {k: v for k, v in asdict(self).items() if k in EDITABLE}


EDITABLE = ("municipality", "mayor_title", "mayor_name", "section", "contact", "office_seal_blob", "show_sex",
            "verify_url")


def current_municipality(session: Session, defaults: Municipality) -> Municipality:
    """The newest saved version, or ``defaults`` when none has been saved."""
    row = session.scalars(select(MunicipalitySettings).order_by(MunicipalitySettings.version.desc())).first()
    return _from_row(row) if row is not None else defaults


def municipality_history(session: Session, limit: int = 50) -> list[Municipality]:
    """Saved versions, newest first."""
    rows = session.scalars(select(MunicipalitySettings).order_by(MunicipalitySettings.version.desc()).limit(limit))
    return [_from_row(row) for row in rows]


def save_municipality(session: Session, values: Municipality, *, changed_by: str,
                      note: str | None = None) -> Municipality:
    """Add ``values`` as the next version; a concurrent save of the same version fails on the unique version."""
    latest = session.scalar(select(func.max(MunicipalitySettings.version))) or 0
    row = MunicipalitySettings(version=latest + 1, changed_by=changed_by, note=note, **values.values())
    session.add(row)
    session.flush()
    return _from_row(row)


def _from_row(row: MunicipalitySettings) -> Municipality:
    names = {f.name for f in fields(Municipality)}
    return Municipality(**{name: getattr(row, name) for name in names})
