"""Issue 15 point 10: chained rows are linked at commit, so the append-only triggers allow that one fill.

engine/evidence/chain.py now inserts audit events, access-log rows and history entries without chain_seq / row_hash
and fills both in one UPDATE when the transaction commits (the chain heads are locked only for that moment). The
UPDATE triggers of the three chained tables therefore let exactly one change through: chain_seq and row_hash going
from NULL to a value with every other column unchanged. Anything else is still refused as before, a linked row can
never be updated, and deletes are refused as before (history: only with its tombstone, migration 0019). On
PostgreSQL a deferred constraint trigger also refuses to commit a row that is still without its link; on SQLite the
check (engine/evidence/verify.py) names such a row.

This module is self-contained on purpose: a migration must not change meaning when the product's code changes.

Revision ID: 0028
Revises: 0027
"""

from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

# every column but chain_seq and row_hash, as the tables stand at this revision (SQLite compares them one by one)
COLUMNS = {
    "audit_event": ("id", "at", "actor", "actor_role", "kind", "instance_id", "spec_name", "title", "summary_json"),
    "access_log": ("id", "at", "actor", "actor_role", "resident_id", "what", "target", "purpose", "purpose_note"),
    "registration_history": ("id", "registration_id", "reason", "effective_date", "processed_at", "operator",
                             "instance_id", "before_json", "after_json"),
}
HISTORY = "registration_history"  # its deletes are guarded by its own trigger (0019): only UPDATE is ours here


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_upgrade()
        return
    for table, columns in COLUMNS.items():
        op.execute(f"DROP TRIGGER {table}_no_update")
        op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} WHEN NOT ({_sqlite_fill(columns)}) "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def _sqlite_fill(columns: tuple[str, ...]) -> str:
    unchanged = " AND ".join(f"OLD.{column} IS NEW.{column}" for column in columns)
    return ("OLD.chain_seq IS NULL AND OLD.row_hash IS NULL AND NEW.chain_seq IS NOT NULL "
            f"AND NEW.row_hash IS NOT NULL AND {unchanged}")


def _postgresql_upgrade() -> None:
    op.execute("""
        CREATE FUNCTION inkan_refuse_change_but_link() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND OLD.chain_seq IS NULL AND OLD.row_hash IS NULL
               AND NEW.chain_seq IS NOT NULL AND NEW.row_hash IS NOT NULL
               AND to_jsonb(NEW) - 'chain_seq' - 'row_hash' = to_jsonb(OLD) - 'chain_seq' - 'row_hash' THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
        END $$""")
    op.execute("""
        CREATE FUNCTION inkan_refuse_unlinked() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            unlinked boolean;
        BEGIN
            EXECUTE format('SELECT row_hash IS NULL FROM %I.%I WHERE id = $1', TG_TABLE_SCHEMA, TG_TABLE_NAME)
                INTO unlinked USING NEW.id;
            IF unlinked THEN
                RAISE EXCEPTION '% row % would be committed without its hash-chain link', TG_TABLE_NAME, NEW.id
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NULL;
        END $$""")
    for table in COLUMNS:
        events = "UPDATE" if table == HISTORY else "UPDATE OR DELETE"
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE {events} ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION inkan_refuse_change_but_link()")
        # only rows inserted without a link queue the check (an import's or a restore's linked rows cost nothing)
        op.execute(f"CREATE CONSTRAINT TRIGGER {table}_linked AFTER INSERT ON {table} DEFERRABLE INITIALLY DEFERRED "
                   "FOR EACH ROW WHEN (NEW.row_hash IS NULL) EXECUTE FUNCTION inkan_refuse_unlinked()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in COLUMNS:
            events = "UPDATE" if table == HISTORY else "UPDATE OR DELETE"
            op.execute(f"DROP TRIGGER {table}_linked ON {table}")
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE {events} ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION inkan_refuse_change()")
        op.execute("DROP FUNCTION inkan_refuse_unlinked()")
        op.execute("DROP FUNCTION inkan_refuse_change_but_link()")
        return
    for table in COLUMNS:
        op.execute(f"DROP TRIGGER {table}_no_update")
        op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
