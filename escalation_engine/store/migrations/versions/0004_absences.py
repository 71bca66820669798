"""Absences: who is marked away (and until when) or back, kept as an append-only record.

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

PG_APPEND_ONLY = [
    """CREATE OR REPLACE FUNCTION absence_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'absences are append-only: % refused', TG_OP; END $$""",
    """CREATE TRIGGER absence_no_change BEFORE UPDATE OR DELETE ON absence
       FOR EACH ROW EXECUTE FUNCTION absence_append_only()""",
    """CREATE TRIGGER absence_no_truncate BEFORE TRUNCATE ON absence
       FOR EACH STATEMENT EXECUTE FUNCTION absence_append_only()""",
]
SQLITE_APPEND_ONLY = [
    """CREATE TRIGGER absence_no_update BEFORE UPDATE ON absence
       BEGIN SELECT RAISE(ABORT, 'absences are append-only: UPDATE refused'); END""",
    """CREATE TRIGGER absence_no_delete BEFORE DELETE ON absence
       BEGIN SELECT RAISE(ABORT, 'absences are append-only: DELETE refused'); END""",
]


def upgrade() -> None:
    op.create_table(
        "absence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(), nullable=False, index=True),
        sa.Column("away", sa.Boolean(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("marked_by", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
    )
    statements = (
        PG_APPEND_ONLY if op.get_bind().dialect.name == "postgresql" else SQLITE_APPEND_ONLY
    )
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    raise RuntimeError("Absences are a record: restore a backup instead of downgrading.")
