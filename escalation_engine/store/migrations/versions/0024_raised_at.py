"""An index of when each escalation was raised, so that a report reads the escalations of the
years it covers and those still open or closed since, not every escalation ever raised: a
council's database grows every year, and a report for one year must not slow down with it.

Revision ID: 0024
"""

from __future__ import annotations

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_escalation_raised_at", "escalation", ["raised_at"])


def downgrade() -> None:
    op.drop_index("ix_escalation_raised_at", table_name="escalation")
