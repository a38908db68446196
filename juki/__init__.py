"""Adapter to the resident register (住民基本台帳): the client interface, its simulator and synthetic data.

The registry never owns personal data; it reads residents through a ``JukiClient``. ``SimulatedRegister``
implements it over the ``juki_sim_*`` tables, filled by ``seed_population`` for development and demos.
"""

from juki.client import JukiClient, Resident, ResidentQuery, require_resident
from juki.db import Base
from juki.demo import DEMO_RESIDENTS
from juki.errors import InvalidQuery, JukiError, ResidentNotFound
from juki.models import SimHousehold, SimResident
from juki.population import generate_population, seed_population
from juki.simulator import SimulatedRegister

__all__ = [
    "DEMO_RESIDENTS",
    "Base",
    "InvalidQuery",
    "JukiClient",
    "JukiError",
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
