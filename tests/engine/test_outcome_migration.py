"""Migration 0025: cases that ended before outcomes were stored get theirs from the end event reached (and the
refusal's reason from the saved state), cancelled / terminated ones from their audit event."""

from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from conftest import _create_pg_database, _drop_pg_database
from webui.schema import alembic_config

NOW = "2026-12-01 10:00:00"


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_migration_0025_backfills_outcomes_of_ended_cases(kind, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}" if kind == "sqlite" else _create_pg_database()
    try:
        command.upgrade(alembic_config(url), "0023")
        engine = create_engine(url)
        refused_state = json.dumps({"data": {}, "tasks": {"t1": {"data": {"refusal": {"label": "登録済み"}}}}})
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO process_definition (id, process_id, name, content_hash, bpmn_xml, forms_json, source,"
                " note, is_active, created_by, created_at) VALUES (1, 'sokuji_touroku', '4.1.2', 'h', :xml, '{}',"
                " 'test', '', true, 'test', :now)"),
                {"now": NOW, "xml": '<definitions><endEvent id="end_custom" name="独自の終了"/></definitions>'})
            rows = [(1, "completed", "end_registered", "{}"), (2, "completed", "end_refused", refused_state),
                    (3, "completed", "end_custom", "{}"), (4, "terminated", None, "{}"),
                    (5, "terminated", None, "{}"), (6, "running", None, "{}")]
            for instance_id, status, end_event, state in rows:
                connection.execute(text(
                    "INSERT INTO process_instance (id, definition_id, process_id, status, state, version, started_by,"
                    " started_at, updated_at, end_event) VALUES (:id, 1, 'sokuji_touroku', :status, :state, 1,"
                    " 'madoguchi', :now, :now, :end)"),
                    {"id": instance_id, "status": status, "state": state, "now": NOW, "end": end_event})
            connection.execute(text(
                "INSERT INTO human_task (id, instance_id, task_guid, spec_name, title, lane, is_open, created_at)"
                " VALUES (1, 6, 'g1', 'task_answer', '4.1.4.6 回答書の受付', '窓口', true, :now)"), {"now": NOW})
            connection.execute(text("INSERT INTO timer (instance_id, task_guid, due_at) VALUES (6, 'g2', :due)"),
                               {"due": "2026-12-31 14:59:59"})
            for instance_id, kind_, reason in ((4, "cancel", "誤って開始"), (5, "terminate", "重複した事案")):
                connection.execute(text(
                    "INSERT INTO audit_event (at, actor, kind, instance_id, summary_json) VALUES"
                    " (:now, 'admin', :kind, :id, :summary)"),
                    {"now": NOW, "kind": kind_, "id": instance_id,
                     "summary": json.dumps({"reason": reason}, ensure_ascii=False)})
        engine.dispose()
        command.upgrade(alembic_config(url), "0025")
        engine = create_engine(url)
        with engine.connect() as connection:
            found = connection.execute(text("SELECT id, outcome, outcome_label, outcome_reason FROM process_instance"
                                            " ORDER BY id")).all()
            task = connection.execute(text("SELECT due_at, case_started_at FROM human_task")).one()
        engine.dispose()
        assert [str(value)[:19] for value in task] == ["2026-12-31 14:59:59", NOW]
        assert [tuple(row) for row in found] == [
            (1, "registered", "登録完了", None), (2, "refused", "却下", "登録済み"), (3, "ended", "独自の終了", None),
            (4, "cancelled", "取消し", "誤って開始"), (5, "terminated", "中止", "重複した事案"), (6, None, None, None)]
        command.downgrade(alembic_config(url), "0023")
    finally:
        if kind == "postgresql":
            _drop_pg_database(url)
