"""The audit trail's rows: the chain head, appending an entry, and reading entries in order.

Appends read only the head (its sequence number and hash), never a whole entry. Reading the trail
for ``verify`` streams plain rows in sequence order, a chunk at a time, so checking a million
entries takes the memory of one chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, bindparam, func, insert, select
from sqlmodel import Session, col

from escalation_engine.domain.committed import NOTE
from escalation_engine.spec.model import OUTCOMES
from escalation_engine.store import texts
from escalation_engine.store.engine import Reader, reading, serialize_writes
from escalation_engine.store.tables import AuditRow, EntryTextRow, EscalationRow, SealRow

_AUDIT = AuditRow.__table__  # type: ignore[attr-defined]
_ESCALATION = EscalationRow.__table__  # type: ignore[attr-defined]
_TEXT = EntryTextRow.__table__  # type: ignore[attr-defined]
_SEALS = SealRow.__table__  # type: ignore[attr-defined]
#: Entries fetched from the database at a time while streaming.
CHUNK = 2_000
# Built once: building and cache-keying a statement on every append costs more than running it.
_HEAD = select(_AUDIT.c.seq, _AUDIT.c.hash, _AUDIT.c.at).order_by(_AUDIT.c.seq.desc()).limit(1)
_INSERT = insert(_AUDIT)
_SEAL_COUNTER = select(_SEALS.c.counter).where(_SEALS.c.chain == bindparam("chain"))
_HEAD_AND_SEAL = _HEAD.add_columns(_SEAL_COUNTER.scalar_subquery().label("counter"))
_COLUMNS = tuple(column.name for column in _AUDIT.columns)
#: An unsigned entry leaves its signature to the column's default (and so can be written to a
#: database from before signatures, as the migration tests do).
_UNSIGNED = tuple(name for name in _COLUMNS if name != "signature")


def chain_head(session: Connection) -> tuple[int, str | None]:
    """The last entry's sequence number and hash (``0, None`` for an empty trail), read under
    the chain's write lock so that no other append can come between."""
    seq, hash, _ = chain_end(session)
    return seq, hash


def chain_end(session: Connection) -> tuple[int, str | None, datetime | None]:
    """The last entry's sequence number, hash and time (``0, None, None`` for an empty trail),
    read under the chain's write lock."""
    serialize_writes(session)
    row = session.execute(_HEAD).first()
    return (row.seq, row.hash, row.at) if row is not None else (0, None, None)


def chain_end_and_seal(
    session: Connection, chain: str
) -> tuple[int, str | None, datetime | None, int]:
    """``chain_end`` and the counter of ``chain``'s seal (0 with none), read in one statement:
    what an append that seals the trail needs before it can write."""
    serialize_writes(session)
    row = session.execute(_HEAD_AND_SEAL, {"chain": chain}).first()
    if row is None:
        return 0, None, None, int(session.execute(_SEAL_COUNTER, {"chain": chain}).scalar() or 0)
    return row.seq, row.hash, row.at, int(row.counter or 0)


def insert_entry(session: Connection, entry: Any) -> None:
    """Write ``entry`` (anything with the columns as attributes, and the ``openings`` of the
    text it commits to) inside the caller's transaction."""
    names = _COLUMNS if getattr(entry, "signature", "") else _UNSIGNED
    session.execute(_INSERT, {name: getattr(entry, name) for name in names})
    if getattr(entry, "openings", ()):
        texts.write(session, [entry])


def insert_entries(session: Connection, written: list[Any]) -> None:
    """Write many entries at once (an import's), in one statement per batch."""
    if written:
        session.execute(_INSERT, [{name: getattr(e, name) for name in _COLUMNS} for e in written])
        texts.write(session, written)


def entries(engine: Engine, reference: str | None = None) -> list[AuditRow]:
    """Entries in order, for one escalation or all."""
    with Session(engine) as session:
        return entries_in(session, reference)


def entries_in(session: Session, reference: str | None = None) -> list[AuditRow]:
    """Entries in order, for one escalation or all, read in the caller's session."""
    query = select(AuditRow).order_by(AuditRow.seq)  # type: ignore[arg-type]
    if reference is not None:
        query = query.where(col(AuditRow.reference) == reference)
    return texts.open_all(session.connection(), list(session.scalars(query)))


def actions_and_data(engine: Engine, reference: str) -> list[tuple[str, str]]:
    """Each entry's action and data (JSON) for one escalation, in order: what it says of who
    was waited on and told, read without the rest of each entry."""
    a = _AUDIT.c
    query = select(a.action, a.data).where(a.reference == reference).order_by(a.seq)
    with reading(engine) as connection:
        return [(action, data) for action, data in connection.execute(query)]


def last_entry(session: Connection, reference: str) -> Row[Any] | None:
    query = (
        select(AuditRow)
        .where(AuditRow.reference == reference)  # type: ignore[arg-type]
        .order_by(AuditRow.seq.desc())  # type: ignore[union-attr]
        .limit(1)
    )
    return session.execute(query).first()


def count_entries(engine: Reader, since: int = 0) -> int:
    with reading(engine) as connection:
        query = select(func.count()).select_from(_AUDIT).where(_AUDIT.c.seq > since)
        return int(connection.execute(query).scalar_one())


def entry_hash_at(engine: Reader, seq: int) -> str | None:
    """The hash of entry ``seq``, or ``None`` if there is no such entry."""
    with reading(engine) as connection:
        return connection.execute(select(_AUDIT.c.hash).where(_AUDIT.c.seq == seq)).scalar()


def stream(
    engine: Reader, query: Callable[[Connection], Any], chunk: int = CHUNK
) -> Generator[Row[Any], None, None]:
    """The rows of ``query`` (built for the connection's database), ``chunk`` at a time."""
    with reading(engine) as connection:
        result = connection.execution_options(stream_results=True, yield_per=chunk).execute(
            query(connection)
        )
        try:
            yield from result
        finally:
            result.close()  # a server-side cursor left open would outlive an early return


def stream_entries(engine: Reader, since: int = 0) -> Generator[Row[Any], None, None]:
    """Every entry after ``since`` in sequence order, as plain rows, a chunk at a time."""
    return stream(
        engine, lambda _: select(_AUDIT).where(_AUDIT.c.seq > since).order_by(_AUDIT.c.seq)
    )


def stream_promising(engine: Reader) -> Generator[Row[Any], None, None]:
    """The entries that record the notices they owe (data holds a "notices" list), in order."""
    query = (
        select(_AUDIT.c.seq, _AUDIT.c.reference, _AUDIT.c.action, _AUDIT.c.data)
        .where(_AUDIT.c.data.contains('"notices":['))
        .order_by(_AUDIT.c.seq)
    )
    return stream(engine, lambda _: query)


def dangling_heads(engine: Reader) -> list[str]:
    """Escalations whose recorded latest entry is not in the trail (deleted at its end)."""
    with reading(engine) as connection:
        query = (
            select(_ESCALATION.c.reference)
            .select_from(_ESCALATION.outerjoin(_AUDIT, _AUDIT.c.hash == _ESCALATION.c.audit_head))
            .where(_AUDIT.c.seq.is_(None))
            .order_by(_ESCALATION.c.id)
        )
        return list(connection.execute(query).scalars())


def recorded_heads(engine: Reader, references: set[str]) -> Iterator[tuple[str, str]]:
    """(reference, recorded latest-entry hash) for every escalation."""
    with reading(engine) as connection:
        query = select(_ESCALATION.c.reference, _ESCALATION.c.audit_head)
        for reference, audit_head in connection.execute(query):
            if reference in references:
                yield reference, audit_head


def head(engine: Reader) -> tuple[int, str | None]:
    """The last entry's sequence number and hash, read without taking the write lock."""
    with reading(engine) as connection:
        row = connection.execute(_HEAD).first()
        return (row.seq, row.hash) if row is not None else (0, None)


def _by_reference(connection: Connection, column: Any) -> Any:
    """References in the same order on every database (bytewise: PostgreSQL's default collation
    would sort by the locale, and the replay walks two streams side by side)."""
    return column.collate("C") if connection.dialect.name == "postgresql" else column


def stream_entries_by_reference(engine: Reader) -> Generator[Row[Any], None, None]:
    """Every entry grouped by escalation (references in bytewise order), in sequence order
    within each, a chunk at a time, each with the text of its note where it is kept apart
    (``note_text``: ``None`` where it is not, or was redacted)."""
    note = (_TEXT.c.seq == _AUDIT.c.seq) & (_TEXT.c.field == NOTE)
    return stream(engine, lambda connection: select(_AUDIT, _TEXT.c.text.label("note_text"))
        .select_from(_AUDIT.outerjoin(_TEXT, note))
        .order_by(_by_reference(connection, _AUDIT.c.reference), _AUDIT.c.seq)
    )  # fmt: skip


def stream_rows_by_reference(engine: Reader) -> Generator[Row[Any], None, None]:
    """Every escalation row, references in the same bytewise order, a chunk at a time."""
    return stream(engine, lambda connection: select(_ESCALATION).order_by(
        _by_reference(connection, _ESCALATION.c.reference)
    ))  # fmt: skip


def open_with_latest(engine: Engine) -> list[Row[Any]]:
    """Each open escalation's reference, its stored clocks and its latest entry's data (found by
    the hash the row records), in one read."""
    query = (
        select(
            _ESCALATION.c.reference, _ESCALATION.c.stage_due_at, _ESCALATION.c.remind_at,
            _ESCALATION.c.overall_due_at, _ESCALATION.c.overall_breached_at,
            _ESCALATION.c.next_due_at, _AUDIT.c.data,
        )
        .join(_AUDIT, _AUDIT.c.hash == _ESCALATION.c.audit_head)
        .where(_ESCALATION.c.stage.not_in(OUTCOMES))
        .order_by(_ESCALATION.c.id)
    )  # fmt: skip
    with reading(engine) as connection:
        return list(connection.execute(query))
