"""Issue 17: the registry comes in from another system's files and goes out again (docs/exchange/).

exchange_run: one import (or dry run) with its progress and resume checkpoint. registration.guarantor_number: the
保証人 of an imported record. application.external_number: the previous system's 照会番号 of an imported pending
4.1.4 application.

Revision ID: 0024
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("run_by", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("phase_started_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("report_blob", sa.String(length=64), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_run")),
    )
    op.create_index(op.f("ix_exchange_run_digest"), "exchange_run", ["digest"], unique=False)
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guarantor_number", sa.String(length=20), nullable=True))
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_number", sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_application_external_number"), ["external_number"])


def downgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_application_external_number"), type_="unique")
        batch_op.drop_column("external_number")
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_column("guarantor_number")
    op.drop_index(op.f("ix_exchange_run_digest"), table_name="exchange_run")
    op.drop_table("exchange_run")
