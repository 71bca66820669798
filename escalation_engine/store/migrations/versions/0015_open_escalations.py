"""An index of when escalations closed, so that the open ones (closed_at IS NULL) are found
without reading every escalation: the inbox and ``escalate list`` ask for them on every look.

Revision ID: 0015
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_escalation_closed_at", "escalation", ["closed_at"])


def downgrade() -> None:
    op.drop_index("ix_escalation_closed_at", table_name="escalation")
