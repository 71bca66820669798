"""What a database was created for: live escalations, or training.

A training database (``escalate init --training``) may run on a pretended clock
(``ESCALATE_FAKE_NOW``) and marks every entry as training; a live one refuses the pretended
clock. A database without a row here was created before the distinction, for live use. The row
is written once and never changed.

Revision ID: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PG_WRITE_ONCE = [
    """CREATE OR REPLACE FUNCTION installation_write_once() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'what a database is for is written once: % refused', TG_OP; END $$""",
    """CREATE TRIGGER installation_no_change BEFORE UPDATE OR DELETE ON installation
       FOR EACH ROW EXECUTE FUNCTION installation_write_once()""",
]
SQLITE_WRITE_ONCE = [
    """CREATE TRIGGER installation_no_update BEFORE UPDATE ON installation
       BEGIN SELECT RAISE(ABORT, 'what a database is for is written once: UPDATE refused'); END""",
    """CREATE TRIGGER installation_no_delete BEFORE DELETE ON installation
       BEGIN SELECT RAISE(ABORT, 'what a database is for is written once: DELETE refused'); END""",
]


def upgrade() -> None:
    op.create_table(
        "installation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("training", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    statements = PG_WRITE_ONCE if op.get_bind().dialect.name == "postgresql" else SQLITE_WRITE_ONCE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    raise RuntimeError("What a database is for is a record: restore a backup instead.")
