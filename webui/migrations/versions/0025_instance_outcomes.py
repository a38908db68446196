"""Issue 15 points 2 and 3: how a case ended (outcome) is stored on the instance row when it ends; an inbox row
keeps its due time (human_task.due_at: the earliest timer on the task, e.g. the 4.1.4 answer deadline) and its
case's start (human_task.case_started_at, so the inbox sorts and filters by case age on its own table).

outcome (a code of engine/outcomes.py), outcome_label (the words shown: 登録完了, 却下, 失効 …) and outcome_reason
(e.g. the refusal's reason). Backfill of cases that ended before this revision:
- completed: the outcome the shipped flows now declare on the end event reached (table below, as of this
  revision, so the migration does not depend on later edits of bpmn/); an end event not in the table reads as its
  own name; the reason of a 4.1.2 / 4.1.4 refusal from the refusal's label in the saved state, when it is there;
- terminated: 取消し (a clerk's cancel) or 中止 (an operator's terminate), with the reason from its audit event.

Revision ID: 0025
Revises: 0023
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

SHIPPED = {
    ("haishi", "end_abolished"): ("abolished", "廃止"),
    ("haishi", "end_suspended"): ("suspended", "交付停止（廃止は来庁時）"),
    ("haishi", "end_refused"): ("refused", "却下"),
    ("hikikae_kofu", "end_refused"): ("refused", "却下"),
    ("hikikae_kofu", "end_exchanged"): ("exchanged", "引換交付"),
    ("ichiji_teishi", "end_suspended"): ("suspended", "交付停止"),
    ("ichiji_teishi", "end_refused"): ("refused", "却下"),
    ("idou_torikeshi", "end_not_found"): ("nothing", "該当なし"),
    ("idou_torikeshi", "end_refused"): ("refused", "却下"),
    ("idou_torikeshi", "end_active"): ("undone", "異動の取消し"),
    ("idou_torikeshi", "end_closed"): ("undone", "異動の取消し（除票）"),
    ("juki_rendou_massho", "end_closed"): ("closed", "抹消"),
    ("juki_rendou_massho", "end_nothing"): ("nothing", "抹消対象なし"),
    ("juki_rendou_shusei", "end_corrected"): ("corrected", "修正"),
    ("juki_rendou_shusei", "end_unchanged"): ("nothing", "修正不要"),
    ("juki_rendou_shusei", "end_name_inactive"): ("nothing", "登録なし"),
    ("juki_rendou_shusei", "end_name_closed"): ("closed", "抹消"),
    ("juki_rendou_shusei", "end_undone"): ("undone", "異動の取消しを反映"),
    ("juki_rendou_shusei", "end_not_undone"): ("nothing", "反映なし"),
    ("shokken_massho", "end_not_active"): ("nothing", "抹消できる登録なし"),
    ("shokken_massho", "end_withdrawn"): ("withdrawn", "取下げ"),
    ("shokken_massho", "end_already_closed"): ("nothing", "抹消済み"),
    ("shokken_massho", "end_closed"): ("closed", "抹消"),
    ("shokken_shusei", "end_not_active"): ("refused", "却下"),
    ("shokken_shusei", "end_unchanged"): ("refused", "却下"),
    ("shokken_shusei", "end_corrected"): ("corrected", "修正"),
    ("shomeisho_kofu", "end_issued"): ("issued", "交付"),
    ("shomeisho_kofu", "end_refused"): ("refused", "却下"),
    ("shoukai_touroku", "end_refused"): ("refused", "却下"),
    ("shoukai_touroku", "end_fraud_reported"): ("lapsed", "失効"),
    ("shoukai_touroku", "end_lapsed"): ("lapsed", "失効"),
    ("shoukai_touroku", "end_registered"): ("registered", "登録完了"),
    ("sokuji_touroku", "end_to_inquiry"): ("referred", "照会へ移行"),
    ("sokuji_touroku", "end_refused"): ("refused", "却下"),
    ("sokuji_touroku", "end_registered"): ("registered", "登録完了"),
    ("teishi_kaijo", "end_lifted"): ("lifted", "停止解除"),
    ("teishi_kaijo", "end_refused"): ("refused", "却下"),
}
FIXED_REASONS = {
    ("shokken_shusei", "end_not_active"): "有効な登録なし",
    ("shokken_shusei", "end_unchanged"): "修正内容なし",
    ("shoukai_touroku", "end_fraud_reported"): "不正申請の疑い",
    ("shoukai_touroku", "end_lapsed"): "回答期限の経過",
}


def upgrade() -> None:
    with op.batch_alter_table("process_instance") as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("outcome_label", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("outcome_reason", sa.String(length=400), nullable=True))
        batch_op.create_index(batch_op.f("ix_process_instance_outcome"), ["outcome"])
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.add_column(sa.Column("due_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("case_started_at", sa.DateTime(), nullable=True))
    _backfill(op.get_bind())
    _backfill_due(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.drop_column("case_started_at")
        batch_op.drop_column("due_at")
    with op.batch_alter_table("process_instance") as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_instance_outcome"))
        batch_op.drop_column("outcome_reason")
        batch_op.drop_column("outcome_label")
        batch_op.drop_column("outcome")


def _backfill(bind) -> None:
    instance = sa.table("process_instance", sa.column("id", sa.Integer), sa.column("process_id", sa.String),
                        sa.column("status", sa.String), sa.column("end_event", sa.String),
                        sa.column("state", sa.Text), sa.column("definition_id", sa.Integer),
                        sa.column("outcome", sa.String), sa.column("outcome_label", sa.String),
                        sa.column("outcome_reason", sa.String))
    audit = sa.table("audit_event", sa.column("id", sa.Integer), sa.column("instance_id", sa.Integer),
                     sa.column("kind", sa.String), sa.column("summary_json", sa.Text))
    definition = sa.table("process_definition", sa.column("id", sa.Integer), sa.column("bpmn_xml", sa.Text))
    ended = bind.execute(sa.select(instance.c.id, instance.c.process_id, instance.c.status, instance.c.end_event,
                                   instance.c.definition_id)
                         .where(instance.c.status.in_(("completed", "terminated")))).all()
    names: dict[int, dict[str, str]] = {}
    for row in ended:
        code, label, reason = None, None, None
        if row.status == "terminated":
            stop = bind.execute(sa.select(audit.c.kind, audit.c.summary_json)
                                .where(audit.c.instance_id == row.id, audit.c.kind.in_(("cancel", "terminate")))
                                .order_by(audit.c.id.desc()).limit(1)).first()
            code, label = ("cancelled", "取消し") if stop is None or stop.kind == "cancel" else ("terminated", "中止")
            reason = _summary_reason(stop.summary_json) if stop is not None else None
        elif row.end_event:
            code, label = SHIPPED.get((row.process_id, row.end_event), (None, None))
            reason = FIXED_REASONS.get((row.process_id, row.end_event))
            if code is None:
                if row.definition_id not in names:
                    xml = bind.execute(sa.select(definition.c.bpmn_xml)
                                       .where(definition.c.id == row.definition_id)).scalar() or ""
                    names[row.definition_id] = _element_names(xml)
                code, label = "ended", names[row.definition_id].get(row.end_event) or "終了"
            elif code == "refused" and row.process_id in ("sokuji_touroku", "shoukai_touroku"):
                state = bind.execute(sa.select(instance.c.state).where(instance.c.id == row.id)).scalar()
                reason = _refusal_label(state)
        if code is None:
            continue
        bind.execute(instance.update().where(instance.c.id == row.id)
                     .values(outcome=code, outcome_label=label[:100], outcome_reason=(reason or None) and reason[:400]))


def _backfill_due(bind) -> None:
    """Open tasks get their case's start (the inbox's case age) and, waiting with a timer of their case (the 4.1.4
    answer task and its deadline), its due time."""
    task = sa.table("human_task", sa.column("id", sa.Integer), sa.column("instance_id", sa.Integer),
                    sa.column("is_open", sa.Boolean), sa.column("due_at", sa.DateTime),
                    sa.column("case_started_at", sa.DateTime))
    timer = sa.table("timer", sa.column("instance_id", sa.Integer), sa.column("due_at", sa.DateTime),
                     sa.column("fired_at", sa.DateTime))
    due = (sa.select(sa.func.min(timer.c.due_at)).where(timer.c.instance_id == task.c.instance_id,
                                                        timer.c.fired_at.is_(None)).scalar_subquery())
    started = sa.table("process_instance", sa.column("id", sa.Integer), sa.column("started_at", sa.DateTime))
    case_start = sa.select(started.c.started_at).where(started.c.id == task.c.instance_id).scalar_subquery()
    bind.execute(task.update().where(task.c.is_open.is_(True)).values(due_at=due, case_started_at=case_start))


def _summary_reason(summary_json: str | None) -> str | None:
    try:
        reason = json.loads(summary_json or "{}").get("reason")
    except (ValueError, AttributeError):
        return None
    return str(reason) if reason else None


def _refusal_label(state: str | None) -> str | None:
    """The refusal's label (inkan.application.refuse's result) from a saved SpiffWorkflow state, if it is there."""
    try:
        document = json.loads(state or "{}")
    except ValueError:
        return None
    for source in [document.get("data") or {}, *((document.get("tasks") or {}).values())]:
        data = source.get("data", source) if source is not document.get("data") else source
        refusal = data.get("refusal") if isinstance(data, dict) else None
        if isinstance(refusal, dict) and isinstance(refusal.get("label"), str) and refusal["label"]:
            return refusal["label"]
    return None


def _element_names(bpmn_xml: str) -> dict[str, str]:
    from lxml import etree

    try:
        root = etree.fromstring(bpmn_xml.encode("utf-8"),
                                parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return {}
    return {element.get("id"): element.get("name") for element in root.iter()
            if isinstance(element.tag, str) and element.get("id") and element.get("name")}
