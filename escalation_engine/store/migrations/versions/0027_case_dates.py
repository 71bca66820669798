"""Per-case retention dates: the day each child's records may be removed from, imported from the
case-record system, so that the retention plan keeps an escalation at least until then.

Revision ID: 0027
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_date",
        sa.Column("case_ref", sa.String(), primary_key=True),
        sa.Column("keep_until", sa.Date(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(), nullable=False),
        sa.Column("file_digest", sa.String(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("case_date")
