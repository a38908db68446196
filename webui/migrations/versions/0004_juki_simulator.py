"""住基 simulator: recorded resident changes (異動) and J-LIS certificate states; コンビニ交付 log.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "juki_sim_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("resident_id", sa.String(length=20), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("changes_json", sa.Text(), nullable=False),
        sa.Column("cancels_event_id", sa.String(length=100), nullable=True),
        sa.Column("cancelled_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_juki_sim_change")),
        sa.UniqueConstraint("event_id", name=op.f("uq_juki_sim_change_event_id")),
    )
    with op.batch_alter_table("juki_sim_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_juki_sim_change_resident_id"), ["resident_id"], unique=False)
    op.create_table(
        "juki_sim_certificate",
        sa.Column("serial", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("resident_id", sa.String(length=20), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint("status IN ('valid', 'revoked', 'expired')", name=op.f("ck_juki_sim_certificate_status")),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_juki_sim_certificate")),
    )
    with op.batch_alter_table("juki_sim_certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_juki_sim_certificate_resident_id"), ["resident_id"], unique=False)
    op.create_table(
        "konbini_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("cert_serial", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("terminal", sa.String(length=100), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("document_sha", sa.String(length=64), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_konbini_request")),
        sa.UniqueConstraint("request_id", name=op.f("uq_konbini_request_request_id")),
    )
    with op.batch_alter_table("konbini_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_konbini_request_cert_serial"), ["cert_serial"], unique=False)
        batch_op.create_index(batch_op.f("ix_konbini_request_received_at"), ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_table("konbini_request")
    op.drop_table("juki_sim_certificate")
    op.drop_table("juki_sim_change")
