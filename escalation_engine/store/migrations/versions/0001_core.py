"""The core: workflow versions, reference counters, escalations and the append-only audit trail.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)

PG_APPEND_ONLY = [
    """CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP; END $$""",
    """CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry
       FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
    """CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
       FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()""",
]
SQLITE_APPEND_ONLY = [
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: DELETE refused'); END""",
]


def upgrade() -> None:
    op.create_table(
        "workflow_version",
        sa.Column("digest", sa.String(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False, index=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("first_used_at", WHEN, nullable=False),
    )
    op.create_table(
        "reference_counter",
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("last", sa.Integer(), nullable=False),
    )
    op.create_table(
        "escalation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(), nullable=False, unique=True, index=True),
        sa.Column("workflow", sa.String(), nullable=False, index=True),
        sa.Column(
            "workflow_digest", sa.String(), sa.ForeignKey("workflow_version.digest"), nullable=False
        ),
        sa.Column("alert_type", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False, index=True),
        sa.Column("case_refs", sa.String(), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("team", sa.String(), nullable=False),
        sa.Column("looked_after", sa.Boolean(), nullable=False),
        sa.Column("raised_by", sa.String(), nullable=False, index=True),
        sa.Column("raised_at", WHEN, nullable=False),
        sa.Column("stage", sa.String(), nullable=False, index=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("rag", sa.String(), nullable=True),
        sa.Column("with_roles", sa.String(), nullable=False),
        sa.Column("with_people", sa.String(), nullable=False),
        *[
            sa.Column(name, WHEN, nullable=True)
            for name in (
                "stage_entered_at",
                "stage_due_at",
                "remind_at",
                "overall_started_at",
                "overall_due_at",
                "overall_breached_at",
                "stage_breached_at",
                "next_due_at",
            )
        ],  # fmt: skip
        sa.Column("last_stage", sa.String(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.Column("closed_at", WHEN, nullable=True),
        sa.Column("cafcass_referred_at", WHEN, nullable=True),
        sa.Column("satisfied", sa.String(), nullable=False),
        sa.Column("stages_reached", sa.String(), nullable=False),
        sa.Column("dates", sa.String(), nullable=False),
        sa.Column("audit_head", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_escalation_next_due", "escalation", ["next_due_at"])
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(), nullable=False, index=True),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("actor_kind", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("from_stage", sa.String(), nullable=True),
        sa.Column("to_stage", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("data", sa.String(), nullable=False),
        sa.Column("prev_hash", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False, unique=True),
    )
    statements = (
        PG_APPEND_ONLY if op.get_bind().dialect.name == "postgresql" else SQLITE_APPEND_ONLY
    )
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    raise RuntimeError("The audit trail is never dropped: restore a backup instead of downgrading.")
