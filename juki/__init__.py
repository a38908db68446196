"""Adapter to the resident register (住民基本台帳): the client interface, its simulator and synthetic data.

The registry never owns personal data; it reads residents through a ``JukiClient``. ``SimulatedRegister``
implements it over the ``juki_sim_*`` tables, filled by ``seed_population`` for development and demos, and
changed by ``juki.changes`` / ``juki.arrivals`` (each change logged with its ``ResidentEvent``); ``juki.http``
implements it against an external register (docs/juki/openapi.yaml), ``juki.server`` serves the simulator by
that contract, and ``juki.jlis`` answers 5.4 certificate checks. ``juki.linkage`` takes the register's changes
in the standard's way (pull the change feed, read change files, or accept pushes) and says how current that is.
"""

from juki.client import ChangeFeed, JukiClient, Resident, ResidentQuery, require_resident
from juki.db import Base
from juki.demo import DEMO_RESIDENTS
from juki.errors import InvalidChange, InvalidQuery, JukiError, JukiUnavailable, ResidentNotFound
from juki.models import SimHousehold, SimResident
from juki.population import generate_population, seed_population
from juki.simulator import SimulatedRegister

__all__ = [
    "DEMO_RESIDENTS",
    "Base",
    "ChangeFeed",
    "InvalidChange",
    "InvalidQuery",
    "JukiClient",
    "JukiError",
    "JukiUnavailable",
    "Resident",
    "ResidentNotFound",
    "ResidentQuery",
    "SimHousehold",
    "SimResident",
    "SimulatedRegister",
    "generate_population",
    "require_resident",
    "seed_population",
]
