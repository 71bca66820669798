"""SQLite: an entry can no longer be rewritten by ``INSERT OR REPLACE``.

REPLACE removes the row it collides with without firing delete triggers (unless a connection
turns recursive triggers on, which a writer bent on rewriting would not), so the append-only
guards never saw it. A check before every insert refuses a row whose key is already taken, which
catches REPLACE before it deletes anything. PostgreSQL has no REPLACE; its ``ON CONFLICT DO
UPDATE`` is an update, which the existing triggers already refuse.

Revision ID: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SQLITE_NO_REPLACE = [
    """CREATE TRIGGER audit_entry_no_replace BEFORE INSERT ON audit_entry
       WHEN EXISTS (SELECT 1 FROM audit_entry WHERE seq = NEW.seq OR hash = NEW.hash)
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: REPLACE refused'); END""",
    """CREATE TRIGGER absence_no_replace BEFORE INSERT ON absence
       WHEN EXISTS (SELECT 1 FROM absence WHERE id = NEW.id)
       BEGIN SELECT RAISE(ABORT, 'absences are append-only: REPLACE refused'); END""",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_NO_REPLACE:
            op.execute(statement)


def downgrade() -> None:
    raise RuntimeError("The audit trail's guards are never removed: restore a backup instead.")
