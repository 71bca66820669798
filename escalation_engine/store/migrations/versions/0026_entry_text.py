"""Personal text kept beside its entry: from this revision on, a new entry's hash covers a salted
digest of its note and of any free text in its details, and the text itself lives in
``entry_text``, from where a redaction can remove it without breaking the chain. Entries already
written keep their form (schema version 2, text inside the entry) and verify as before; new
entries are schema version 3 (``audit verify`` says from which entry on).

Revision ID: 0026
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

PG_NO_UPDATE = [
    """CREATE OR REPLACE FUNCTION entry_text_no_update() RETURNS trigger LANGUAGE plpgsql
       AS $$ BEGIN RAISE EXCEPTION 'an entry''s text is never changed (it may only be redacted):
       UPDATE refused'; END $$""",
    """CREATE TRIGGER entry_text_no_update BEFORE UPDATE ON entry_text
       FOR EACH ROW EXECUTE FUNCTION entry_text_no_update()""",
]
SQLITE_NO_UPDATE = [
    """CREATE TRIGGER entry_text_no_update BEFORE UPDATE ON entry_text
       BEGIN SELECT RAISE(ABORT, 'an entry''s text is never changed (it may only be redacted):
       UPDATE refused'); END""",
]


def upgrade() -> None:
    op.create_table(
        "entry_text",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("field", sa.String(), primary_key=True),
        sa.Column("salt", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    for statement in PG_NO_UPDATE if dialect == "postgresql" else SQLITE_NO_UPDATE:
        op.execute(statement)


def downgrade() -> None:
    raise RuntimeError("Entries' text is part of the record: restore a backup instead.")
