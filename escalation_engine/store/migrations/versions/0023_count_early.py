"""The report's running counts also count escalations moved up before their deadline: counted
again here from the trail as it stands, by the code that keeps the counts from now on.

Revision ID: 0023
"""

from __future__ import annotations

from alembic import op

from escalation_engine.store import tallies

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tallies.rebuild(op.get_bind())


def downgrade() -> None:
    tallies.rebuild(op.get_bind())
