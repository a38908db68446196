"""Conversion between ``Resident`` values and ``juki_sim_resident`` rows (with their search keys)."""

import dataclasses
from typing import Any

from juki.client import Resident
from juki.models import SimResident
from juki.normalize import address_key, kana_key, name_key

_FIELDS = tuple(field.name for field in dataclasses.fields(Resident))


def resident_row_values(resident: Resident) -> dict[str, Any]:
    """Return the column values of the row storing ``resident``, search keys included."""
    values = dataclasses.asdict(resident)
    values.update(
        kana_key=kana_key(resident.kana),
        name_key=name_key(resident.name),
        common_name_key=name_key(resident.common_name) if resident.common_name else None,
        address_key=address_key(resident.address),
    )
    return values


def to_resident(row: SimResident) -> Resident:
    """Return the ``Resident`` value stored in ``row``."""
    return Resident(**{name: getattr(row, name) for name in _FIELDS})
