"""Pure decisions about time: when a stage falls due, when to remind, what is due at a moment.

Nothing here reads the clock or the database; every function takes the moment it reasons about.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from escalation_engine.domain.calendar import Deadline, WorkingCalendar, add_months
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.inputs import NAMED_DATE
from escalation_engine.errors import Given, InvalidInput
from escalation_engine.spec.model import StageSpec, Timescale

START_OF_BUSINESS_HOUR = 9


def deadline_after(clock: Timescale, start: datetime, calendar: WorkingCalendar) -> Deadline:
    """When ``clock`` runs out if it starts at ``start``."""
    if clock.kind == "working_days":
        return calendar.working_days_after(start, clock.amount)
    if clock.kind == "calendar_days":
        return calendar.calendar_days_after(start, clock.amount)
    if clock.kind == "months":
        return calendar.months_after(start, clock.amount)
    if clock.kind in ("hours", "minutes", "seconds"):
        delta = timedelta(**{clock.kind: clock.amount})
        return Deadline(due=start + delta, rule=clock.describe(), start=start)
    if clock.kind == "immediately":
        return Deadline(due=start, rule="immediately", start=start)
    raise ValueError(f"clock {clock.describe()!r} has no fixed length")


def due_from_person(
    value: date | datetime,
    *,
    now: datetime,
    calendar: WorkingCalendar,
    limit: Timescale | None,
    given: Given | None = None,
) -> Deadline:
    """A deadline a person sets (the raiser, or a manager extending): close of business on a date,
    or an exact time; it must be in the future and within ``limit`` if there is one. A refusal
    says which input it is about (``given``)."""
    due = value if isinstance(value, datetime) else calendar.end_of_day(value)
    if due.tzinfo is None:
        due = due.replace(tzinfo=calendar.tz)
    if due <= now:
        raise InvalidInput(
            f"The date {value.isoformat()} is not in the future (it is now"
            f" {now.astimezone(calendar.tz):%Y-%m-%d %H:%M}); give a later date.",
            given=given,
        )
    if limit is not None:
        latest = deadline_after(limit, now, calendar).due
        if due > latest:
            raise InvalidInput(
                f"The date {value.isoformat()} is later than this stage allows ({limit.describe()},"
                f" so at most {latest.astimezone(calendar.tz):%Y-%m-%d %H:%M}); give an earlier date.",
                given=given,
            )
    return Deadline(due=due, rule="set by a person", start=now)


def clock_start(
    stage: StageSpec, escalation: Escalation, entered_at: datetime, calendar: WorkingCalendar
) -> datetime:
    """Where ``stage``'s clock starts for ``escalation``: on entering, on raising, or a given date."""
    if stage.starts == "stage":
        return entered_at
    if stage.starts == "raised":
        return escalation.raised_at
    given = escalation.dates.get(stage.starts)
    if given is None:
        named = stage.starts.replace("_", " ")
        raise InvalidInput(
            f"{stage.title} counts its deadline from the {named}, which was not given: give the"
            f" {named} ({stage.starts}).",
            given=NAMED_DATE,
        )
    return calendar.end_of_day(given)


def reminder_before(lead: Timescale, due: datetime, calendar: WorkingCalendar) -> datetime:
    """When to remind ``lead`` ahead of ``due``: 09:00 on the working day ``lead`` days before,
    or exactly ``lead`` before for hours and minutes."""
    if lead.kind == "working_days":
        day = calendar.local_day(due)
        remaining = lead.amount
        while remaining:
            day -= timedelta(days=1)
            if calendar.is_working_day(day):
                remaining -= 1
        return calendar.end_of_day(day).replace(hour=START_OF_BUSINESS_HOUR, minute=0)
    if lead.kind in ("calendar_days", "months"):
        day = calendar.local_day(due)
        day = (
            day - timedelta(days=lead.amount)
            if lead.kind == "calendar_days"
            else add_months(day, -lead.amount)
        )
        return calendar.end_of_day(day).replace(hour=START_OF_BUSINESS_HOUR, minute=0)
    return due - timedelta(**{lead.kind: lead.amount})


def first_reminder(
    stage: StageSpec, due: datetime | None, entered_at: datetime, calendar: WorkingCalendar
) -> datetime | None:
    """The reminder for a stage just entered: ahead of its deadline, or on its cadence."""
    if due is not None and stage.reminder is not None:
        moment = reminder_before(stage.reminder, due, calendar)
        return moment if entered_at < moment < due else None
    if due is None and stage.remind_every is not None:
        return deadline_after(stage.remind_every, entered_at, calendar).due
    return None


DEFAULT_CADENCE = Timescale(kind="working_days", amount=2)


def cadence(stage: StageSpec, after: datetime, calendar: WorkingCalendar) -> datetime:
    """The next reminder on ``stage``'s cadence after ``after`` (2 working days if none is set)."""
    return deadline_after(stage.remind_every or DEFAULT_CADENCE, after, calendar).due


def due_items(escalation: Escalation, now: datetime) -> list[tuple[datetime, str]]:
    """What is due for ``escalation`` at ``now``, oldest first: ``timeout``, ``overall_breach``, ``reminder``
    (a timeout at the top of the ladder is recorded as ``stage_breach``)."""
    if not escalation.is_open:
        return []
    items: list[tuple[datetime, str]] = []
    if escalation.stage_due_at is not None and escalation.stage_due_at <= now:
        items.append((escalation.stage_due_at, "timeout"))
    if (
        escalation.overall_due_at is not None
        and escalation.overall_breached_at is None
        and escalation.overall_due_at <= now
    ):
        items.append((escalation.overall_due_at, "overall_breach"))
    if escalation.remind_at is not None and escalation.remind_at <= now:
        items.append((escalation.remind_at, "reminder"))
    order = {"timeout": 0, "overall_breach": 1, "reminder": 2}
    return sorted(items, key=lambda item: (item[0], order[item[1]]))
