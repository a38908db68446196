"""Linking with the resident register: the cursor row of each way in (pull / file) and the change files read.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "juki_linkage_cursor",
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("cursor", sa.String(length=200), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=True),
        sa.Column("moved_at", sa.DateTime(), nullable=True),
        sa.Column("newest_recorded_at", sa.DateTime(), nullable=True),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_juki_linkage_cursor")),
    )
    op.create_table(
        "juki_linkage_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("errors_json", sa.Text(), nullable=False),
        sa.Column("archived_as", sa.String(length=255), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_juki_linkage_file")),
        sa.UniqueConstraint("name", "sha256", name=op.f("uq_juki_linkage_file_name")),
    )


def downgrade() -> None:
    op.drop_table("juki_linkage_file")
    op.drop_table("juki_linkage_cursor")
