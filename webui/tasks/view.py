"""The task page's model: the inbox row, its instance, its form document, panels and what the user may do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.actor import ROLE_LABELS, Actor
from engine.models import HumanTask
from engine.runtime.queries import InstanceDetail, get_task, instance_detail
from webui.tasks.panels import Panel, build_panels
from webui.templating import staff_name
from webui.wiring import product

__all__ = ["TaskPage", "WarningsNotice", "load_task_page", "warnings_notice"]

CONFIRM_MESSAGE = "警告を確認し、理由を入力してください"


@dataclass(frozen=True)
class WarningsNotice:
    """What the review form says about the impression's warnings: level 'warning' first, 'error' after a loop."""

    level: str
    message: str
    codes: tuple[str, ...]


def warnings_notice(data: dict[str, Any]) -> WarningsNotice | None:
    """None without warnings; 'error' when 登録可 was chosen without confirmation and a reason (the flow looped)."""
    impression = data.get("impression") or {}
    warnings = [w for w in impression.get("warnings") or [] if isinstance(w, dict)]
    if not impression.get("found") or not warnings:
        return None
    codes = tuple(str(w.get("code")) for w in warnings)
    confirmed = bool(data.get("warnings_confirmed")) and bool((data.get("override_reason") or "").strip())
    if data.get("impression_decision") == "accept" and not confirmed:
        return WarningsNotice("error", "印影の警告が確認されていないため、登録できませんでした。"
                                       f"{CONFIRM_MESSAGE}（「警告を確認した」にチェックし、登録する理由を記入）。",
                              codes)
    return WarningsNotice("warning", f"この印影には警告があります。登録する場合は、{CONFIRM_MESSAGE}。", codes)


@dataclass
class TaskPage:
    task: HumanTask
    detail: InstanceDetail
    form: dict | None
    panels: list[Panel]
    actor: Actor

    @property
    def data(self) -> dict[str, Any]:
        return self.detail.data

    @property
    def is_repeat(self) -> bool:
        """The flow came back to this step (受け付け直す): an earlier task of the same element is completed."""
        return any(t.spec_name == self.task.spec_name and t.id != self.task.id and not t.is_open
                   for t in self.detail.tasks)

    @property
    def subject_name(self) -> str | None:
        """Who the case is about: the instance's subject, else the person a step of the flow already found (a
        住基 answer in the data) — the header drops 「未特定」 as soon as the person is known."""
        if self.detail.instance.subject_name:
            return self.detail.instance.subject_name
        for value in (self.data, *(v for v in self.data.values() if isinstance(v, dict))):
            resident = value.get("resident")
            if isinstance(resident, dict) and isinstance(resident.get("name"), str) and resident["name"]:
                return resident["name"]
        return None

    @property
    def function_id(self) -> str:
        return (self.form or {}).get("function_id", "")

    @property
    def may_work_lane(self) -> bool:
        return self.actor.may_work(self.task.lane)

    @property
    def claimed_by_me(self) -> bool:
        return self.task.claimed_by == self.actor.username

    @property
    def claimed_by_other(self) -> bool:
        return bool(self.task.claimed_by) and not self.claimed_by_me

    @property
    def editable(self) -> bool:
        """The form is enabled: open task, a lane this user works, not claimed by someone else."""
        return self.task.is_open and self.may_work_lane and not self.claimed_by_other

    @property
    def warnings_notice(self) -> WarningsNotice | None:
        """On a form that confirms impression warnings: ask for confirmation, or say why the task came back."""
        properties = (self.form or {}).get("schema", {}).get("properties", {})
        if "warnings_confirmed" not in properties or not self.task.is_open:
            return None
        return warnings_notice(self.data)

    @property
    def read_only_reason(self) -> str | None:
        if not self.task.is_open:
            return "この作業は完了しています。"
        if not self.may_work_lane:
            role = ROLE_LABELS.get(self.actor.role, self.actor.role)
            return f"{role}の役割では「{self.task.lane}」の作業は閲覧のみです。"
        if self.claimed_by_other:
            return f"{staff_name(self.task.claimed_by)} さんが担当中のため、入力できません。"
        return None


def load_task_page(session: Session, task_id: int, actor: Actor, *, with_panels: bool = True) -> TaskPage:
    """Read the task, its instance (data as the latest step left it), form and panels; raise TaskNotFound."""
    task = get_task(session, task_id)
    prod = product()
    detail = instance_detail(session, prod.specs, task.instance_id)
    form = prod.specs.get(detail.definition).forms.get(task.form_file) if task.form_file else None
    shown = (form or {}).get("ui", {}).get("show", []) if with_panels else []
    return TaskPage(task, detail, form, build_panels(session, shown, detail.data), actor)
