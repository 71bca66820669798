"""The report's running counts (``report_tally``) and marks (``report_mark``): written with each
audit entry, in its transaction; read by the report; recounted from the trail to check them or
to build them afresh (see ``reports/tallies.py`` for what an entry counts as).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Generator, Iterable, Iterator
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, case, delete, func, insert, or_, select

from escalation_engine.domain.calendar import LONDON
from escalation_engine.reports.tallies import COUNTED, Mark, mark_of, tally_of
from escalation_engine.spec.model import OUTCOMES
from escalation_engine.store import dialects
from escalation_engine.store.chain import CHUNK
from escalation_engine.store.engine import Reader, reading
from escalation_engine.store.tables import AuditRow, EscalationRow, MarkRow, TallyRow

_TALLY = TallyRow.__table__  # type: ignore[attr-defined]
_MARK = MarkRow.__table__  # type: ignore[attr-defined]
_AUDIT = AuditRow.__table__  # type: ignore[attr-defined]
_ESCALATION = EscalationRow.__table__  # type: ignore[attr-defined]
_KEYS = ("day", "workflow_digest", "alert_type", "action", "stage", "detail", "imported")
#: Read many rows at a time, through a server-side cursor where there is one (per statement: a
#: connection's own options would stream the writes after it too, which PostgreSQL refuses).
_STREAM = {"stream_results": True, "yield_per": CHUNK}
#: One count: (London day, workflow digest, alert type, action, stage, detail, imported).
Key = tuple[date, str, str, str, str, str, bool]


@lru_cache(maxsize=2)
def _upsert(dialect: str) -> Any:
    """Add to a count, or start it: one statement, so two writers cannot both start one."""
    statement = dialects.insert(dialect, _TALLY)
    return statement.on_conflict_do_update(
        index_elements=list(_KEYS), set_={"count": _TALLY.c.count + statement.excluded.count}
    )


def day_of(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def record(
    session: Connection, entry: Any, digest: str, alert_type: str, data: dict[str, Any],
    into: Counter[Key] | None = None,
) -> None:  # fmt: skip
    """Count ``entry`` (an audit entry just written, of an escalation under workflow version
    ``digest`` and of ``alert_type``; ``data`` its details) and keep its mark, if it has one.
    With ``into``, the count is added there, for ``add`` to write with others later in the
    same transaction (an import writes thousands of entries)."""
    tally = tally_of(entry.action, entry.from_stage, data)
    if tally is not None:
        key: Key = (day_of(entry.at), digest, alert_type, *tally)
        if into is not None:
            into[key] += 1
        else:
            add(session, Counter({key: 1}))
    mark = mark_of(entry.action, entry.from_stage, entry.to_stage, data)
    if mark is not None:
        session.execute(insert(_MARK), _mark_values(entry.seq, entry.reference, entry.at, mark))


def add(session: Connection, tallied: Counter[Key]) -> None:
    """Add ``tallied`` to the counts."""
    if tallied:
        rows = [{**dict(zip(_KEYS, key, strict=True)), "count": n} for key, n in tallied.items()]
        session.execute(_upsert(session.dialect.name), rows)


def _mark_values(seq: int, reference: str, at: datetime, mark: Mark) -> dict[str, Any]:
    return {"seq": seq, "reference": reference, "at": at, "action": mark.action,
            "detail": mark.detail, "reason": mark.reason}  # fmt: skip


def counts(engine: Engine, since: date, start: date, end: date) -> list[tuple[Any, ...]]:
    """What happened from ``since`` up to ``end`` (London days), counted: (digest, alert type,
    action, stage, detail, imported, whether from ``start`` on, how many)."""
    t = _TALLY.c
    this = case((t.day >= start, 1), else_=0)
    keys = [t.workflow_digest, t.alert_type, t.action, t.stage, t.detail, t.imported, this]
    query = select(*keys, func.sum(t.count)).where(t.day >= since, t.day < end).group_by(*keys)
    with reading(engine) as connection:
        return [tuple(row) for row in connection.execute(query)]


def marks(
    engine: Engine, since: datetime, start: datetime, end: datetime
) -> Iterator[tuple[Any, ...]]:
    """The marks from ``since`` up to ``end``, in order: (reference, action, rating, reason,
    whether from ``start`` on)."""
    m = _MARK.c
    query = (
        select(m.reference, m.action, m.detail, m.reason, m.at >= start)
        .where(m.at >= since, m.at < end)
        .order_by(m.seq)
    )
    with reading(engine) as connection:
        result = connection.execute(query)
        while chunk := result.cursor.fetchmany(CHUNK):
            yield from chunk


def _recounted(connection: Connection) -> Generator[tuple[Key | None, dict[str, Any] | None]]:
    """For every entry the trail has that counts or leaves a mark, in order: its count's key and
    its mark, worked out afresh."""
    a, e = _AUDIT.c, _ESCALATION.c
    query = (
        select(
            a.seq,
            a.reference,
            a.at,
            a.action,
            a.from_stage,
            a.to_stage,
            a.data,
            e.workflow_digest,
            e.alert_type,
        )
        .select_from(_AUDIT.join(_ESCALATION, e.reference == a.reference))
        .where(or_(a.action.in_(COUNTED), a.action == "reopen", a.to_stage.in_(OUTCOMES)))
        .order_by(a.seq)
    )
    with connection.execute(query, execution_options=_STREAM) as result:
        yield from _keyed(result)


def _keyed(rows: Iterable[Any]) -> Iterator[tuple[Key | None, dict[str, Any] | None]]:
    for seq, reference, at, action, source, to, text, digest, alert in rows:
        data = json.loads(text)
        tally = tally_of(action, source, data)
        mark = mark_of(action, source, to, data)
        yield (
            None if tally is None else (day_of(at), digest, alert, *tally),
            None if mark is None else _mark_values(seq, reference, at, mark),
        )


def rebuild(connection: Connection) -> int:
    """Replace the counts and marks with those the trail gives; returns how many counts."""
    tallied: Counter[Key] = Counter()
    marked: list[dict[str, Any]] = []
    connection.execute(delete(_TALLY))
    connection.execute(delete(_MARK))
    for key, mark in _recounted(connection):
        if key is not None:
            tallied[key] += 1
        if mark is not None:
            marked.append(mark)
        if len(marked) >= CHUNK:
            connection.execute(insert(_MARK), marked)
            marked = []
    if marked:
        connection.execute(insert(_MARK), marked)
    if tallied:
        rows = [{**dict(zip(_KEYS, key, strict=True)), "count": n} for key, n in tallied.items()]
        connection.execute(insert(_TALLY), rows)
    return len(tallied)


def disagreement(engine: Reader) -> str | None:
    """Where the kept counts or marks differ from what the trail gives, or ``None``. Reads the
    trail and the marks as streams, side by side: memory stays flat."""
    t, m = _TALLY.c, _MARK.c
    tallied: Counter[Key] = Counter()
    kept: Counter[Key] = Counter()
    with reading(engine) as connection:
        # One snapshot for every read (SQLite's reading transaction gives one already, and so
        # does a caller's snapshot): a writer between them would otherwise look like a
        # disagreement.
        if connection.dialect.name == "postgresql" and not connection.in_transaction():
            connection.execution_options(isolation_level="REPEATABLE READ")
        recounted = _recounted(connection)
        kept_marks = connection.execute(
            select(m.seq, m.reference, m.at, m.action, m.detail, m.reason).order_by(m.seq),
            execution_options=_STREAM,
        )
        try:
            problem = _marks_differ(recounted, (dict(row._mapping) for row in kept_marks), tallied)
        finally:  # a server-side cursor left open would outlive the transaction
            recounted.close()
            kept_marks.close()
        if problem is not None:
            return problem
        for row in connection.execute(select(*(t[k] for k in _KEYS), t.count)):
            kept[tuple(row[:-1])] += row[-1]
    for key in sorted(set(tallied) | set(kept), key=str):
        if tallied[key] != kept[key]:
            day, _, alert, action, stage, detail, _ = key
            return (
                f"the report's count of {action} entries ({alert}, stage {stage or '-'},"
                f" {detail or 'no detail'}) on {day} is {kept[key]}, but the trail has"
                f" {tallied[key]}"
            )
    return None


def _marks_differ(
    recounted: Iterable[tuple[Key | None, dict[str, Any] | None]],
    kept: Iterator[dict[str, Any]],
    tallied: Counter[Key],
) -> str | None:
    """The first mark kept that differs from the trail's (counting the trail into ``tallied``
    on the way), or ``None``."""
    for key, mark in recounted:
        if key is not None:
            tallied[key] += 1
        if mark is not None and next(kept, None) != mark:
            return f"the report's marks differ from the trail at entry {mark['seq']}"
    extra = next(kept, None)
    if extra is not None:
        return f"the report's marks name entry {extra['seq']}, which leaves no mark"
    return None
