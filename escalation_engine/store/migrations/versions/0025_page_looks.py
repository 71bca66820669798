"""Looks kept by the page: one access-log entry names every escalation a page of a list (or a
download) showed, instead of one signed entry per escalation. Entries already written keep their
one-escalation form, and their hashes and signatures still verify.

Revision ID: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("access_entry", recreate="never") as batch:
        batch.add_column(sa.Column("shown", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    raise RuntimeError("The access log is a record: restore a backup instead of downgrading.")
