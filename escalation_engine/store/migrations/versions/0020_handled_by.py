"""Who is handling an escalation at its stage ("I'm on it"), kept on its row for the lists; the
trail's ``handle`` entries are what it is replayed and checked from.

Revision ID: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("escalation") as batch:
        batch.add_column(sa.Column("handled_by", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("escalation") as batch:
        batch.drop_column("handled_by")
