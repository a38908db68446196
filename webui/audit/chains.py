"""Which tables are hash-chained: audit events and access log (engine) and the registry's history entries.

Only webui knows both the engine and the registry, so the registry's chain is declared here and installed by the
app factory (and by migration 0007, which links the rows written before it).
"""

from __future__ import annotations

from engine.db import utcnow
from engine.evidence.audit import AUDIT_CHAIN
from engine.evidence.chain import ChainSpec, chain_model
from registry.seals.models import HistoryEntry

__all__ = ["AUDIT_CHAIN", "HISTORY_CHAIN", "install_chains"]

HISTORY_CHAIN = ChainSpec("registration_history", HistoryEntry,
                          ("registration_id", "reason", "effective_date", "processed_at", "operator", "instance_id",
                           "before_json", "after_json"),
                          (("processed_at", utcnow), ("before_json", "{}"), ("after_json", "{}")))


def install_chains() -> None:
    """Chain new registry history rows from now on (idempotent)."""
    chain_model(HISTORY_CHAIN)
