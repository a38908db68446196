"""Service-task handlers, one module per family; `build_registry` wires them under their operator ids."""

from handlers.base import HandlerError, HandlerRegistry, ServiceContext, Subject

__all__ = ["HandlerError", "HandlerRegistry", "ServiceContext", "Subject", "build_registry"]


def build_registry() -> HandlerRegistry:
    """Every handler of the product under its operator id."""
    from handlers.operators import (
        abolition,  # 4.4.1.1 廃止の申請 / 4.4.1.2 亡失
        cancellation,  # 4.5 異動の取消し
        card_exchange,  # 5.3 引換交付・5.2.4 暗証番号
        guarantors,  # 4.1.2 保証書
        impressions,
        inquiry,
        issuance,  # 6.1 証明書交付（窓口）
        juki_events,
        print_queue,
        printing,
        registration,
        residents,
        shokken_massho,  # 4.2.1 職権抹消
        shokken_shusei,  # 4.3.1 職権修正
        suspension,  # 6.2.1 一時停止・6.2.2 解除
    )

    registry = HandlerRegistry()
    for module in (residents, guarantors, impressions, registration, printing, print_queue, juki_events, inquiry, abolition,
                   shokken_massho, shokken_shusei, issuance, suspension, cancellation,
                   card_exchange):
        for operator_id, function_id, title, fn in module.OPERATORS:
            registry.register(operator_id, function_id=function_id, title=title)(fn)
    return registry
