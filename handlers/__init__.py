"""Service-task handlers, one module per family; `build_registry` wires them under their operator ids."""

from handlers.base import HandlerError, HandlerRegistry, ServiceContext, Subject
from handlers.parameters import PARAMETERS

__all__ = ["HandlerError", "HandlerRegistry", "ServiceContext", "Subject", "build_registry"]


def build_registry() -> HandlerRegistry:
    """Every handler of the product under its operator id (handlers/operators: a module per flow or subject)."""
    from handlers.operators import (
        guarantors,  # 4.1.2 保証書
        haishi,  # 4.4.1.1 廃止の申請 / 4.4.1.2 亡失
        hikikae_kofu,  # 5.3 引換交付・5.2.4 暗証番号
        idou_torikeshi,  # 4.5 異動の取消し
        impressions,
        juki_rendou,  # 4.2.2 住民記録連動抹消・4.3.2 住民記録連動修正
        print_queue,
        printing,
        registration,
        residents,
        shokken_massho,  # 4.2.1 職権抹消
        shokken_shusei,  # 4.3.1 職権修正
        shomeisho_kofu,  # 6.1 証明書交付（窓口）
        shoukai_touroku,  # 4.1.4 照会による登録
        teishi,  # 6.2.1 一時停止・6.2.2 解除
    )

    registry = HandlerRegistry()
    for module in (residents, guarantors, impressions, registration, printing, print_queue, juki_rendou,
                   shoukai_touroku, haishi, shokken_massho, shokken_shusei, shomeisho_kofu, teishi, idou_torikeshi,
                   hikikae_kofu):
        for operator_id, function_id, title, fn in module.OPERATORS:
            registry.register(operator_id, function_id=function_id, title=title,
                              schemas=PARAMETERS.get(operator_id))(fn)
    return registry
