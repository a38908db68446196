"""The seal registry's side of a definition's test cases (engine.casework runs them): applicants, the fast
registration factory, set-ups, placeholders, resident-register changes and history checks."""

from handlers.casework.errors import CaseError, NoApplicantLeft, UnknownChange, UnknownPlaceholder
from handlers.casework.factory import FACTORY, register_directly
from handlers.casework.residents import fresh_adults
from handlers.casework.setups import CASE_PIN, ensure_office_seal, set_pin_directly, suspend_directly
from handlers.casework.world import EngineDoors, RegistryWorld

__all__ = ["CASE_PIN", "FACTORY", "CaseError", "EngineDoors", "NoApplicantLeft", "RegistryWorld", "UnknownChange",
           "UnknownPlaceholder", "ensure_office_seal", "fresh_adults", "register_directly", "set_pin_directly",
           "suspend_directly"]
