"""The access log's rows: appending a look at an escalation, and reading the log with filters."""

from __future__ import annotations

import json
from collections.abc import Generator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, insert, or_, select

from escalation_engine.store.chain import stream as _stream
from escalation_engine.store.engine import Reader, reading, serialize_writes
from escalation_engine.store.tables import AccessRow

_TABLE = AccessRow.__table__  # type: ignore[attr-defined]
_HEAD = select(_TABLE.c.seq, _TABLE.c.hash).order_by(_TABLE.c.seq.desc()).limit(1)


def head(session: Connection) -> tuple[int, str | None]:
    """The log's last entry (``0, None`` when empty), under the same write lock as the trail."""
    serialize_writes(session)
    row = session.execute(_HEAD).first()
    return (row.seq, row.hash) if row is not None else (0, None)


def last(engine: Reader) -> tuple[int, str | None]:
    """The log's last entry, read without the write lock (for a checkpoint)."""
    with reading(engine) as connection:
        row = connection.execute(_HEAD).first()
        return (row.seq, row.hash) if row is not None else (0, None)


def hash_at(engine: Reader, seq: int) -> str | None:
    with reading(engine) as connection:
        return connection.execute(select(_TABLE.c.hash).where(_TABLE.c.seq == seq)).scalar()


def insert_entries(session: Connection, rows: list[dict[str, Any]]) -> None:
    """Write ``rows`` in one statement."""
    if rows:
        session.execute(insert(_TABLE), rows)


def _filtered(
    query: Select[Any], viewer: str | None, reference: str | None, start: datetime | None,
    end: datetime | None,
) -> Select[Any]:  # fmt: skip
    if viewer is not None:
        query = query.where(_TABLE.c.viewer == viewer)
    if reference is not None:
        # A look names its escalations in a JSON list: the quoted reference finds the entries
        # that may hold it; the caller keeps those whose list does.
        quoted = json.dumps(reference).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(or_(_TABLE.c.reference == reference,
                                _TABLE.c.shown.like(f"%{quoted}%", escape="\\")))  # fmt: skip
    if start is not None:
        query = query.where(_TABLE.c.at >= start)
    if end is not None:
        query = query.where(_TABLE.c.at < end)
    return query


def stream(
    engine: Reader,
    *,
    viewer: str | None = None,
    reference: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Generator[Row[Any], None, None]:
    """Entries in order, those matching every filter given, a chunk at a time."""
    query = _filtered(select(_TABLE).order_by(_TABLE.c.seq), viewer, reference, start, end)
    return _stream(engine, lambda _: query)


def newest(
    engine: Reader, *, before: int | None, limit: int, viewer: str | None = None,
    reference: str | None = None, start: datetime | None = None, end: datetime | None = None,
) -> list[Row[Any]]:  # fmt: skip
    """Up to ``limit`` entries matching every filter given, latest first, from before entry
    ``before`` (the page of the log after one that ended there)."""
    query = select(_TABLE).order_by(_TABLE.c.seq.desc()).limit(limit)
    if before is not None:
        query = query.where(_TABLE.c.seq < before)
    with reading(engine) as connection:
        return list(connection.execute(_filtered(query, viewer, reference, start, end)))
