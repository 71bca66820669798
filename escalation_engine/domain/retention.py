"""When each closed escalation's personal text falls due for removal under the council's
retention schedule: a pure decision, handed the escalations, the schedule's rule and the day each
one closed. The skeleton is never due: only the text people wrote."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
    years: int
    remove_on: date


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
) -> list[Due]:
    """Every closed escalation a rule applies to, soonest due first; open ones are kept while
    open, and those no rule covers are kept until the council sets one."""
    found = []
    for esc in escalations:
        day = closed_on(esc)
        years = years_for(esc.workflow, esc.category)
        if day is None or years is None:
            continue
        found.append(Due(reference=esc.reference, workflow=esc.workflow, category=esc.category,
                         closed_on=day, years=years, remove_on=years_on(day, years)))  # fmt: skip
    return sorted(found, key=lambda due: (due.remove_on, due.reference))
