"""Delivery records: each attempt to deliver a notice (sent, failed and retrying, given up),
append-only, hash-chained and signed like the audit trail.

An outbox row's status is not signed: marked sent by hand, nobody would be told and nothing
would say so. Each attempt's outcome is recorded here, chained, in the transaction that settles
the row, so ``audit verify`` can require a record behind every notice marked sent or given up.
(``delivery_attempt`` is no longer written; its rows stay as they were.)

Revision ID: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

PG_APPEND_ONLY = [
    """CREATE OR REPLACE FUNCTION delivery_record_append_only() RETURNS trigger LANGUAGE plpgsql
       AS $$ BEGIN RAISE EXCEPTION 'delivery records are append-only: % refused', TG_OP; END $$""",
    """CREATE TRIGGER delivery_record_no_change BEFORE UPDATE OR DELETE ON delivery_record
       FOR EACH ROW EXECUTE FUNCTION delivery_record_append_only()""",
    """CREATE TRIGGER delivery_record_no_truncate BEFORE TRUNCATE ON delivery_record
       FOR EACH STATEMENT EXECUTE FUNCTION delivery_record_append_only()""",
]
SQLITE_APPEND_ONLY = [
    """CREATE TRIGGER delivery_record_no_update BEFORE UPDATE ON delivery_record
       BEGIN SELECT RAISE(ABORT, 'delivery records are append-only: UPDATE refused'); END""",
    """CREATE TRIGGER delivery_record_no_delete BEFORE DELETE ON delivery_record
       BEGIN SELECT RAISE(ABORT, 'delivery records are append-only: DELETE refused'); END""",
    """CREATE TRIGGER delivery_record_no_replace BEFORE INSERT ON delivery_record
       WHEN EXISTS (SELECT 1 FROM delivery_record WHERE seq = NEW.seq OR hash = NEW.hash)
       BEGIN SELECT RAISE(ABORT, 'delivery records are append-only: REPLACE refused'); END""",
]


def upgrade() -> None:
    op.create_table(
        "delivery_record",
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("notification_id", sa.Integer(), nullable=False, index=True),
        sa.Column("audit_seq", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
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
    raise RuntimeError("Delivery records are a record: restore a backup instead of downgrading.")
