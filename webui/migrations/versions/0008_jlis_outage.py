"""Simulated J-LIS outage: the one-row state of the J-LIS simulator (normal / 応答なし / 遅延).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "juki_sim_jlis_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("delay_seconds", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_juki_sim_jlis_state_single_row")),
        sa.CheckConstraint("mode IN ('normal', 'down', 'slow')", name=op.f("ck_juki_sim_jlis_state_mode")),
        sa.CheckConstraint("delay_seconds IS NULL OR delay_seconds > 0",
                           name=op.f("ck_juki_sim_jlis_state_delay_seconds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_juki_sim_jlis_state")),
    )


def downgrade() -> None:
    op.drop_table("juki_sim_jlis_state")
