"""Errors of the workflow engine.

EngineError (code, message, http_status)
├── DefinitionError        invalid_definition   — a BPMN file or form refused at load (element id + reason)
├── DefinitionNotFound     definition_not_found
├── InstanceNotFound       instance_not_found
├── TaskNotFound           task_not_found
├── TaskNotOpen            task_already_completed — someone else completed it first
├── StaleInstance          stale_instance        — the instance changed under us (optimistic lock)
├── TaskClaimedByOther     task_claimed_by_other
├── LaneForbidden          lane_forbidden        — the user may not work this lane
├── FormInvalid            invalid_form          — form data does not satisfy the task's JSON Schema
│   └── FormCheckRefused   (the handler's code)  — the user task's formCheck handler refused the data
├── InstanceNotActive      instance_not_active   — suspended, terminated, completed or in error
└── InvalidStartData       invalid_start_data    — start data that is not a short scalar under a plain key
"""


class EngineError(Exception):
    code = "engine_error"
    http_status = 400

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class DefinitionError(EngineError):
    code = "invalid_definition"
    http_status = 422

    def __init__(self, message: str, *, element_id: str | None = None, source: str | None = None, problems=None):
        super().__init__(message, element_id=element_id, source=source, problems=problems or [])
        self.element_id = element_id
        self.source = source
        self.problems = problems or [{"element_id": element_id, "message": message}]


class DefinitionNotFound(EngineError):
    code = "definition_not_found"
    http_status = 404


class InstanceNotFound(EngineError):
    code = "instance_not_found"
    http_status = 404


class TaskNotFound(EngineError):
    code = "task_not_found"
    http_status = 404


class TaskNotOpen(EngineError):
    code = "task_already_completed"
    http_status = 409


class StaleInstance(EngineError):
    code = "stale_instance"
    http_status = 409


class TaskClaimedByOther(EngineError):
    code = "task_claimed_by_other"
    http_status = 409


class LaneForbidden(EngineError):
    code = "lane_forbidden"
    http_status = 403


class FourEyesRequired(EngineError):
    """An approval task taken by the clerk who made the request it approves (四つの目の原則)."""

    code = "four_eyes_required"
    http_status = 403


class FormInvalid(EngineError):
    code = "invalid_form"
    http_status = 422

    def __init__(self, message: str, errors: dict[str, str]):
        super().__init__(message, errors=errors)
        self.errors = errors


class FormCheckRefused(FormInvalid):
    """The data passed the JSON Schema but the user task's formCheck handler refused it (e.g. a shown name the
    住民票 does not record); carries the handler's code and the field at fault."""

    def __init__(self, message: str, errors: dict[str, str], code: str):
        super().__init__(message, errors)
        self.code = code


class InstanceNotActive(EngineError):
    code = "instance_not_active"
    http_status = 409


class InvalidStartData(EngineError):
    code = "invalid_start_data"
    http_status = 422
