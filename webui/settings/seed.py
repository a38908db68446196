"""`inkan init`: the configured municipality settings become version 1 (with the demo office seal in a demo)."""

from __future__ import annotations

import printing
from handlers.environment import Operator
from handlers.services.settings import seed_settings
from webui.wiring import Product

__all__ = ["seed_office_settings"]

INIT_ACTOR = Operator("inkan-init", "admin")


def seed_office_settings(product: Product, *, demo_seal: bool) -> str:
    """Seed once; a line for the terminal either way."""
    seal = printing.demo_office_seal_png() if demo_seal else None
    with product.session_factory.begin() as session:
        saved = seed_settings(session, product.services, seal_png=seal, actor=INIT_ACTOR)
    if saved is None:
        return "市区町村設定: 保存済みの設定を使用します"
    extra = "（デモ用の公印画像つき）" if demo_seal else "（公印画像は管理画面で登録してください）"
    return f"市区町村設定: 設定ファイルの値を第1版として保存しました{extra}"
