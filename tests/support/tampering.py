"""Changing the trail as someone with write access to the database, but not the signing key,
could: switch off the append-only guards, edit, and recompute the chain."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Engine, select, text

from escalation_engine.store import AuditRow
from escalation_engine.trail import audit

ENTRIES = AuditRow.__table__  # type: ignore[attr-defined]


def guards_off(connection: Connection) -> None:
    """Remove the append-only triggers, as the database's owner could."""
    tables = ("audit_entry", "access_entry", "installation", "installation_seal", "delivery_record")
    if connection.dialect.name == "sqlite":
        for table in tables:
            for guard in ("no_update", "no_delete", "no_replace"):
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_{guard}")
    else:
        for table in tables:
            connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")


def rechain(connection: Connection, start: int = 1) -> None:
    """Recompute every hash from entry ``start`` on, and each escalation's recorded head, so the
    chain is whole again; signatures stay as they were (making new ones needs the key)."""
    rows = connection.execute(
        select(ENTRIES).where(ENTRIES.c.seq >= start).order_by(ENTRIES.c.seq)
    ).all()
    prev = (
        connection.execute(
            text("SELECT hash FROM audit_entry WHERE seq < :start ORDER BY seq DESC LIMIT 1"),
            {"start": start},
        ).scalar()
        or audit.GENESIS
    )
    # Hashes are unique: move every row to a placeholder first, then write the new ones.
    connection.execute(
        text("UPDATE audit_entry SET hash = 'x' || CAST(seq AS VARCHAR) WHERE seq >= :start"),
        {"start": start},
    )
    heads: dict[str, str] = {}
    for row in rows:
        values: dict[str, Any] = dict(row._mapping) | {"prev_hash": prev}
        new = hashlib.sha256(audit.canonical(SimpleNamespace(**values))).hexdigest()
        connection.execute(
            text("UPDATE audit_entry SET prev_hash = :prev, hash = :hash WHERE seq = :seq"),
            {"prev": prev, "hash": new, "seq": row.seq},
        )
        prev = heads[row.reference] = new
    for reference, head in heads.items():
        connection.execute(
            text("UPDATE escalation SET audit_head = :head WHERE reference = :ref"),
            {"head": head, "ref": reference},
        )


def forge_from(engine: Engine, seq: int, **changes: Any) -> None:
    """Change entry ``seq``'s columns and recompute the chain from it."""
    with engine.begin() as connection:
        guards_off(connection)
        assignments = ", ".join(f"{name} = :{name}" for name in changes)
        connection.execute(
            text(f"UPDATE audit_entry SET {assignments} WHERE seq = :seq"), changes | {"seq": seq}
        )
        for field in changes:  # the text the entry committed to goes with what replaced it
            connection.execute(
                text("DELETE FROM entry_text WHERE seq = :seq AND field = :field"),
                {"seq": seq, "field": field},
            )
        rechain(connection, seq)
