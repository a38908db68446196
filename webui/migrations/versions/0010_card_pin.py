"""5.2.4 暗証番号 (PIN) and 5.3 引換交付: PIN hash, failed attempts, lock.

The PIN lives in its own table (registry/seals/pin.py) so the 原票 and its history never carry the hash.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registration_pin",
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("pin_hash", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["registration.id"],
                                name=op.f("fk_registration_pin_registration_id_registration")),
        sa.PrimaryKeyConstraint("registration_id", name=op.f("pk_registration_pin")),
    )


def downgrade() -> None:
    op.drop_table("registration_pin")
