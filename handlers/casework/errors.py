"""Why the world cannot run a case as written: shown as the case's failure, never as a crash of the runner.

CaseError (AssertionError)
├── NoApplicantLeft     — the simulated register has no unused adult left for the request
├── UnknownPlaceholder  — case data names a placeholder nobody knows, or one this case cannot fill
└── UnknownChange       — a case names a resident change the simulated register does not record
"""

from __future__ import annotations

__all__ = ["CaseError", "NoApplicantLeft", "UnknownChange", "UnknownPlaceholder"]


class CaseError(AssertionError):
    """The case cannot be run as written in this world (an unknown set-up, a flow that did not start …)."""


class NoApplicantLeft(CaseError):
    """The simulated register has no unused adult left for the request."""


class UnknownPlaceholder(CaseError):
    """Case data names a placeholder nobody knows, or one that cannot be filled for this case."""


class UnknownChange(CaseError):
    """A case names a change the simulated register does not record."""
