"""The task page's model: the inbox row, its instance, its form document, panels and what the user may do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.actor import ROLE_LABELS, Actor
from engine.models import HumanTask
from engine.queries import InstanceDetail, get_task, instance_detail
from webui.tasks.panels import Panel, build_panels
from webui.wiring import product

__all__ = ["TaskPage", "load_task_page"]


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
    def read_only_reason(self) -> str | None:
        if not self.task.is_open:
            return "この作業は完了しています。"
        if not self.may_work_lane:
            role = ROLE_LABELS.get(self.actor.role, self.actor.role)
            return f"{role}の役割では「{self.task.lane}」の作業は閲覧のみです。"
        if self.claimed_by_other:
            return f"{self.task.claimed_by} さんが担当中のため、入力できません。"
        return None


def load_task_page(session: Session, task_id: int, actor: Actor, *, with_panels: bool = True) -> TaskPage:
    """Read the task, its instance (data as the latest step left it), form and panels; raise TaskNotFound."""
    task = get_task(session, task_id)
    prod = product()
    detail = instance_detail(session, prod.specs, task.instance_id)
    form = prod.specs.get(detail.definition).forms.get(task.form_file) if task.form_file else None
    shown = (form or {}).get("ui", {}).get("show", []) if with_panels else []
    return TaskPage(task, detail, form, build_panels(session, shown, detail.data), actor)
