"""The chains' seals: where the audit trail and the access log end, signed at every write.

A migration cannot sign (the key is not the database's), so ``escalate db upgrade`` seals both
chains at their ends as it finds them, with the key, right after this revision is applied.

Revision ID: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chain_seal",
        sa.Column("chain", sa.String(), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.Column("signature", sa.String(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("chain_seal")
