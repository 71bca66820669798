"""When each closed escalation's personal text falls due for removal under the council's
retention schedule: a pure decision, handed the escalations, the schedule's rule and the day each
one closed. The skeleton is never due: only the text people wrote."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from escalation_engine.domain.escalation import Escalation


@dataclass(frozen=True, slots=True)
class Due:
    """One escalation's text, the day it closed, how long it is kept and the day that ends."""

    reference: str
    workflow: str
    category: str
    closed_on: date
    #: Years after closure under the schedule (``None``: no rule of years applies).
    years: int | None
    remove_on: date
    #: The latest day the case-record system keeps one of its children's records to, where
    #: that is later than the years after closure.
    kept_until: date | None = None


def years_on(day: date, years: int) -> date:
    """``day`` ``years`` years on (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def plan(
    escalations: Iterable[Escalation],
    years_for: Callable[[str, str], int | None],
    closed_on: Callable[[Escalation], date | None],
    case_dates: Mapping[str, date] | None = None,
) -> list[Due]:
    """Every closed escalation a rule applies to, soonest due first; open ones are kept while
    open, and those no rule covers are kept until the council sets one. A case's own date (from
    the case-record system, in ``case_dates``) keeps an escalation about it at least that long:
    the latest day that applies wins, and text is never due before its escalation closed."""
    found = []
    for esc in escalations:
        day = closed_on(esc)
        if day is None:
            continue
        years = years_for(esc.workflow, esc.category)
        by_years = years_on(day, years) if years is not None else None
        until = max((d for c in esc.case_refs if (d := (case_dates or {}).get(c))), default=None)
        if by_years is None and until is None:
            continue
        remove_on = max(d for d in (by_years, until, day) if d is not None)
        later = until if until is not None and (by_years is None or until > by_years) else None
        found.append(Due(reference=esc.reference, workflow=esc.workflow, category=esc.category,
                         closed_on=day, years=years, remove_on=remove_on, kept_until=later))  # fmt: skip
    return sorted(found, key=lambda due: (due.remove_on, due.reference))
