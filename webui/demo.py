"""Demo data for a visitor: a user per role, the synthetic population, sample scans and a few registrations.

The registrations are made by running the real 4.1.2 flow through the engine, so they carry instances, history
entries, audit events and printed confirmation sheets like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask

import imaging
from engine.actor import ROLE_LABELS, Actor
from engine.models import ProcessInstance
from engine.runtime.queries import instance_count, open_tasks_of_instance
from juki import DEMO_RESIDENTS, seed_population
from registry.blobs.store import put_blob
from registry.staff import accounts
from webui.wiring import Product

DEMO_PASSWORD = "inkan-demo-2026"
DEMO_USERS = [
    ("madoguchi", "madoguchi", "窓口　一郎"),
    ("backyard", "backyard", "裏方　花子"),
    ("manager", "manager", "課長　次郎"),
    ("auditor", "auditor", "監査　三郎"),
    ("admin", "admin", "管理　四郎"),
]
# (file, text, options): what a clerk can try at 4.1.5.1, including the refusals.
SAMPLE_SCANS = [
    ("01_yamada_taro_round15mm_300dpi.png", "太郎", {"size_mm": 15.0}),
    ("02_yamada_household_same_as_hanako.png", "山田", {"size_mm": 15.0, "seed": 7}),
    ("03_suzuki_square18mm_on_form_600dpi.png", "鈴木", {"size_mm": 18.0, "shape": "square", "dpi": 600,
                                                         "on_form": True, "rotation_deg": 3.0}),
    ("04_oval_faint_200dpi.png", "一郎", {"size_mm": 16.0, "shape": "oval", "dpi": 200, "ink": 0.55}),
    ("05_too_small_6mm.png", "小", {"size_mm": 6.0}),
    ("06_too_large_27mm.png", "大", {"size_mm": 27.0, "shape": "square"}),
    ("07_blank_no_impression.png", "", {}),
]
# Residents registered at init: (demo role or population index, seal text, seal options)
DEMO_PIN = "1234"  # 5.2.4, given at the demo registrations' card step: the 自動交付機 (/jidou) works out of the box
DEMO_REGISTRATIONS = [("spouse", "山田", {"size_mm": 15.0, "seed": 7}), ("single", "鈴木", {"size_mm": 16.5})]


@dataclass
class DemoReport:
    users: list[str] = field(default_factory=list)
    residents_added: int = 0
    registrations: list[str] = field(default_factory=list)
    scans_dir: str = ""

    def lines(self) -> list[str]:
        out = [f"住基シミュレータ: {self.residents_added} 人を登録しました" if self.residents_added
               else "住基シミュレータ: 既存の住民データを使用します"]
        out += [f"デモ登録: {r}" for r in self.registrations]
        out.append(f"サンプル印影スキャン: {self.scans_dir}")
        return out


def seed_demo(product: Product, instance_path: str) -> DemoReport:
    """Idempotent: users and population are added once; registrations only into an empty instance table."""
    report = DemoReport()
    with product.session_factory.begin() as session:
        for username, role, display in DEMO_USERS:
            if accounts.find_user(session, username) is None:
                accounts.add_user(session, username, role, DEMO_PASSWORD, display)
        report.residents_added = seed_population(session, today=product.services.today())
        has_instances = instance_count(session) > 0
    report.scans_dir = str(write_sample_scans(Path(instance_path) / "sample_scans"))
    if not has_instances:
        for role, text, options in DEMO_REGISTRATIONS:
            report.registrations.append(register_through_flow(product, DEMO_RESIDENTS[role], text, options))
        start_open_cases(product)
    return report


def demo_accounts_with_published_password(product: Product) -> list[str]:
    """The demo users that are active and still sign in with DEMO_PASSWORD."""
    with product.session_factory() as session:
        users = [accounts.find_user(session, username) for username, _, _ in DEMO_USERS]
    return [user.username for user in users
            if user is not None and user.is_active and accounts.password_matches(user.password_hash, DEMO_PASSWORD)]


def write_sample_scans(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text, options in SAMPLE_SCANS:
        path = folder / name
        if not path.exists():
            data = imaging.make_seal_scan(text, **options) if text else imaging.make_blank_scan()
            path.write_bytes(data)
    return folder


def register_through_flow(product: Product, resident_id: str, seal_text: str, seal_options: dict) -> str:
    """Drive 4.1.2 from start to handover as the demo clerks would; return a one-line summary."""
    counter, back = Actor("madoguchi", "madoguchi", "窓口　一郎"), Actor("backyard", "backyard", "裏方　花子")
    runner = product.runner
    outcome = runner.start("sokuji_touroku", counter, {"resident_id": resident_id})
    steps = [
        (counter, {"resident_id": resident_id, "received_items": ["application", "seal", "id_document"]}),
        (counter, {"applicant": "self", "identity_path": "photo_id", "photo_id_kind": "mynumber_card"}),
        (back, {"scan_blob_id": _store_scan(product, imaging.make_seal_scan(seal_text, **seal_options))}),
        (back, {"impression_decision": "accept", "impression_name": "full_name"}),
        (back, {"card_kind": "registration_card", "new_pin": DEMO_PIN}),
        (counter, {"handed_over": True}),
    ]
    for actor, data in steps:
        task_id = outcome.next_task_id or _open_task_of(product, outcome.instance_id)
        outcome = runner.complete(task_id, actor, data)
    with product.session_factory() as session:
        instance = session.get(ProcessInstance, outcome.instance_id)
        return (f"{instance.subject_name}（登録番号 {instance.subject_registration_number}、自動交付機の暗証番号 "
                f"{DEMO_PIN}）— 事案 {instance.id}")


def start_open_cases(product: Product) -> None:
    """Leave one case waiting at the counter so the inbox is not empty on first sight."""
    product.runner.start("sokuji_touroku", Actor("madoguchi", "madoguchi"), {"resident_id": DEMO_RESIDENTS["eligible"]})


def _store_scan(product: Product, data: bytes) -> str:
    with product.session_factory.begin() as session:
        return put_blob(session, data, "image/png", filename="scan.png", created_by="demo")


def _open_task_of(product: Product, instance_id: int) -> int:
    with product.session_factory() as session:
        return open_tasks_of_instance(session, instance_id)[0].id


def print_demo_banner(app: Flask, url: str) -> None:
    print("=" * 72)
    if app.config["ENV"] == "production":
        print(f"印鑑登録システム  {url}", flush=True)
        return
    print(f"印鑑登録システム  {url}  （デモ用アカウント・パスワード共通: {DEMO_PASSWORD}）")
    for username, role, display in DEMO_USERS:
        print(f"  {ROLE_LABELS[role]:<8} 利用者名 {username:<10} （{display}）")
    print(f"  サンプル印影スキャン: {Path(app.instance_path) / 'sample_scans'}")
    print("=" * 72, flush=True)
