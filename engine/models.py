"""Tables of the workflow engine: definitions, instances, inbox rows, incidents, audit events, timers."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, utcnow


class InstanceStatus:
    RUNNING = "running"
    WAITING = "waiting"
    COMPLETED = "completed"
    ERROR = "error"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    ALL = (RUNNING, WAITING, COMPLETED, ERROR, SUSPENDED, TERMINATED)


class ProcessDefinition(Base):
    """One version of one BPMN process: the content hash of its XML and forms is the version."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("process_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    forms_json: Mapped[str] = mapped_column(Text)  # {"file name": form document}
    source: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessInstance(Base):
    """A running or finished flow; its SpiffWorkflow state is TEXT, guarded by an optimistic version."""

    __tablename__ = "process_instance"
    __table_args__ = (
        Index("ix_process_instance_status_updated", "status", "updated_at"),
        # instance search (engine/evidence/search.py): newest first, alone or within one flow / status / clerk
        Index("ix_process_instance_started_at_id", "started_at", "id"),
        Index("ix_process_instance_updated_at_id", "updated_at", "id"),
        Index("ix_process_instance_process_started", "process_id", "started_at"),
        Index("ix_process_instance_status_started", "status", "started_at"),
        Index("ix_process_instance_started_by_started", "started_by", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    started_by: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    subject_name: Mapped[str | None] = mapped_column(String(200))
    subject_resident_id: Mapped[str | None] = mapped_column(String(40), index=True)
    subject_registration_number: Mapped[str | None] = mapped_column(String(40), index=True)
    end_event: Mapped[str | None] = mapped_column(String(100))
    # how the case ended (engine/outcomes.py): the end event's declared outcome, or 取消し / 中止 with the reason
    outcome: Mapped[str | None] = mapped_column(String(30), index=True)
    outcome_label: Mapped[str | None] = mapped_column(String(100))
    outcome_reason: Mapped[str | None] = mapped_column(String(400))

    @property
    def outcome_text(self) -> str:
        """「却下（理由）」, 「登録完了」 …; empty while the case runs."""
        from engine.outcomes import outcome_text

        return outcome_text(self.outcome_label, self.outcome_reason)

    __mapper_args__ = {"version_id_col": version}


class HumanTask(Base):
    """An inbox row: one READY user or manual task, kept after completion for the instance history."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_open_lane", "is_open", "lane", "created_at"),
        UniqueConstraint("task_guid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_guid: Mapped[str] = mapped_column(String(36))
    spec_name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str] = mapped_column(String(50))
    form_file: Mapped[str | None] = mapped_column(String(200))
    is_open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(100))
    completed_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]  # deadline: the earliest timer on the task (the 4.1.4 answer deadline)
    case_started_at: Mapped[datetime | None]  # the instance's start, copied so the inbox sorts by case age alone


class Incident(Base):
    """A service task that failed: the real exception, kept until an operator retries it."""

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_guid: Mapped[str] = mapped_column(String(36))
    spec_name: Mapped[str] = mapped_column(String(100))
    operator_id: Mapped[str | None] = mapped_column(String(100))
    error_type: Mapped[str] = mapped_column(String(200))
    error_code: Mapped[str | None] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
    traceback: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(100))


class AuditEvent(Base):
    """Append-only record of who did what to which instance, with a summary of the data changed."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_instance_at", "instance_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    actor_role: Mapped[str | None] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(40))
    instance_id: Mapped[int | None] = mapped_column(index=True)
    spec_name: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(200))
    summary_json: Mapped[str] = mapped_column(Text, default="{}")
    chain_seq: Mapped[int | None] = mapped_column(unique=True, index=True)  # hash chain (engine/evidence/chain.py)
    row_hash: Mapped[str | None] = mapped_column(String(64))


class Timer(Base):
    """A due time of a waiting timer event; workers claim due rows so none fires twice."""

    __tablename__ = "timer"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_guid: Mapped[str] = mapped_column(String(36), unique=True)
    due_at: Mapped[datetime] = mapped_column(index=True)
    fired_at: Mapped[datetime | None]
