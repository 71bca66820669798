"""Seals that cannot be replayed: each chain's seal carries a counter, raised at every sealing,
and the moment it was sealed, both signed.

A seal row kept from an earlier moment and put back after cutting the newest entries still named
a whole, signed chain. A checkpoint now renews the seals and records their counters outside the
database: a seal whose counter is below the newest checkpoint's is one put back. Rows sealed
before this revision have counter 0 and keep their old signed form until they are next sealed.

Revision ID: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chain_seal") as batch:
        batch.add_column(sa.Column("counter", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    raise RuntimeError("Seals are a record: restore a backup instead of downgrading.")
