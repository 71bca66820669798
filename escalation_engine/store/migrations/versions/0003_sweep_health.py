"""Each worker records whether its sweeps are failing; webhook URLs leave the outbox rows.

A webhook URL is a secret (whoever holds it can post into the council's channel), so rows name
the channel only and the worker reads the URL from its configuration when it delivers.

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("worker") as batch:
        batch.add_column(
            sa.Column("sweep_failures", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("last_error", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE notification SET address = 'webhook' WHERE channel = 'webhook'")


def downgrade() -> None:
    with op.batch_alter_table("worker") as batch:
        batch.drop_column("failing_since")
        batch.drop_column("last_error")
        batch.drop_column("sweep_failures")
