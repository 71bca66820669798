"""Local accounts for services without an identity provider, and the record of every sign-in.

An account is mutable (its password changes, it is disabled, it is locked after repeated
failures); the sign-in record is append-only.

Revision ID: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

PG_APPEND_ONLY = [
    """CREATE OR REPLACE FUNCTION sign_in_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'the sign-in record is append-only: % refused', TG_OP; END $$""",
    """CREATE TRIGGER sign_in_no_change BEFORE UPDATE OR DELETE ON sign_in
       FOR EACH ROW EXECUTE FUNCTION sign_in_append_only()""",
]
SQLITE_APPEND_ONLY = [
    """CREATE TRIGGER sign_in_no_update BEFORE UPDATE ON sign_in
       BEGIN SELECT RAISE(ABORT, 'the sign-in record is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER sign_in_no_delete BEFORE DELETE ON sign_in
       BEGIN SELECT RAISE(ABORT, 'the sign-in record is append-only: DELETE refused'); END""",
]


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("username", sa.String(), primary_key=True),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(), nullable=False),
    )
    op.create_table(
        "sign_in",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(), nullable=False, index=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("detail", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
    )
    statements = (
        PG_APPEND_ONLY if op.get_bind().dialect.name == "postgresql" else SQLITE_APPEND_ONLY
    )
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    raise RuntimeError("Accounts and sign-ins are records: restore a backup instead.")
