"""Sign-ins with the identity provider kept in the database while they are in progress, so that
any server process on any host can finish one; and failed sign-ins found by address, for the
limit on failures from one address.

Revision ID: 0028
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_pending",
        sa.Column("handle_hash", sa.String(), primary_key=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sign_in_pending_expires_at", "sign_in_pending", ["expires_at"])
    op.create_index("ix_sign_in_source_at", "sign_in", ["source", "at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_source_at", "sign_in")
    op.drop_table("sign_in_pending")
