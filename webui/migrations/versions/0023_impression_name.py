"""Issue 18 point 5: the 原票 records which name its impression shows (印影の表す氏名, chosen at 4.1.1.1).

Codes as registry/seals/shown_names.py: full_name 氏名, surname 氏, given_name 名, old_surname 旧氏,
common_name 通称, katakana_name カタカナ表記. Records registered before this revision keep NULL (not recorded):
nobody re-examines their impressions, and the certificate prints them as before.

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("impression_name", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_column("impression_name")
