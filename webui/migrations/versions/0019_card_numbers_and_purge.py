"""Issue 18: card numbers in one normal form, one active record per card; 除票 purge with chain tombstones.

Card numbers (5.2): every stored 印鑑登録証 number is rewritten in the normal form of registry/seals/cards.py
(full-width → half-width, upper case, hyphens and spaces removed) with a 「登録証番号の正規化」 history entry,
chained like any other. Numbers that cannot be normalised (fewer than 4 or more than 20 letters and digits) and
numbers two ACTIVE records would share are listed and the migration stops, changing nothing: a clerk decides which
record keeps the card (5.3 引換交付 for the other) before migrating again. Then a partial unique index makes two
active records with one card number impossible.

Purge (除票の保存期間): the purge batches, and the tombstones that stand in the hash chain for purged history rows
(engine/evidence/tombstones.py). The history's append-only triggers now let a row be deleted only when its tombstone, with
the same sequence number and hash, exists; updates stay refused. Tombstones are append-only themselves.

This module is self-contained on purpose: a migration must not change meaning when the product's code changes.

Revision ID: 0019
Revises: 0015
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0015"
branch_labels = None
depends_on = None

REGISTRATION_CARD = "印鑑登録証"
CARD_NUMBER = re.compile(r"[0-9A-Z]{4,20}")
SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ーｰ_]+")
ACTIVE_CARD = "status = 'registered' AND card_number IS NOT NULL"
HISTORY = "registration_history"
HISTORY_FIELDS = ("registration_id", "reason", "effective_date", "processed_at", "operator", "instance_id",
                  "before_json", "after_json")
NORMALISED_REASON = "登録証番号の正規化"
HISTORY_TABLE = sa.table(HISTORY, sa.column("registration_id", sa.Integer), sa.column("reason", sa.String),
                         sa.column("effective_date", sa.Date), sa.column("processed_at", sa.DateTime),
                         sa.column("operator", sa.String), sa.column("instance_id", sa.Integer),
                         sa.column("before_json", sa.Text), sa.column("after_json", sa.Text),
                         sa.column("chain_seq", sa.Integer), sa.column("row_hash", sa.String))
OPERATOR = "migration-0019"


def normal_form(text: str) -> str:
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", text).upper())


def upgrade() -> None:
    _normalise_card_numbers()
    op.create_index("uq_registration_active_card", "registration", ["card_number"], unique=True,
                    sqlite_where=sa.text(ACTIVE_CARD), postgresql_where=sa.text(ACTIVE_CARD))
    _create_purge_tables()
    _history_deletable_with_tombstone()


def downgrade() -> None:
    _history_append_only_again()
    op.drop_table("chain_tombstone")
    op.drop_table("purge_batch")
    op.drop_index("uq_registration_active_card", table_name="registration")


# ---- card numbers ----------------------------------------------------------------------------------------------
def _normalise_card_numbers() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, registration_number, status, card_kind, card_number FROM registration "
                                "WHERE card_number IS NOT NULL ORDER BY id")).all()
    problems, changed, active = [], [], {}
    for row_id, number, status, kind, card in rows:
        normal = normal_form(card)
        if kind == REGISTRATION_CARD and not CARD_NUMBER.fullmatch(normal):
            problems.append(f"登録番号 {number}: 登録証の番号「{card}」は英数字4〜20桁になりません")
        if status == "registered":
            active.setdefault(normal, []).append(f"{number}（{card}）")
        if normal != card:
            changed.append((row_id, card, normal))
    problems += [f"登録証の番号 {normal} を有効な登録 {'・'.join(holders)} が共有しています"
                 for normal, holders in sorted(active.items()) if len(holders) > 1]
    if problems:
        raise RuntimeError("登録証の番号を正規化できません（何も変更していません）。5.3 引換交付などで直してから"
                           "もう一度移行してください:\n" + "\n".join(problems))
    for row_id, card, normal in changed:
        bind.execute(sa.text("UPDATE registration SET card_number = :n WHERE id = :i"), {"n": normal, "i": row_id})
        _append_history(bind, row_id, before={"card_number": card},
                        after={"card_number": normal, "normalised_from": card})


def _append_history(bind, registration_id: int, *, before: dict, after: dict) -> None:
    """One chained history entry, linked as engine/evidence/chain.py links rows (sha256 of previous hash + content)."""
    seq, last = bind.execute(sa.text("SELECT last_seq, last_hash FROM chain_head WHERE name = :n"),
                             {"n": HISTORY}).one()
    now = datetime.now(UTC).replace(tzinfo=None)
    values = {"registration_id": registration_id, "reason": NORMALISED_REASON, "effective_date": now.date(),
              "processed_at": now, "operator": OPERATOR, "instance_id": None,
              "before_json": json.dumps(before, ensure_ascii=False),
              "after_json": json.dumps(after, ensure_ascii=False)}
    seq += 1
    row_hash = hashlib.sha256((last + _content([seq, *(values[f] for f in HISTORY_FIELDS)])).encode()).hexdigest()
    bind.execute(sa.insert(HISTORY_TABLE).values(values | {"chain_seq": seq, "row_hash": row_hash}))
    bind.execute(sa.text("UPDATE chain_head SET last_seq = :s, last_hash = :h, updated_at = :t WHERE name = :n"),
                 {"s": seq, "h": row_hash, "t": now, "n": HISTORY})


def _content(values: list) -> str:
    """engine/evidence/chain.py's rendering as of this revision: `len:text` or '-', joined by U+001F."""
    parts = []
    for value in values:
        if value is None:
            parts.append("-")
            continue
        if isinstance(value, datetime):
            text = value.strftime("%Y-%m-%d %H:%M:%S.%f")
        elif isinstance(value, date):
            text = value.isoformat()
        else:
            text = str(value)
        parts.append(f"{len(text)}:{text}")
    return "\x1f".join(parts)


# ---- purge -----------------------------------------------------------------------------------------------------
def _create_purge_tables() -> None:
    op.create_table(
        "purge_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_at", sa.DateTime(), nullable=False),
        sa.Column("run_by", sa.String(length=100), nullable=False),
        sa.Column("closed_before", sa.Date(), nullable=False),
        sa.Column("retention_years", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("history_rows", sa.Integer(), nullable=False),
        sa.Column("blobs", sa.Integer(), nullable=False),
        sa.Column("list_blob", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purge_batch")),
    )
    op.create_table(
        "chain_tombstone",
        sa.Column("chain", sa.String(length=40), nullable=False),
        sa.Column("chain_seq", sa.Integer(), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.Column("batch", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("chain", "chain_seq", name=op.f("pk_chain_tombstone")),
    )
    op.create_index("ix_chain_tombstone_batch", "chain_tombstone", ["batch"])
    _append_only("chain_tombstone")


def _append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION inkan_refuse_change()")
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


TOMBSTONED = (f"EXISTS (SELECT 1 FROM chain_tombstone t WHERE t.chain = '{HISTORY}' "
              "AND t.chain_seq = OLD.chain_seq AND t.row_hash = OLD.row_hash)")


def _history_deletable_with_tombstone() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {HISTORY}_append_only ON {HISTORY}")
        op.execute(f"CREATE TRIGGER {HISTORY}_append_only BEFORE UPDATE ON {HISTORY} "
                   "FOR EACH ROW EXECUTE FUNCTION inkan_refuse_change()")
        op.execute(f"""
            CREATE FUNCTION inkan_refuse_untombstoned_delete() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NOT {TOMBSTONED} THEN
                    RAISE EXCEPTION '% is append-only (a row is deleted only with its tombstone)', TG_TABLE_NAME
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN OLD;
            END $$""")
        op.execute(f"CREATE TRIGGER {HISTORY}_tombstoned_delete BEFORE DELETE ON {HISTORY} "
                   "FOR EACH ROW EXECUTE FUNCTION inkan_refuse_untombstoned_delete()")
        return
    op.execute(f"DROP TRIGGER {HISTORY}_no_delete")
    op.execute(f"CREATE TRIGGER {HISTORY}_no_delete BEFORE DELETE ON {HISTORY} WHEN NOT {TOMBSTONED} "
               f"BEGIN SELECT RAISE(ABORT, '{HISTORY} is append-only (a row is deleted only with its tombstone)'); END")


def _history_append_only_again() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {HISTORY}_tombstoned_delete ON {HISTORY}")
        op.execute("DROP FUNCTION inkan_refuse_untombstoned_delete()")
        op.execute(f"DROP TRIGGER {HISTORY}_append_only ON {HISTORY}")
        op.execute(f"CREATE TRIGGER {HISTORY}_append_only BEFORE UPDATE OR DELETE ON {HISTORY} "
                   "FOR EACH ROW EXECUTE FUNCTION inkan_refuse_change()")
        return
    op.execute(f"DROP TRIGGER {HISTORY}_no_delete")
    op.execute(f"CREATE TRIGGER {HISTORY}_no_delete BEFORE DELETE ON {HISTORY} "
               f"BEGIN SELECT RAISE(ABORT, '{HISTORY} is append-only'); END")
