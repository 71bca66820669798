"""The installation record's seal: its signature, written once, beside the record it signs.

What a database is for (live or training) decides whether a pretended clock may date its entries.
The record is written once, but anyone who can write to the database could rewrite it; signed with
the trail's key, a flipped record no longer carries a valid signature, so a pretended clock is
refused and ``audit verify`` names it. A database upgraded to this revision has its record signed
by ``escalate db upgrade`` where the key can be read (a migration cannot sign).

Revision ID: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

PG_WRITE_ONCE = [
    """CREATE OR REPLACE FUNCTION installation_seal_write_once() RETURNS trigger LANGUAGE plpgsql
       AS $$ BEGIN RAISE EXCEPTION 'the installation seal is written once: % refused', TG_OP;
       END $$""",
    """CREATE TRIGGER installation_seal_no_change BEFORE UPDATE OR DELETE ON installation_seal
       FOR EACH ROW EXECUTE FUNCTION installation_seal_write_once()""",
]
SQLITE_WRITE_ONCE = [
    """CREATE TRIGGER installation_seal_no_update BEFORE UPDATE ON installation_seal
       BEGIN SELECT RAISE(ABORT, 'the installation seal is written once: UPDATE refused'); END""",
    """CREATE TRIGGER installation_seal_no_delete BEFORE DELETE ON installation_seal
       BEGIN SELECT RAISE(ABORT, 'the installation seal is written once: DELETE refused'); END""",
]


def upgrade() -> None:
    op.create_table(
        "installation_seal",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("signature", sa.String(), nullable=False),
    )
    statements = PG_WRITE_ONCE if op.get_bind().dialect.name == "postgresql" else SQLITE_WRITE_ONCE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    raise RuntimeError("The installation's seal is a record: restore a backup instead.")
