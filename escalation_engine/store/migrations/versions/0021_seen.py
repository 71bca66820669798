"""The version of each escalation each person last saw, so their lists can say what changed
since they last looked.

Revision ID: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seen",
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("reference", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username", "reference"),
    )


def downgrade() -> None:
    op.drop_table("seen")
