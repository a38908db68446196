"""6.1 / 6.2: counter certificate issuance (copies, fee) and suspension records.

Suspensions need no table of their own: the period is on ``registration`` and each change is a history entry.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certificate_counter_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("resident_id", sa.String(length=40), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("refusal_code", sa.String(length=40), nullable=True),
        sa.Column("card_kind", sa.String(length=30), nullable=True),
        sa.Column("applicant", sa.String(length=20), nullable=True),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column("fee_per_copy", sa.Integer(), nullable=False),
        sa.Column("fee_total", sa.Integer(), nullable=False),
        sa.Column("serials_json", sa.Text(), nullable=False),
        sa.Column("operator", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["registration.id"],
                                name=op.f("fk_certificate_counter_issue_registration_id_registration")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_counter_issue")),
    )
    with op.batch_alter_table("certificate_counter_issue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_counter_issue_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificate_counter_issue_registration_id"), ["registration_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_certificate_counter_issue_resident_id"), ["resident_id"], unique=False)


def downgrade() -> None:
    op.drop_table("certificate_counter_issue")
