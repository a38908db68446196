"""Issue 16 point 7: the 自動交付機 request log (印鑑登録証 + 5.2.4 暗証番号 → 印鑑登録証明書).

Wrong PINs and the lock stay on registration_pin (migration 0010), shared with 5.3 at the counter.

Revision ID: 0027
Revises: 0025
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jidou_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("card_number", sa.String(length=40), nullable=False),
        sa.Column("terminal", sa.String(length=100), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("document_sha", sa.String(length=64), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jidou_request")),
        sa.UniqueConstraint("request_id", name=op.f("uq_jidou_request_request_id")),
    )
    with op.batch_alter_table("jidou_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jidou_request_card_number"), ["card_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_jidou_request_received_at"), ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_table("jidou_request")
