"""The record of legacy spreadsheets imported, one row per file (by the digest of its bytes)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from escalation_engine.store.tables import ImportRow

_TABLE = ImportRow.__table__  # type: ignore[attr-defined]


def find(session: Connection, digest: str) -> Any:
    """The import of the file with ``digest``, if it was imported before."""
    return session.execute(select(_TABLE).where(_TABLE.c.digest == digest)).first()


def record(session: Connection, **values: Any) -> None:
    session.execute(insert(_TABLE), values)
