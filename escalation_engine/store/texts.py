"""The personal text entries commit to, kept beside them: written with each entry, put back into
entries as they are read, streamed in order for ``audit verify``, and removed by a redaction so
that it leaves the database's files too.

Every reader of entries sees them opened (``opened``, ``open_rows``) except the chain's own walk,
which checks the digests the entries hold.
"""

from __future__ import annotations

from collections.abc import Collection, Generator, Iterable
from itertools import islice
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Engine, Row, and_, delete, func, insert, select, text

from escalation_engine.domain import committed
from escalation_engine.domain.actions.catalogue import PERSONAL
from escalation_engine.domain.committed import Opening
from escalation_engine.store.engine import Reader, reading
from escalation_engine.store.tables import AuditRow, EntryTextRow

_TEXT = EntryTextRow.__table__  # type: ignore[attr-defined]
_AUDIT = AuditRow.__table__  # type: ignore[attr-defined]
_INSERT = insert(_TEXT)
#: Entries opened at a time while streaming (one query for their text): the first few, then
#: twice as many each time, up to ``BATCH``.
FIRST_BATCH, BATCH = 64, 512


def write(session: Connection, written: Iterable[Any]) -> None:
    """Keep the openings of ``written`` (entries carrying ``openings``) in one statement."""
    rows = [
        {"seq": entry.seq, "field": o.field, "salt": o.salt, "text": o.text}
        for entry in written
        for o in entry.openings
    ]
    if rows:
        session.execute(_INSERT, rows)


def texts_of(connection: Connection, seqs: Collection[int]) -> dict[int, dict[str, str]]:
    """The text kept for the entries numbered ``seqs``, by entry and field. Asked for by number,
    not as a range: a page of search results may hold entries a million apart."""
    found: dict[int, dict[str, str]] = {}
    query = select(_TEXT.c.seq, _TEXT.c.field, _TEXT.c.text).where(_TEXT.c.seq.in_(seqs))
    for seq, field, said in connection.execute(query):
        found.setdefault(seq, {})[field] = said
    return found


def opened(row: Any, texts: dict[int, dict[str, str]]) -> Any:
    """``row`` (an entry as stored) with its text put back: a new object, never the row read
    (an ORM entry changed in a session would be written back)."""
    values = dict(row._mapping) if isinstance(row, Row) else _columns(row)
    if values["schema_version"] >= committed.SCHEMA:
        values["note"], values["data"] = committed.opened(
            values["note"], values["data"], texts.get(values["seq"], {}), PERSONAL
        )
    return AuditRow(**values) if isinstance(row, AuditRow) else SimpleNamespace(**values)


def _columns(row: AuditRow) -> dict[str, Any]:
    return {column.name: getattr(row, column.name) for column in _AUDIT.columns}


def open_all(connection: Connection, rows: list[Any]) -> list[Any]:
    """Entries read together (one escalation's, say), opened with one more query."""
    kept_apart = [row.seq for row in rows if row.schema_version >= committed.SCHEMA]
    if not kept_apart:
        return rows
    texts = texts_of(connection, kept_apart)
    return [opened(row, texts) for row in rows]


def open_stream(engine: Reader, rows: Generator[Any, None, None]) -> Generator[Any, None, None]:
    """A stream of entries in sequence order, opened a batch at a time (closing it closes
    ``rows``)."""
    size = FIRST_BATCH  # a page of fifty need not open five hundred; a long read soon does
    try:
        while batch := list(islice(rows, size)):
            with reading(engine) as connection:
                yield from open_all(connection, batch)
            size = min(size * 2, BATCH)
    finally:
        rows.close()


def stream(engine: Reader, since: int = 0) -> Generator[Row[Any], None, None]:
    """Every text kept for entries after ``since`` (sequence number, field, salt, text) in
    order, for ``audit verify``."""
    from escalation_engine.store.chain import stream as rows_of

    query = select(_TEXT).where(_TEXT.c.seq > since).order_by(_TEXT.c.seq, _TEXT.c.field)
    return rows_of(engine, lambda _: query)


def redactions(engine: Reader, reference: str | None = None) -> list[Row[Any]]:
    """Every redaction entry (sequence number, reference, time, who, details), in order."""
    a = _AUDIT.c
    query = select(a.seq, a.reference, a.at, a.actor, a.data).where(a.action == "redact")
    if reference is not None:
        query = query.where(a.reference == reference)
    with reading(engine) as connection:
        return list(connection.execute(query.order_by(a.seq)))


def entry(connection: Connection, seq: int) -> Any | None:
    """Entry ``seq`` as stored (its digests, not its text), or ``None``."""
    return connection.execute(select(_AUDIT).where(_AUDIT.c.seq == seq)).first()


def trail_of(connection: Connection, reference: str) -> list[Any]:
    """One escalation's entries, opened, read in the caller's transaction."""
    query = select(_AUDIT).where(_AUDIT.c.reference == reference).order_by(_AUDIT.c.seq)
    return open_all(connection, list(connection.execute(query)))


def kept(connection: Connection, seq: int, field: str) -> bool:
    """Whether entry ``seq``'s ``field`` text is still kept."""
    where = and_(_TEXT.c.seq == seq, _TEXT.c.field == field)
    return connection.execute(select(_TEXT.c.seq).where(where)).first() is not None


def kept_for(engine: Reader, reference: str) -> list[tuple[int, str]]:
    """Each (entry, field) of ``reference`` whose text is still kept, in order."""
    t, a = _TEXT.c, _AUDIT.c
    query = (
        select(t.seq, t.field)
        .select_from(_TEXT.join(_AUDIT, a.seq == t.seq))
        .where(a.reference == reference)
        .order_by(t.seq, t.field)
    )
    with reading(engine) as connection:
        return [(seq, field) for seq, field in connection.execute(query)]


def first_committed(engine: Reader) -> int | None:
    """The first entry that keeps its personal text apart (``None``: none yet)."""
    query = select(func.min(_AUDIT.c.seq)).where(_AUDIT.c.schema_version >= committed.SCHEMA)
    with reading(engine) as connection:
        return connection.execute(query).scalar()


def remove(session: Connection, seq: int, field: str) -> Opening | None:
    """Remove entry ``seq``'s ``field`` text inside the caller's transaction; what was removed,
    or ``None`` where there was none (already redacted)."""
    where = and_(_TEXT.c.seq == seq, _TEXT.c.field == field)
    row = session.execute(select(_TEXT.c.salt, _TEXT.c.text).where(where)).first()
    if row is None:
        return None
    session.execute(delete(_TEXT).where(where))
    return Opening(field, row.salt, row.text)


def scrub(engine: Engine) -> None:
    """Make removed text leave the files: SQLite rewrites the write-ahead log into the database
    (whose deleted rows ``secure_delete`` zeroed) and empties it; PostgreSQL vacuums the table,
    so the dead row versions are reclaimed."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM entry_text"))
        return
    raw = (
        engine.raw_connection()
    )  # outside any transaction: a checkpoint inside one waits on itself
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()
