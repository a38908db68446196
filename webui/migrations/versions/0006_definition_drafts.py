"""Managers: definition drafts, change notes, test cases, migrations.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "definition_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=100), nullable=False),
        sa.Column("base_definition_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("bpmn_xml", sa.Text(), nullable=False),
        sa.Column("forms_json", sa.Text(), nullable=False),
        sa.Column("cases_json", sa.Text(), nullable=False),
        sa.Column("problems_json", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("deployed_definition_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["base_definition_id"], ["process_definition.id"],
                                name=op.f("fk_definition_draft_base_definition_id_process_definition")),
        sa.ForeignKeyConstraint(["deployed_definition_id"], ["process_definition.id"],
                                name=op.f("fk_definition_draft_deployed_definition_id_process_definition")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_definition_draft")),
    )
    with op.batch_alter_table("definition_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_definition_draft_process_id"), ["process_id"], unique=False)
    op.create_table(
        "definition_suite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("cases_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["definition_id"], ["process_definition.id"],
                                name=op.f("fk_definition_suite_definition_id_process_definition")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_definition_suite")),
        sa.UniqueConstraint("definition_id", name=op.f("uq_definition_suite_definition_id")),
    )


def downgrade() -> None:
    op.drop_table("definition_suite")
    with op.batch_alter_table("definition_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_definition_draft_process_id"))
    op.drop_table("definition_draft")
