"""Printing: municipality settings, issued certificates (6.1), the print queue and batch print jobs.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "municipality_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("municipality", sa.String(length=100), nullable=False),
        sa.Column("mayor_title", sa.String(length=100), nullable=False),
        sa.Column("mayor_name", sa.String(length=100), nullable=False),
        sa.Column("section", sa.String(length=100), nullable=False),
        sa.Column("contact", sa.String(length=300), nullable=False),
        sa.Column("office_seal_blob", sa.String(length=64), nullable=True),
        sa.Column("show_sex", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipality_settings")),
        sa.UniqueConstraint("version", name=op.f("uq_municipality_settings_version")),
    )
    op.create_table(
        "print_batch_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document", sa.String(length=30), nullable=False),
        sa.Column("queued_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("blob_sha256", sa.String(length=64), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_batch_job")),
    )
    op.create_table(
        "issued_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("blob_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["registration.id"],
                                name=op.f("fk_issued_certificate_registration_id_registration")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_certificate")),
        sa.UniqueConstraint("serial", name=op.f("uq_issued_certificate_serial")),
        sa.UniqueConstraint("year", "sequence", name="uq_issued_certificate_year_sequence"),
    )
    with op.batch_alter_table("issued_certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issued_certificate_registration_id"), ["registration_id"],
                              unique=False)
    op.create_table(
        "print_queue_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.Column("queued_by", sa.String(length=100), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("batch_job_id", sa.Integer(), nullable=True),
        sa.Column("printed_at", sa.DateTime(), nullable=True),
        sa.Column("blob_sha256", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["batch_job_id"], ["print_batch_job.id"],
                                name=op.f("fk_print_queue_item_batch_job_id_print_batch_job")),
        sa.ForeignKeyConstraint(["registration_id"], ["registration.id"],
                                name=op.f("fk_print_queue_item_registration_id_registration")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_queue_item")),
    )
    with op.batch_alter_table("print_queue_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_print_queue_item_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_print_queue_item_batch_job_id"), ["batch_job_id"], unique=False)
        batch_op.create_index("ix_print_queue_item_document_status", ["document", "status", "queued_at"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_print_queue_item_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_print_queue_item_registration_id"), ["registration_id"],
                              unique=False)
    # a PDF opened by its hash (timeline, task panels) is found as the document it is, for the access log
    op.create_index(op.f("ix_issued_certificate_blob_sha256"), "issued_certificate", ["blob_sha256"])
    op.create_index(op.f("ix_issued_document_blob_sha256"), "issued_document", ["blob_sha256"])


def downgrade() -> None:
    op.drop_index(op.f("ix_issued_document_blob_sha256"), table_name="issued_document")
    op.drop_table("print_queue_item")
    op.drop_table("issued_certificate")
    op.drop_table("print_batch_job")
    op.drop_table("municipality_settings")
