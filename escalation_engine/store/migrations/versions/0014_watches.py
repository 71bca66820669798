"""Watches: who watches which escalation (told of it at a stage, or of their own asking), as
marks that are only ever added.

Revision ID: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from escalation_engine.store import watches

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

PG_APPEND_ONLY = [
    """CREATE OR REPLACE FUNCTION watch_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'watch marks are append-only: % refused', TG_OP; END $$""",
    """CREATE TRIGGER watch_no_change BEFORE UPDATE OR DELETE ON watch
       FOR EACH ROW EXECUTE FUNCTION watch_append_only()""",
]
SQLITE_APPEND_ONLY = [
    """CREATE TRIGGER watch_no_update BEFORE UPDATE ON watch
       BEGIN SELECT RAISE(ABORT, 'watch marks are append-only: UPDATE refused'); END""",
    """CREATE TRIGGER watch_no_delete BEFORE DELETE ON watch
       BEGIN SELECT RAISE(ABORT, 'watch marks are append-only: DELETE refused'); END""",
]


def upgrade() -> None:
    op.create_table(
        "watch",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("reference", sa.String(), nullable=False),
        sa.Column("watching", sa.Boolean(), nullable=False),
        sa.Column("why", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_watch_username", "watch", ["username"])
    op.create_index("ix_watch_reference", "watch", ["reference"])
    statements = (
        PG_APPEND_ONLY if op.get_bind().dialect.name == "postgresql" else SQLITE_APPEND_ONLY
    )
    for statement in statements:
        op.execute(statement)
    # Whoever the trails of open escalations told of them watches them, as from now on.
    watches.from_trail(op.get_bind())


def downgrade() -> None:
    op.drop_table("watch")
