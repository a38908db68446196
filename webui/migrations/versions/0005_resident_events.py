"""Resident-register event intake (住民記録連動).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resident_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("resident_id", sa.String(length=40), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("cancels_event_id", sa.String(length=100), nullable=True),
        sa.Column("body_json", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_event")),
        sa.UniqueConstraint("event_id", name=op.f("uq_resident_event_event_id")),
    )
    with op.batch_alter_table("resident_event", schema=None) as batch_op:
        batch_op.create_index("ix_resident_event_pending", ["processed_at", "effective_date"], unique=False)
        batch_op.create_index("ix_resident_event_resident_effective", ["resident_id", "effective_date"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("resident_event", schema=None) as batch_op:
        batch_op.drop_index("ix_resident_event_resident_effective")
        batch_op.drop_index("ix_resident_event_pending")
    op.drop_table("resident_event")
