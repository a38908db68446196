"""Municipality settings: 証明書確認ページのURL, the public /verify address the certificates' QR codes open.

Versions saved before this revision have none (NULL): the product then uses the configured default.

Revision ID: 0014
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("municipality_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verify_url", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("municipality_settings", schema=None) as batch_op:
        batch_op.drop_column("verify_url")
