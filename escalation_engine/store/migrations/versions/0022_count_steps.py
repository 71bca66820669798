"""The report's running counts also count the tiers bypassed, the deadlines extended and the
responses rejected: counted again here from the trail as it stands, by the code that keeps the
counts from now on.

Revision ID: 0022
"""

from __future__ import annotations

from alembic import op

from escalation_engine.store import tallies

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tallies.rebuild(op.get_bind())


def downgrade() -> None:
    tallies.rebuild(op.get_bind())
