"""The report's running counts and marks, kept as audit entries are written, and counted here
from the trail as it stands.

Revision ID: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from escalation_engine.store import tallies

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_tally",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("workflow_digest", sa.String(), primary_key=True),
        sa.Column("alert_type", sa.String(), primary_key=True),
        sa.Column("action", sa.String(), primary_key=True),
        sa.Column("stage", sa.String(), primary_key=True),
        sa.Column("detail", sa.String(), primary_key=True),
        sa.Column("imported", sa.Boolean(), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    op.create_table(
        "report_mark",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("reference", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("detail", sa.String(), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
    )
    op.create_index("ix_report_mark_at", "report_mark", ["at"])
    # Counted from the trail by the code that keeps the counts from now on, so that the two
    # cannot differ in what they count.
    tallies.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("report_mark")
    op.drop_table("report_tally")
