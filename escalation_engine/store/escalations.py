"""Escalation rows: reading them into domain escalations and writing back only what changed.

Every query about escalations lives here, so that the service holds rules and no SQL, and so that
filtering (``list``, reports) is a query rather than a loop over every row in Python.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, Row, Select, bindparam, func, insert, select, update
from sqlmodel import Session, col

from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.filters import Filter
from escalation_engine.errors import ConcurrentUpdate, EscalationNotFound, not_found_or_not_yours
from escalation_engine.spec.model import OUTCOMES
from escalation_engine.store.chain import entries_in
from escalation_engine.store.choosing import built, conditions, pattern, values_of
from escalation_engine.store.engine import serialize_writes
from escalation_engine.store.tables import AuditRow, EscalationRow, ReferenceCounterRow

_TABLE = EscalationRow.__table__  # type: ignore[attr-defined]
_COUNTER = ReferenceCounterRow.__table__  # type: ignore[attr-defined]
# Built once: building and cache-keying a statement on every command costs more than running it.
_LOAD = select(_TABLE).where(_TABLE.c.reference == bindparam("ref"))
_LOAD_LOCKED = _LOAD.with_for_update()
_INSERT = insert(_TABLE)
_UPDATE = (
    update(_TABLE)
    .where(_TABLE.c.reference == bindparam("ref"))
    .where(_TABLE.c.version == bindparam("old_version"))
)
_NEXT = (
    update(_COUNTER)
    .where(_COUNTER.c.year == bindparam("y"))
    .values(last=_COUNTER.c.last + 1)
    .returning(_COUNTER.c.last)
)


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


_PLAIN = (
    "reference", "workflow", "workflow_digest", "alert_type", "category", "summary", "team",
    "looked_after", "raised_by", "raised_at", "stage", "status", "rag", "stage_entered_at",
    "stage_due_at", "remind_at", "overall_started_at", "overall_due_at", "overall_breached_at",
    "stage_breached_at", "last_stage", "outcome", "closed_at", "cafcass_referred_at", "version",
    "handled_by",
)  # fmt: skip


def row_values(escalation: Escalation) -> dict[str, Any]:
    """The column values that store a domain escalation."""
    values: dict[str, Any] = {name: getattr(escalation, name) for name in _PLAIN}
    values |= {
        "case_refs": _json(list(escalation.case_refs)),
        "with_roles": _json(list(escalation.with_roles)),
        "with_people": _json(list(escalation.with_people)),
        "satisfied": _json(list(escalation.satisfied)),
        "stages_reached": _json(list(escalation.stages_reached)),
        "dates": _json({k: v.isoformat() for k, v in escalation.dates.items()}),
        "next_due_at": escalation.next_due_at,
    }
    return values


def from_row(row: Any) -> Escalation:
    """The domain escalation stored in ``row`` (an ``EscalationRow`` or a row of its table)."""
    return Escalation(
        reference=row.reference,
        workflow=row.workflow,
        workflow_digest=row.workflow_digest,
        alert_type=row.alert_type,
        category=row.category,
        case_refs=tuple(json.loads(row.case_refs)),
        summary=row.summary,
        team=row.team,
        looked_after=row.looked_after,
        raised_by=row.raised_by,
        raised_at=row.raised_at,
        stage=row.stage,
        status=row.status,
        rag=row.rag,
        with_roles=tuple(json.loads(row.with_roles)),
        with_people=tuple(json.loads(row.with_people)),
        stage_entered_at=row.stage_entered_at,
        stage_due_at=row.stage_due_at,
        remind_at=row.remind_at,
        overall_started_at=row.overall_started_at,
        overall_due_at=row.overall_due_at,
        overall_breached_at=row.overall_breached_at,
        stage_breached_at=row.stage_breached_at,
        last_stage=row.last_stage,
        outcome=row.outcome,
        closed_at=row.closed_at,
        cafcass_referred_at=row.cafcass_referred_at,
        satisfied=tuple(json.loads(row.satisfied)),
        stages_reached=tuple(json.loads(row.stages_reached)),
        dates={k: date.fromisoformat(v) for k, v in json.loads(row.dates).items()},
        version=row.version,
        handled_by=row.handled_by,
    )


@dataclass(slots=True)
class Loaded:
    """An escalation read for a change, with its columns as read, so that saving it writes only
    the columns that changed and only if nobody changed the row meanwhile."""

    escalation: Escalation
    stored: dict[str, Any]


def _loaded(row: Row[Any]) -> Loaded:
    return Loaded(from_row(row), dict(row._mapping))


def _missing(reference: str) -> EscalationNotFound:
    return not_found_or_not_yours(reference)


def load(session: Connection, reference: str, *, lock: bool = False) -> Loaded:
    """The escalation ``reference``; with ``lock``, held against other writers until commit
    (``FOR UPDATE`` on PostgreSQL; SQLite's write transaction already excludes them)."""
    row = session.execute(_LOAD_LOCKED if lock else _LOAD, {"ref": reference.upper()}).first()
    if row is None:
        raise _missing(reference)
    return _loaded(row)


def get(engine: Engine, reference: str) -> Escalation:
    with engine.connect() as session:
        return load(session, reference).escalation


def escalation_and_trail(engine: Engine, reference: str) -> tuple[Loaded, list[AuditRow]]:
    """An escalation and its entries in order, read together (one snapshot: the row and its
    trail agree), for a page that shows both."""
    with Session(engine) as session:
        loaded = load(session.connection(), reference)
        return loaded, entries_in(session, loaded.escalation.reference)


def claim_due(session: Connection, now: datetime, limit: int, skip: Iterable[str]) -> list[Loaded]:
    """Up to ``limit`` escalations with something due at ``now``, oldest deadline first, held
    for this transaction; rows another sweeper holds are skipped, not waited for."""
    query = (
        select(_TABLE)
        .where(_TABLE.c.next_due_at <= now)
        .order_by(_TABLE.c.next_due_at, _TABLE.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    skipped = list(skip)
    if skipped:
        query = query.where(_TABLE.c.reference.not_in(skipped))
    return [_loaded(row) for row in session.execute(query)]


def claim_open(
    session: Connection, only: Collection[str] | None = None, *, lock: bool = True
) -> list[Loaded]:
    """Every open escalation (or those of ``only``), held for this transaction (to re-route them
    when someone is marked away or back), in the order they were raised; with ``lock`` false,
    read without holding them (a first look at what would change)."""
    query = select(_TABLE).where(_TABLE.c.stage.not_in(OUTCOMES)).order_by(_TABLE.c.id)
    if only is not None:
        query = query.where(_TABLE.c.reference.in_(sorted(only)))
    if lock:
        query = query.with_for_update()
    return [_loaded(row) for row in session.execute(query)]


def insert_new(session: Connection, escalation: Escalation, audit_head: str) -> None:
    session.execute(_INSERT, row_values(escalation) | {"audit_head": audit_head})


def insert_many(session: Connection, written: list[tuple[Escalation, str]]) -> None:
    """Write many new escalations at once (an import's), each with its latest entry's hash."""
    if written:
        session.execute(_INSERT, [row_values(e) | {"audit_head": head} for e, head in written])


def save(session: Connection, loaded: Loaded, audit_head: str) -> None:
    """Write the columns of ``loaded`` that changed, and its new version, in one UPDATE that
    matches only the version that was read."""
    escalation = loaded.escalation
    old_version = escalation.version
    escalation.version += 1
    values = {
        name: value
        for name, value in row_values(escalation).items()
        if loaded.stored.get(name) != value
    }
    values["audit_head"] = audit_head
    result = session.execute(
        _UPDATE, values | {"ref": escalation.reference, "old_version": old_version}
    )
    if result.rowcount != 1:
        raise ConcurrentUpdate(
            f"{escalation.reference} changed while your action was being recorded; nothing was"
            " written. Look at it again with 'escalate show' and retry if still needed."
        )
    loaded.stored.update(values)


def next_reference(session: Connection, year: int) -> str:
    """The next ``ESC-<year>-NNNN`` reference, allocated inside the caller's transaction."""
    serialize_writes(session)
    last = session.execute(_NEXT, {"y": year}).scalar()
    if last is None:
        last = 1
        session.execute(insert(_COUNTER), {"year": year, "last": last})
    return f"ESC-{year}-{last:04d}"


def everything(engine: Engine, query: Select[Any] | None = None) -> list[Escalation]:
    """Escalations in the order they were raised (those ``query`` picks, if given)."""
    with engine.connect() as session:
        chosen = query if query is not None else select(_TABLE)
        return [from_row(row) for row in session.execute(chosen.order_by(_TABLE.c.id))]


def open_of(engine: Engine, references: list[str]) -> list[Escalation]:
    """Those of ``references`` still open, in the order given (read a batch at a time)."""
    found: dict[str, Escalation] = {}
    for first in range(0, len(references), 500):
        query = select(_TABLE).where(
            _TABLE.c.reference.in_(references[first : first + 500]),
            _TABLE.c.closed_at.is_(None),
            _TABLE.c.stage.not_in(OUTCOMES),
        )
        found.update((e.reference, e) for e in everything(engine, query))
    return [found[reference] for reference in references if reference in found]


def next_due(engine: Engine) -> datetime | None:
    """The earliest moment anything is due for an open escalation."""
    with engine.connect() as session:
        return session.execute(select(func.min(_TABLE.c.next_due_at))).scalar()


def overdue(engine: Engine, now: datetime) -> int:
    """How many escalations have something due at ``now`` that has not been applied."""
    with engine.connect() as session:
        query = select(func.count()).select_from(_TABLE).where(col(_TABLE.c.next_due_at) <= now)
        return int(session.execute(query).scalar_one())


def contains(column: Any, item: str) -> Any:
    """``column`` (a JSON list of names) holds ``item``: narrowed in SQL, confirmed in Python."""
    return column.like(pattern(item), escape="\\")


def matching(engine: Engine, chosen: Filter) -> list[Escalation]:
    """The escalations ``chosen`` keeps, in the order they were raised, found by one query."""
    return [e for e in everything(engine, _chosen(select(_TABLE), chosen)) if chosen.keeps(e)]


def first_matching(
    engine: Engine, chosen: Filter, limit: int, judge_first: bool = False, offset: int = 0
) -> tuple[list[Escalation], int]:
    """``limit`` escalations ``chosen`` keeps in an inbox's order (a response to judge first,
    with ``judge_first``; then the soonest deadline, those with none last), after the first
    ``offset``, and how many it keeps in all: a person's inbox reads only what it shows."""
    values = values_of(chosen)
    first, count = _first_queries(chosen.include_closed, tuple(values), judge_first)
    with engine.connect() as session:
        rows = session.execute(first, values | {"limit": limit, "offset": offset}).all()
        if offset == 0 and len(rows) < limit:  # all of them are here: nothing more to count
            total = len(rows)
        else:
            total = int(session.execute(count, values).scalar_one())
    found = [from_row(row) for row in rows]
    return [e for e in found if chosen.keeps(e)], total


@lru_cache(maxsize=512)
def _first_queries(
    include_closed: bool, names: tuple[str, ...], judge_first: bool
) -> tuple[Select[Any], Select[Any]]:
    """The page and the count of an inbox's list for choices like these, built once."""
    where = built(include_closed, names)
    t = _TABLE.c
    order = [t.status != "responded"] if judge_first else []
    order += [t.stage_due_at.is_(None), t.stage_due_at, t.id]
    first = select(_TABLE).where(*where).order_by(*order)
    first = first.limit(bindparam("limit")).offset(bindparam("offset"))
    return first, select(func.count()).select_from(_TABLE).where(*where)


def _chosen(query: Any, chosen: Filter) -> Any:
    """``query`` narrowed to what ``chosen`` keeps (names in JSON lists by a text match, which
    the caller confirms with ``chosen.keeps``)."""
    where, values = conditions(chosen)
    return query.where(*where).params(values)


def case_references(engine: Engine) -> set[str]:
    """Every child's case reference any escalation is about."""
    with engine.connect() as connection:
        rows = connection.execute(select(_TABLE.c.case_refs).distinct())
        return {ref for (refs,) in rows for ref in json.loads(refs)}


def last_raised_by(engine: Engine, username: str) -> int:
    """The row number of the latest escalation ``username`` raised (0: none); escalations are
    never deleted and their case references never change, so this says whether their caseload
    has (an index look-up)."""
    with engine.connect() as connection:
        query = select(func.max(_TABLE.c.id)).where(_TABLE.c.raised_by == username)
        return int(connection.execute(query).scalar() or 0)


def case_references_raised_by(engine: Engine, username: str) -> set[str]:
    """The case references of every escalation ``username`` raised (their caseload)."""
    with engine.connect() as connection:
        query = select(_TABLE.c.case_refs).where(_TABLE.c.raised_by == username).distinct()
        return {ref for (refs,) in connection.execute(query) for ref in json.loads(refs)}
