"""What a ``Filter`` keeps, as SQL: the conditions for each combination of its choices built once.

Building a statement and working out its cache key cost SQLAlchemy more than SQLite takes to run
it: 0.3 ms against 8 µs for an inbox list that is empty, and the inbox asks for three lists on
every page. So the conditions for each combination of choices (which of them are made, not what
they are) are built once, with a bound parameter where each value goes, and the values are given
when the statement runs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sqlalchemy import String, bindparam, exists, func, literal

from escalation_engine.domain.filters import Filter
from escalation_engine.spec.model import OUTCOMES
from escalation_engine.store.tables import AuditRow, EscalationRow
from escalation_engine.store.watches import watching_now

_TABLE = EscalationRow.__table__  # type: ignore[attr-defined]
_AUDIT = AuditRow.__table__.c  # type: ignore[attr-defined]
_EQUAL = ("raised_by", "team", "category", "workflow")
_PATTERNS = ("waiting_for", "not_waiting_for", "child")  # names in JSON lists: a text match


def pattern(item: str) -> str:
    """The LIKE pattern (escaped with a backslash) that finds ``item`` in a JSON list of names,
    narrowed in SQL and confirmed in Python."""
    return f'%"{_escaped(item)}"%'


def _escaped(text: str) -> str:
    """``text`` with LIKE's wildcards (and its escape) escaped by a backslash."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(chosen: Filter) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The conditions of what ``chosen`` keeps (built once for choices like these) and the
    values of their parameters."""
    values = values_of(chosen)
    return built(chosen.include_closed, tuple(values)), values


def values_of(chosen: Filter) -> dict[str, Any]:
    """The values of the choices ``chosen`` makes, by the name of their parameter; the names, in
    order, and whether closed escalations are kept say which conditions apply."""
    values: dict[str, Any] = {}
    for name in (*_EQUAL, "not_raised_by", "watched_by", "responded_by", "overdue_at",
                 "touched_since"):  # fmt: skip
        value = getattr(chosen, name)
        if value is not None:
            values[name] = value
    for name in _PATTERNS:
        value = getattr(chosen, name)
        if value is not None:
            values[name] = pattern(value)
    if chosen.stages:
        values["stages"] = sorted(chosen.stages)
    if chosen.search is not None:
        values["search"] = "%" + _escaped(chosen.search.strip().upper()) + "%"
    return values


@lru_cache(maxsize=512)
def built(include_closed: bool, names: tuple[str, ...]) -> tuple[Any, ...]:
    """The conditions for the choices ``names``, each value a parameter of that name."""
    t = _TABLE.c
    found: list[Any] = []
    if not include_closed:  # closed_at is indexed; the stage is what decides
        found += [t.closed_at.is_(None), t.stage.not_in([literal(o) for o in OUTCOMES])]
    found += [_CONDITIONS[name](t) for name in names]
    return tuple(found)


def _like(name: str, column: str, negated: bool = False) -> Callable[[Any], Any]:
    def condition(t: Any) -> Any:
        found = t[column].like(bindparam(name), escape="\\")
        return ~found if negated else found

    return condition


def _equal(name: str) -> Callable[[Any], Any]:
    return lambda t: t[name] == bindparam(name)


_CONDITIONS: dict[str, Callable[[Any], Any]] = {
    **{name: _equal(name) for name in _EQUAL},
    "not_raised_by": lambda t: t.raised_by != bindparam("not_raised_by"),
    "watched_by": lambda t: t.reference.in_(watching_now(bindparam("watched_by", type_=String()))),
    # Late as ``domain.queue.is_late`` says: open, and past its deadline or a timescale.
    "overdue_at": lambda t: (
        t.stage.not_in(OUTCOMES)
        & (
            (t.stage_due_at < bindparam("overdue_at", type_=t.stage_due_at.type))
            | t.overall_breached_at.is_not(None)
            | t.stage_breached_at.is_not(None)
        )
    ),
    # Their response in its trail, found from the escalation through the trail's index on the
    # reference: only escalations awaiting a decision are looked into.
    "responded_by": lambda t: (
        (t.status == literal("responded"))
        & exists().where(
            _AUDIT.reference == t.reference,
            _AUDIT.action == literal("respond"),
            _AUDIT.actor == bindparam("responded_by", type_=String()),
        )
    ),
    "touched_since": lambda t: (
        (t.raised_at >= bindparam("touched_since", type_=t.raised_at.type))
        | (t.closed_at >= bindparam("touched_since", type_=t.closed_at.type))
    ),
    "waiting_for": _like("waiting_for", "with_people"),
    "not_waiting_for": _like("not_waiting_for", "with_people", negated=True),
    "child": _like("child", "case_refs"),
    "stages": lambda t: t.stage.in_(bindparam("stages", expanding=True)),
    # Upper case on both sides: PostgreSQL's LIKE is case-sensitive.
    "search": lambda t: (
        func.upper(t.reference).like(bindparam("search"), escape="\\")
        | func.upper(t.case_refs).like(bindparam("search"), escape="\\")
    ),
}
