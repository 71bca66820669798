"""The access log: every look at an escalation by anyone but its raiser, append-only and
hash-chained like the audit trail (and signed where the trail is).

Revision ID: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PG_APPEND_ONLY = [
    """CREATE OR REPLACE FUNCTION access_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'the access log is append-only: % refused', TG_OP; END $$""",
    """CREATE TRIGGER access_entry_no_change BEFORE UPDATE OR DELETE ON access_entry
       FOR EACH ROW EXECUTE FUNCTION access_entry_append_only()""",
    """CREATE TRIGGER access_entry_no_truncate BEFORE TRUNCATE ON access_entry
       FOR EACH STATEMENT EXECUTE FUNCTION access_entry_append_only()""",
]
SQLITE_APPEND_ONLY = [
    """CREATE TRIGGER access_entry_no_update BEFORE UPDATE ON access_entry
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER access_entry_no_delete BEFORE DELETE ON access_entry
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only: DELETE refused'); END""",
    """CREATE TRIGGER access_entry_no_replace BEFORE INSERT ON access_entry
       WHEN EXISTS (SELECT 1 FROM access_entry WHERE seq = NEW.seq OR hash = NEW.hash)
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only: REPLACE refused'); END""",
]


def upgrade() -> None:
    op.create_table(
        "access_entry",
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("viewer", sa.String(), nullable=False, index=True),
        sa.Column("reference", sa.String(), nullable=False, index=True),
        sa.Column("view", sa.String(), nullable=False),
        sa.Column("prev_hash", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False, unique=True),
        sa.Column("signature", sa.String(), nullable=False, server_default=""),
    )
    statements = (
        PG_APPEND_ONLY if op.get_bind().dialect.name == "postgresql" else SQLITE_APPEND_ONLY
    )
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    raise RuntimeError("The access log is a record: restore a backup instead of downgrading.")
