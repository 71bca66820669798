"""Audit entries carry a signature: Ed25519 over the entry's hash, made with a key kept outside
the database, so that a writer who recomputes the hash chain still cannot forge an entry.

Entries written before signing began keep an empty signature; ``audit.signed_from`` in
config.yaml says where signing starts.

Revision ID: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "audit_entry", sa.Column("signature", sa.String(), nullable=False, server_default="")
    )


def downgrade() -> None:
    raise RuntimeError("The audit trail's guards are never removed: restore a backup instead.")
