"""An index of who raised each escalation and whether it is open, so that "what I raised" in
the inbox finds an IRO's open alerts among the thousands they raised over the years: with an
index of the raiser alone, SQLite (which keeps no statistics unless asked) reads every alert
they ever raised. The raiser's own index stays: it finds their latest alert at once (the
caseload's check), which this one, ordered by closing first, cannot.

Revision ID: 0016
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_escalation_raised_open", "escalation", ["raised_by", "closed_at"])


def downgrade() -> None:
    op.drop_index("ix_escalation_raised_open", table_name="escalation")
