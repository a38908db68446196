"""Auditors: hash chains, anchors, access log.

Adds chain_seq / row_hash to audit_event and registration_history, the chain heads, the daily anchors, the access
log, and the indexes of the instance search. Rows written before this revision are linked here, oldest first; the
append-only triggers are lifted for that one UPDATE and put back.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

CHAINED = ("audit_event", "registration_history")
CHAINS = ("access_log", "audit_event", "registration_history")
SEARCH_INDEXES = (
    ("process_instance", "ix_process_instance_started_at_id", ["started_at", "id"]),
    ("process_instance", "ix_process_instance_updated_at_id", ["updated_at", "id"]),
    ("process_instance", "ix_process_instance_process_started", ["process_id", "started_at"]),
    ("process_instance", "ix_process_instance_status_started", ["status", "started_at"]),
    ("process_instance", "ix_process_instance_started_by_started", ["started_by", "started_at"]),
    ("human_task", "ix_human_task_completed_by_instance", ["completed_by", "instance_id"]),
    ("incident", "ix_incident_open_instance", ["resolved_at", "instance_id"]),
)


def upgrade() -> None:
    heads = op.create_table(
        "chain_head",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_chain_head")),
    )
    op.bulk_insert(heads, [{"name": name, "last_seq": 0, "last_hash": "0" * 64} for name in CHAINS])
    op.create_table(
        "audit_anchor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_anchor")),
        sa.UniqueConstraint("chain", "day", name=op.f("uq_audit_anchor_chain")),
    )
    _create_access_log()
    for table in CHAINED:
        op.add_column(table, sa.Column("chain_seq", sa.Integer(), nullable=True))
        op.add_column(table, sa.Column("row_hash", sa.String(length=64), nullable=True))
        op.create_index(f"ix_{table}_chain_seq", table, ["chain_seq"], unique=True)
    for table, name, columns in SEARCH_INDEXES:
        op.create_index(name, table, columns)
    _link_existing_rows()


def _create_access_log() -> None:
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("actor_role", sa.String(length=30), nullable=True),
        sa.Column("resident_id", sa.String(length=40), nullable=False),
        sa.Column("what", sa.String(length=100), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=True),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("purpose_note", sa.String(length=200), nullable=True),
        sa.Column("chain_seq", sa.Integer(), nullable=True),
        sa.Column("row_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    op.create_index("ix_access_log_at", "access_log", ["at"])
    op.create_index("ix_access_log_resident_at", "access_log", ["resident_id", "at"])
    op.create_index("ix_access_log_actor_at", "access_log", ["actor", "at"])
    op.create_index("ix_access_log_chain_seq", "access_log", ["chain_seq"], unique=True)
    _append_only("access_log")


def _append_only(table: str) -> None:
    """The same refusal as 0002 gives audit_event and registration_history."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION inkan_refuse_change()")
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def _drop_append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        return
    for action in ("update", "delete"):
        op.execute(f"DROP TRIGGER {table}_no_{action}")


def _link_existing_rows() -> None:
    from engine.evidence.chain import GENESIS, link_hash
    from webui.audit.chains import AUDIT_CHAIN, HISTORY_CHAIN

    bind = op.get_bind()
    for spec, order in ((AUDIT_CHAIN, "at"), (HISTORY_CHAIN, "processed_at")):
        table = spec.model.__table__
        columns = [table.c.id, *(table.c[f] for f in spec.fields)]
        rows = bind.execute(sa.select(*columns).order_by(table.c[order], table.c.id)).all()
        if not rows:
            continue
        _drop_append_only(spec.table)
        seq, last = 0, GENESIS
        for row_id, *values in rows:
            seq += 1
            last = link_hash(last, [seq, *values])
            bind.execute(table.update().where(table.c.id == row_id).values(chain_seq=seq, row_hash=last))
        bind.execute(sa.text("UPDATE chain_head SET last_seq = :seq, last_hash = :hash WHERE name = :name"),
                     {"seq": seq, "hash": last, "name": spec.name})
        _append_only(spec.table)


def downgrade() -> None:
    for table, name, _columns in SEARCH_INDEXES:
        op.drop_index(name, table_name=table)
    for table in CHAINED:
        op.drop_index(f"ix_{table}_chain_seq", table_name=table)
        _drop_append_only(table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("row_hash")
            batch.drop_column("chain_seq")
        _append_only(table)
    _drop_append_only("access_log")
    op.drop_table("access_log")
    op.drop_table("audit_anchor")
    op.drop_table("chain_head")
