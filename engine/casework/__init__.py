"""The one interpreter of a definition's test cases (bpmn_tests/cases/*.json, a draft's tests): the generic driver.

document   the case document: shape, checks, the shipped files
driver     run a case / a document through a WorkflowRunner, with a CaseWorld for the domain's side
doors      what a world may ask of the engine while a case runs
The domain's side of this product is handlers.casework; webui.wiring.Product.case_world() joins the two.
"""

from engine.casework.document import (
    TIMERS_STEP,
    case_documents,
    cases_of,
    check_case_document,
    shipped_document,
)
from engine.casework.doors import RunnerDoors
from engine.casework.driver import (
    CaseFailure,
    CaseResult,
    CaseWorld,
    Replay,
    SuiteReport,
    replay_steps,
    run_case,
    run_suite,
)

__all__ = ["TIMERS_STEP", "CaseFailure", "CaseResult", "CaseWorld", "Replay", "RunnerDoors", "SuiteReport",
           "case_documents", "cases_of", "check_case_document", "replay_steps", "run_case", "run_suite",
           "shipped_document"]
