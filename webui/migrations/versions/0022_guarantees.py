"""Issue 18 point 3: the 保証書 accepted in 4.1.2, one row per application, counted per guarantor per day / year.

No foreign key to the guarantor's registration: purging a 除票 (0019) must not be blocked by the guarantees its
holder once gave.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guarantee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("guarantor_registration_id", sa.Integer(), nullable=False),
        sa.Column("guarantor_number", sa.String(length=20), nullable=False),
        sa.Column("resident_id", sa.String(length=40), nullable=False),
        sa.Column("vouched_on", sa.Date(), nullable=False),
        sa.Column("stamp_verdict", sa.String(length=20), nullable=False),
        sa.Column("stamp_score", sa.Float(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guarantee")),
        sa.UniqueConstraint("instance_id", name=op.f("uq_guarantee_instance_id")),
    )
    op.create_index(op.f("ix_guarantee_guarantor_registration_id"), "guarantee", ["guarantor_registration_id"])
    op.create_index(op.f("ix_guarantee_resident_id"), "guarantee", ["resident_id"])
    op.create_index(op.f("ix_guarantee_vouched_on"), "guarantee", ["vouched_on"])


def downgrade() -> None:
    op.drop_table("guarantee")
