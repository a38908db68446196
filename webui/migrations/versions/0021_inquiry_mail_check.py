"""Issue 18.2: the mail check of 4.1.4 cannot be skipped.

The 照会番号 gets a random part printed only on the letter (application.check_code; NULL for applications issued
before, whose letters carry the number without it); the print queue records when a printed letter was mailed
(mailed_on, mailed_at, mailed_by); answers refused because they did not come through the mailed letter are kept
for the auditors (inquiry_answer_refusal).

Revision ID: 0021
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("application") as batch_op:
        batch_op.add_column(sa.Column("check_code", sa.String(length=12), nullable=True))
    with op.batch_alter_table("print_queue_item") as batch_op:
        batch_op.add_column(sa.Column("mailed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("mailed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("mailed_by", sa.String(length=100), nullable=True))
    op.create_table(
        "inquiry_answer_refusal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("typed_number", sa.String(length=40), nullable=False),
        sa.Column("refused_at", sa.DateTime(), nullable=False),
        sa.Column("operator", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"],
                                name=op.f("fk_inquiry_answer_refusal_application_id_application")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry_answer_refusal")),
    )
    with op.batch_alter_table("inquiry_answer_refusal") as batch_op:
        batch_op.create_index(batch_op.f("ix_inquiry_answer_refusal_application_id"), ["application_id"])
        batch_op.create_index(batch_op.f("ix_inquiry_answer_refusal_instance_id"), ["instance_id"])
        batch_op.create_index(batch_op.f("ix_inquiry_answer_refusal_resident_id"), ["resident_id"])
        batch_op.create_index(batch_op.f("ix_inquiry_answer_refusal_refused_at"), ["refused_at"])


def downgrade() -> None:
    op.drop_table("inquiry_answer_refusal")
    with op.batch_alter_table("print_queue_item") as batch_op:
        batch_op.drop_column("mailed_by")
        batch_op.drop_column("mailed_at")
        batch_op.drop_column("mailed_on")
    with op.batch_alter_table("application") as batch_op:
        batch_op.drop_column("check_code")
