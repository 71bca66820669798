"""What the annual report reads: escalations' rows, and their entries listed.

What happened in a period (responses, timeouts, ratings, referrals, meetings) is counted as it
is written (``store/tallies.py``); how each escalation stood at the period's end comes from its
row wherever the row still says so (closed before the end and never reopened), so only the
entries of escalations still moving at the end are read (``moves``). Listing the entries behind a
figure (``--explain``) reads them all (``entries``), each with its number.

Rows are lean: moments as whole seconds since 1970 worked out by the database, and from an
entry's details only the fact its kind carries for the report, extracted by the database's JSON
functions."""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from escalation_engine.domain.actions.changing import Rated
from escalation_engine.domain.actions.meetings import MeetingHeld
from escalation_engine.domain.actions.responding import Responded
from escalation_engine.domain.calendar import LONDON
from escalation_engine.domain.events import PersonEvent, Written, stored_key
from escalation_engine.spec.model import OUTCOMES
from escalation_engine.store.chain import CHUNK
from escalation_engine.store.engine import london_day
from escalation_engine.store.tables import AuditRow, EscalationRow, MarkRow

_AUDIT = AuditRow.__table__  # type: ignore[attr-defined]
_ESCALATION = EscalationRow.__table__  # type: ignore[attr-defined]
_MARK = MarkRow.__table__  # type: ignore[attr-defined]
#: Entries no figure counts: reminders, re-routing, extensions, reallocation.
_UNCOUNTED = ("reminder", "reroute", "reconcile", "reallocate", "redact", "correct")


def _seconds(connection: Connection, column: Any) -> Any:
    """``column`` (a moment) as whole seconds since 1970 UTC, worked out by the database."""
    if connection.dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", column)), BigInteger)
    return cast(func.strftime("%s", column), BigInteger)


def _detail(connection: Connection, column: Any, *path: str) -> Any:
    """The text at ``path`` in an entry's JSON details (booleans as 'true'/'1')."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import JSONB  # loaded only where it is used

        found = cast(column, JSONB)
        return (found[path[0]] if len(path) == 1 else found[path]).astext
    return func.json_extract(column, "$." + ".".join(path))


def _counts(connection: Connection, since: datetime, end: datetime) -> Any:
    """Escalations a report from ``since`` to ``end`` can count: raised before the end, and
    raised since the start or not closed before it. One closed before the start stays so (a
    reopening clears its closing), so nothing of it falls in the report, and its entries are
    not read: a report over years of history reads only the years it covers.

    Each way in is one an index finds (raised in the years, open, closed since the start), so
    the database reads those rows only; SQLite, which keeps no statistics, would otherwise read
    every escalation raised before the end by its raising, and is told not to (a unary plus)."""
    e = _ESCALATION.c
    raised = e.raised_at
    return (_unindexed(connection, raised) < end) & or_(
        (raised >= since) & (raised < end), e.closed_at.is_(None), e.closed_at >= since
    )


def _unindexed(connection: Connection, column: Any) -> Any:
    """``column``, which SQLite is not to read by its index (or in its order): a unary plus,
    SQLite's own way of saying so. Other databases choose by their statistics."""
    if connection.dialect.name == "sqlite":
        return UnaryExpression(column, operator=custom_op("+"), type_=column.type)
    return column


def _day(connection: Connection, column: Any) -> Any:
    """The London day of ``column`` (a moment): PostgreSQL knows time zones; SQLite is given a
    function that does (``store.engine.london_day``)."""
    if connection.dialect.name == "postgresql":
        return func.date(func.timezone(str(LONDON), column))
    return func.london_day(column)


def escalations(
    engine: Engine, since: datetime, end: datetime, alike: bool = False
) -> Generator[tuple[Any, ...], None, None]:
    """The escalations a report from ``since`` to ``end`` counts: (reference, workflow, digest,
    alert type, category, team, raiser, raised, closed (seconds), outcome, the stage it closed
    from, the stages it reached (JSON), how many escalations the row stands for), in the order
    they were raised.

    With ``alike``, escalations whose rows say all the report asks of them (closed before the
    end, nothing marked in the years compared) and that are alike in it come as one row, with the
    first reference and moments: every figure of theirs goes by London days (the periods, the
    months, working days), so escalations raised on one day and closed on another, with the same
    category, team, raiser, ladder and outcome, count alike."""
    e, m = _ESCALATION.c, _MARK.c
    settled = e.closed_at.is_not(None) & (e.closed_at < end) & e.outcome.is_not(None)
    marked = e.reference.in_(select(m.reference).where(m.at >= since, m.at < end))
    alike_in = (e.workflow, e.workflow_digest, e.alert_type, e.category, e.team, e.raised_by)
    after = (e.outcome, e.last_stage, e.stages_reached)

    def query(connection: Connection) -> Any:
        raised, closed = _seconds(connection, e.raised_at), _seconds(connection, e.closed_at)
        each = select(
            e.reference, *alike_in, raised, closed, *after, literal(1), e.id.label("first_id")
        )
        each = each.where(_counts(connection, since, end))
        if not alike:
            return each.order_by(_unindexed(connection, e.id))
        grouped = (
            select(func.min(e.reference), *alike_in, func.min(raised), func.min(closed), *after,
                   func.count(), func.min(e.id))
            .where(_counts(connection, since, end), settled, ~marked)
            .group_by(*alike_in, _day(connection, e.raised_at), _day(connection, e.closed_at),
                      *after)
        )  # fmt: skip
        return _in_order(union_all(each.where(~settled | marked), grouped))

    return _tuples(engine, query)


def _in_order(found: Any) -> Any:
    """``found`` in the order the escalations were raised, put in order once found: ordered as
    it is read, SQLite would read every escalation in order of its row, where the indexes find
    the few a report needs."""
    chosen = found.subquery()
    return select(chosen).order_by(chosen.c.first_id)


def children(
    engine: Engine, since: datetime, end: datetime
) -> Generator[tuple[Any, ...], None, None]:
    """Each escalation raised from ``since`` up to ``end``: (reference, workflow digest, alert
    type, raised in seconds, case references as JSON), one by one, whatever the rows alike in
    every other figure that ``escalations`` groups (they may be about different children)."""
    e = _ESCALATION.c

    def query(connection: Connection) -> Any:
        raised = _seconds(connection, e.raised_at)
        return (
            select(e.reference, e.workflow_digest, e.alert_type, raised, e.case_refs)
            .where(e.raised_at >= since, e.raised_at < end)
            .order_by(e.id)
        )

    return _tuples(engine, query)


def _entry_columns(connection: Connection) -> list[Any]:
    """(reference, seq, at in seconds, action, from, to, detail, reason, imported): ``detail``
    is the rating given (raise, rate), whether a response came in time (respond) or the day a
    meeting was held (meeting); ``reason`` why an entry that closed the escalation closed it so;
    ``imported`` names the file an imported escalation came from."""
    a = _AUDIT.c

    def detail(key: str) -> Any:
        return _detail(connection, a.data, key)

    closing = a.to_stage.in_(OUTCOMES) & (a.from_stage != a.to_stage)
    return [
        a.reference, a.seq, _seconds(connection, a.at), a.action, a.from_stage, a.to_stage,
        case(
            (a.action.in_(("raise", "rate")), detail(stored_key(Rated, "rating"))),
            (a.action == "respond", detail(stored_key(Responded, "in_time"))),
            (a.action == "meeting", detail(stored_key(MeetingHeld, "held_on"))),
            else_=None,
        ),
        case((closing, detail(stored_key(PersonEvent, "reason"))), else_=None),
        case((a.action == "raise", detail(stored_key(Written, "imported"))), else_=None),
    ]  # fmt: skip


def entries(
    engine: Engine, since: datetime, end: datetime, references: Iterable[str] | None = None
) -> Generator[tuple[Any, ...], None, None]:
    """Every entry before ``end`` a figure counts, of the escalations a report from ``since``
    counts (or of ``references``), in order."""
    a = _AUDIT.c
    chosen = sorted(references) if references is not None else None

    def query(connection: Connection) -> Any:
        found = (
            select(*_entry_columns(connection))
            .select_from(_AUDIT.join(_ESCALATION, _ESCALATION.c.reference == a.reference))
            .where(a.at < end, a.action.not_in(_UNCOUNTED), _counts(connection, since, end))
            .order_by(a.seq)
        )
        return found if chosen is None else found.where(a.reference.in_(chosen))

    return _tuples(engine, query, stream=True)


def moves(engine: Engine, end: datetime, references: Iterable[str]) -> Iterator[tuple[Any, ...]]:
    """The entries before ``end`` that raised, moved, closed or reopened ``references`` (the
    escalations whose rows do not say how they stood at ``end``), read by reference, a batch at
    a time, so that only their entries are read."""
    a = _AUDIT.c
    chosen = sorted(references)
    for first in range(0, len(chosen), 500):
        batch = chosen[first : first + 500]

        def query(connection: Connection, batch: list[str] = batch) -> Any:
            return (
                select(*_entry_columns(connection))
                .where(a.reference.in_(batch), a.at < end)
                .where(
                    or_(a.from_stage.is_(None), a.from_stage != a.to_stage, a.action == "reopen")
                )
                .order_by(a.seq)
            )

        yield from _tuples(engine, query)


@contextmanager
def _london_days(connection: Connection) -> Iterator[None]:
    """SQLite knows no time zones: for this read its connection is given ``london_day``, and it
    is taken away after, so that no other connection holds a Python function (one that does
    is not closed when the program ends, and leaves its write-ahead log behind)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    driver.create_function("london_day", 1, london_day, deterministic=True)  # type: ignore[union-attr]
    try:
        yield
    finally:
        driver.create_function("london_day", 1, None)  # type: ignore[union-attr]


def _tuples(
    engine: Engine, query: Any, stream: bool = False
) -> Generator[tuple[Any, ...], None, None]:
    """The rows of ``query`` as the driver's own tuples, many at a time: SQLAlchemy's row
    objects cost more, over a million rows, than the report does besides. With ``stream``, a
    server-side cursor (PostgreSQL) keeps memory flat, through SQLAlchemy's rows; without it, the
    driver's cursor is read directly (a cursor SQLAlchemy has not read from: without
    ``stream_results`` it buffers nothing)."""
    with engine.connect() as connection, _london_days(connection):
        if connection.dialect.name == "postgresql":
            # For this transaction only: memory to sort tens of thousands of rows without
            # spilling to disk; and no compiling of the query, which these reads never repay
            # (its estimate of a filtered union set it compiling for half a second).
            connection.exec_driver_sql("SET LOCAL work_mem = '64MB'")
            connection.exec_driver_sql("SET LOCAL jit = off")
        if stream:
            result = connection.execution_options(stream_results=True, yield_per=CHUNK).execute(
                query(connection)
            )
            try:
                for chunk in result.partitions():
                    yield from chunk
            finally:
                result.close()
            return
        result = connection.execute(query(connection))
        try:
            while chunk := result.cursor.fetchmany(CHUNK):
                yield from chunk
        finally:
            result.close()


def raisers(engine: Engine, references: set[str]) -> dict[str, str]:
    """Who raised each of ``references`` (read in batches: a figure may name thousands)."""
    e = _ESCALATION.c
    found: dict[str, str] = {}
    chosen = sorted(references)
    with engine.connect() as connection:
        for start in range(0, len(chosen), 500):
            batch = chosen[start : start + 500]
            query = select(e.reference, e.raised_by).where(e.reference.in_(batch))
            found.update({row.reference: row.raised_by for row in connection.execute(query)})
    return found
