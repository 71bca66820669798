"""Where each open escalation stands against its deadline, as a manager's queue shows it.

A manager works from "what is late, what is due today, what is due this week", and from the
most late first. Working days left stop at 0 on the day a stage falls due, so a late item says
by how many working days it is late instead; an item past its overall timescale (breached) is
the latest of all. The rules are given the calendar and the time; they read no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from escalation_engine.domain.calendar import WorkingCalendar
from escalation_engine.domain.escalation import Escalation
from escalation_engine.errors import InvalidInput, one_of

#: The deadline windows a queue can be narrowed to, as given in a filter.
DUE = ("overdue", "today", "week")
#: How a queue can be sorted: its key, and what people read.
SORTS = {
    "due": "most overdue first",
    "raised": "newest first",
    "reference": "by reference",
    "stage": "highest stage first",
}


@dataclass(frozen=True, slots=True)
class Standing:
    """An escalation against its deadline at one moment."""

    #: Working days from today to the day its stage is due (0 on the day, and after it).
    days_left: int | None
    #: Working days since the day it fell due, when it is late (0: late since earlier today).
    overdue_by: int | None
    #: Past a timescale it may not pass (the stage's or the whole escalation's).
    breached: bool
    due_today: bool
    #: Due by the end of this week (Sunday, London), today included; not late.
    due_this_week: bool

    @property
    def late(self) -> bool:
        return self.overdue_by is not None or self.breached

    def within(self, window: str) -> bool:
        """Whether it falls in ``window`` (one of ``DUE``)."""
        if window == "overdue":
            return self.late
        if window == "today":
            return self.due_today
        return self.due_this_week


def is_late(esc: Escalation, now: datetime) -> bool:
    """Whether ``esc`` is late at ``now``: open, and past its stage's deadline or a timescale
    (breached). The one meaning of late: lists filter by it, queues count and sort by it (a
    ``Standing`` is late exactly when this says so), and the database's filter asks the same."""
    breached = esc.overall_breached_at is not None or esc.stage_breached_at is not None
    passed = esc.stage_due_at is not None and esc.stage_due_at < now
    return esc.is_open and (breached or passed)


def standing(esc: Escalation, calendar: WorkingCalendar, now: datetime) -> Standing:
    """Where ``esc`` stands at ``now`` (nothing is due for a closed one)."""
    breached = esc.overall_breached_at is not None or esc.stage_breached_at is not None
    due = esc.stage_due_at if esc.is_open else None
    if due is None:
        return Standing(None, None, breached and esc.is_open, False, False)
    today, due_day = calendar.local_day(now), calendar.local_day(due)
    if due < now:
        late_by = calendar.working_days_between(due_day, today)
        return Standing(0, late_by, breached, False, False)
    return Standing(
        days_left=calendar.working_days_between(today, due_day),
        overdue_by=None,
        breached=breached,
        due_today=due_day == today,
        due_this_week=due_day <= week_end(today) and not breached,
    )


def window(value: str) -> str:
    """One of ``DUE``, as given in a filter, or an error listing them."""
    chosen = value.strip().casefold().replace("this ", "").replace("-", " ")
    if chosen not in DUE:
        raise InvalidInput(f"Unknown deadline window {value[:40]!r}: use {one_of(DUE)}.")
    return chosen


def sort_key(value: str) -> str:
    """One of ``SORTS``, as given, or an error listing them."""
    chosen = value.strip().casefold()
    if chosen not in SORTS:
        raise InvalidInput(f"Unknown order {value[:40]!r}: sort by {one_of(SORTS)}.")
    return chosen


def ordered(
    items: Iterable[tuple[Escalation, Standing]], sort: str, rank: Callable[[Escalation], int]
) -> list[tuple[Escalation, Standing]]:
    """``items`` in the order ``sort`` names; ``rank`` is a stage's place on its ladder (the
    highest tier sorts first when sorting by stage). Ties keep the order raised."""
    listed = sorted(items, key=lambda item: (item[0].raised_at, item[0].reference))
    if sort == "raised":
        return listed[::-1]
    if sort == "reference":
        return sorted(listed, key=lambda item: item[0].reference)
    if sort == "stage":
        return sorted(listed, key=lambda item: -rank(item[0]))
    return sorted(listed, key=_urgency)


def _urgency(item: tuple[Escalation, Standing]) -> tuple[int, int, float]:
    """Breached first, then the latest by working days, then the soonest deadline; nothing due
    last."""
    esc, where = item
    if where.breached:
        return (0, -(where.overdue_by or 0), _seconds(esc.stage_due_at))
    if where.overdue_by is not None:
        return (1, -where.overdue_by, _seconds(esc.stage_due_at))
    if esc.stage_due_at is not None and esc.is_open:
        return (2, 0, _seconds(esc.stage_due_at))
    return (3, 0, 0.0)


def _seconds(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else 0.0


@dataclass(frozen=True, slots=True)
class Counts:
    """How many of a queue are late, due today and due this week, and in all."""

    overdue: int = 0
    today: int = 0
    week: int = 0
    total: int = 0


def counted(standings: Iterable[Standing]) -> Counts:
    overdue = today = week = total = 0
    for where in standings:
        total += 1
        overdue += where.late
        today += where.due_today
        week += where.due_this_week
    return Counts(overdue, today, week, total)


def week_end(day: date) -> date:
    """The Sunday that ends ``day``'s week."""
    return day + timedelta(days=6 - day.weekday())
