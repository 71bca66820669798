"""The delivery records' rows: appended as each notice's attempt is settled, read to verify."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from sqlalchemy import Connection, Row, insert, select

from escalation_engine.store.chain import stream as _stream
from escalation_engine.store.engine import Reader, serialize_writes
from escalation_engine.store.tables import DeliveryRow

_TABLE = DeliveryRow.__table__  # type: ignore[attr-defined]
_HEAD = select(_TABLE.c.seq, _TABLE.c.hash).order_by(_TABLE.c.seq.desc()).limit(1)
_INSERT = insert(_TABLE)


def head(session: Connection) -> tuple[int, str | None]:
    """The last record (``0, None`` when there is none), under the trail's write lock."""
    serialize_writes(session)
    row = session.execute(_HEAD).first()
    return (row.seq, row.hash) if row is not None else (0, None)


def insert_record(session: Connection, values: dict[str, Any]) -> None:
    session.execute(_INSERT, values)


def stream(engine: Reader) -> Generator[Row[Any], None, None]:
    """Every record in order, a chunk at a time."""
    query = select(_TABLE).order_by(_TABLE.c.seq)
    return _stream(engine, lambda _: query)
