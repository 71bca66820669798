"""What the annual report reads: escalations' facts, and the entries that count, lean.

A report folds up to a million entries, so each row is as small as the figures need: moments as
whole seconds since 1970 (computed by the database, not parsed in Python), and from each entry's
details only the one or two facts its kind carries for the report (a rating, whether a response
came in time, why it closed), extracted by the database's own JSON functions. Reminders and
other entries no figure counts are left in the database.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Connection, Engine, case, cast, func, or_, select
from sqlalchemy.dialects.postgresql import JSONB

from ..spec.model import OUTCOMES
from .chain import CHUNK
from .tables import AuditRow, EscalationRow, WorkflowVersionRow

_AUDIT = AuditRow.__table__  # type: ignore[attr-defined]
_ESCALATION = EscalationRow.__table__  # type: ignore[attr-defined]
_VERSION = WorkflowVersionRow.__table__  # type: ignore[attr-defined]
#: Entries no figure counts: reminders, re-routing, extensions, reallocation.
_UNCOUNTED = ("reminder", "reroute", "extend", "reallocate")


def _seconds(connection: Connection, column: Any) -> Any:
    """``column`` (a moment) as whole seconds since 1970 UTC, worked out by the database."""
    if connection.dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", column)), BigInteger)
    return cast(func.strftime("%s", column), BigInteger)


def _detail(connection: Connection, column: Any, key: str) -> Any:
    """The text of ``key`` in an entry's JSON details (booleans as 'true'/'1')."""
    if connection.dialect.name == "postgresql":
        return cast(column, JSONB)[key].astext
    return func.json_extract(column, f"$.{key}")


def seconds(moment: datetime) -> int:
    """A moment as the whole seconds since 1970 the report's rows use."""
    return int(moment.timestamp() // 1)


def _counts(since: datetime, end: datetime) -> Any:
    """Escalations a report from ``since`` to ``end`` can count: raised before the end, and
    raised since the start or not closed before it. One closed before the start stays so (a
    reopening clears its closing), so nothing of it falls in the report, and its entries are
    not read: a report over years of history reads only the years it covers."""
    e = _ESCALATION.c
    return (e.raised_at < end) & or_(
        e.raised_at >= since, e.closed_at.is_(None), e.closed_at >= since
    )


def escalations(
    engine: Engine, since: datetime, end: datetime
) -> Generator[tuple[Any, ...], None, None]:
    """The escalations a report from ``since`` to ``end`` counts: (reference, workflow, digest,
    version number, alert type, category, team, raiser, raised in seconds)."""
    e = _ESCALATION.c

    def query(connection: Connection) -> Any:
        return (
            select(
                e.reference,
                e.workflow,
                e.workflow_digest,
                _VERSION.c.version,
                e.alert_type,
                e.category,
                e.team,
                e.raised_by,
                _seconds(connection, e.raised_at).label("raised"),
            )  # fmt: skip
            .select_from(_ESCALATION.join(_VERSION, _VERSION.c.digest == e.workflow_digest))
            .where(_counts(since, end))
            .order_by(e.id)
        )

    return _tuples(engine, query)


def entries(
    engine: Engine, since: datetime, end: datetime
) -> Generator[tuple[Any, ...], None, None]:
    """The entries before ``end`` of those escalations that a figure counts, in order: (reference, seq, at in
    seconds, action, from, to, detail, reason, imported). ``detail`` is the rating given (raise,
    rate), whether a response came in time (respond) or the day a meeting was held (meeting);
    ``reason`` is why an entry that closed the escalation closed it so; ``imported`` names the
    file an imported escalation came from."""
    a = _AUDIT.c

    def query(connection: Connection) -> Any:
        def detail(key: str) -> Any:
            return _detail(connection, a.data, key)

        closing = a.to_stage.in_(OUTCOMES) & (a.from_stage != a.to_stage)
        return (
            select(
                a.reference,
                a.seq,
                _seconds(connection, a.at).label("at"),
                a.action,
                a.from_stage,
                a.to_stage,
                case(
                    (a.action.in_(("raise", "rate")), detail("rating")),
                    (a.action == "respond", detail("in_time")),
                    (a.action == "meeting", detail("held_on")),
                    else_=None,
                ).label("detail"),
                case((closing, detail("reason")), else_=None).label("reason"),
                case((a.action == "raise", detail("imported")), else_=None).label("imported"),
            )  # fmt: skip
            .select_from(_AUDIT.join(_ESCALATION, _ESCALATION.c.reference == a.reference))
            .where(a.at < end)
            .where(a.action.not_in(_UNCOUNTED))
            .where(_counts(since, end))
            .order_by(a.seq)
        )

    return _tuples(engine, query)


def _tuples(engine: Engine, query: Any) -> Generator[tuple[Any, ...], None, None]:
    """The rows of ``query`` a chunk at a time, fetched many at once (a row at a time through
    SQLAlchemy costs more, over a million rows, than the whole report does besides)."""
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=CHUNK).execute(
            query(connection)
        )
        try:
            for chunk in result.partitions():
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
