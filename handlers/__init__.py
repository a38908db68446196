"""Service-task handlers, one module per family; `build_registry` wires them under their operator ids."""

from handlers.base import HandlerError, HandlerRegistry, ServiceContext, Subject

__all__ = ["HandlerError", "HandlerRegistry", "ServiceContext", "Subject", "build_registry"]


def build_registry() -> HandlerRegistry:
    """Every handler of the product under its operator id."""
    from handlers import impressions, inquiry, juki_events, print_queue, printing, registration, residents

    registry = HandlerRegistry()
    for module in (residents, impressions, registration, printing, print_queue, juki_events, inquiry):
        for operator_id, function_id, title, fn in module.OPERATORS:
            registry.register(operator_id, function_id=function_id, title=title)(fn)
    return registry
