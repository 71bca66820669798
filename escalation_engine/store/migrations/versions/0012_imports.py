"""Legacy imports: one row per spreadsheet imported, by the digest of its bytes, so the same file
imported twice imports nothing the second time. Append-only.

Revision ID: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

PG_APPEND_ONLY = [
    """CREATE OR REPLACE FUNCTION legacy_import_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'the record of imports is append-only: % refused', TG_OP; END $$""",
    """CREATE TRIGGER legacy_import_no_change BEFORE UPDATE OR DELETE ON legacy_import
       FOR EACH ROW EXECUTE FUNCTION legacy_import_append_only()""",
]
SQLITE_APPEND_ONLY = [
    """CREATE TRIGGER legacy_import_no_update BEFORE UPDATE ON legacy_import
       BEGIN SELECT RAISE(ABORT, 'the record of imports is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER legacy_import_no_delete BEFORE DELETE ON legacy_import
       BEGIN SELECT RAISE(ABORT, 'the record of imports is append-only: DELETE refused'); END""",
]


def upgrade() -> None:
    op.create_table(
        "legacy_import",
        sa.Column("digest", sa.String(), primary_key=True),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("first_reference", sa.String(), nullable=False),
        sa.Column("last_reference", sa.String(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(), nullable=False),
    )
    statements = (
        PG_APPEND_ONLY if op.get_bind().dialect.name == "postgresql" else SQLITE_APPEND_ONLY
    )
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    raise RuntimeError("The record of imports is a record: restore a backup instead.")
