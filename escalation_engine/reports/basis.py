"""What every table of the report shares: the facts, the period and the one before it in
seconds, the workflow versions, the words, and the cohorts the tables count.

Two kinds of figure: those about the escalations *raised* in the period (the cohort: how many, by
category, how far they went, how they ended, as things stood at the period's end), and those about
what *happened* in the period (ratings given, responses, timeouts, referrals, meetings), whenever
the escalation was raised. Good-practice alerts are never in the cohort; they have a table of
their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from ..calendar import LONDON, WorkingCalendar
from ..labels import Words
from ..periods import Period
from ..spec.model import StageSpec, WorkflowSpec
from ..store.reporting import seconds
from .facts import Facts
from .model import Evidence


@dataclass(frozen=True, slots=True)
class Span:
    """A period as seconds since 1970: from ``start`` up to (not including) ``end``."""

    period: Period
    start: int
    end: int

    @classmethod
    def of(cls, period: Period) -> Span:
        return cls(period, seconds(period.start), seconds(period.end))

    def holds(self, moment: int) -> bool:
        return self.start <= moment < self.end


def day(moment: int) -> date:
    """The London calendar day a moment (seconds since 1970) falls on."""
    return datetime.fromtimestamp(moment, LONDON).date()


def pairs(found: Iterable[Evidence]) -> tuple[int, list[Evidence]]:
    """A count and the evidence behind it."""
    evidence = list(found)
    return len(evidence), evidence


@dataclass
class Basis:
    facts: list[Facts]
    specs: dict[str, WorkflowSpec]
    words: Words
    calendar: WorkingCalendar
    this: Span
    before: Span

    def spec(self, facts: Facts) -> WorkflowSpec:
        return self.specs[facts.digest]

    def positive(self, facts: Facts) -> bool:
        spec = self.spec(facts)
        return any(a.positive for a in spec.alert_types if a.name == facts.alert_type)

    def raised_in(self, span: Span) -> list[Facts]:
        """The cohort: escalations raised in ``span``, good-practice alerts left out."""
        return [f for f in self.facts if span.holds(f.raised) and not self.positive(f)]

    @cached_property
    def cohort(self) -> list[Facts]:
        return self.raised_in(self.this)

    @cached_property
    def cohort_before(self) -> list[Facts]:
        return self.raised_in(self.before)

    def good_practice(self, span: Span) -> list[Facts]:
        return [f for f in self.facts if span.holds(f.raised) and self.positive(f)]

    def highest(self, facts: Facts, moment: int) -> StageSpec | None:
        """The highest rung of its ladder it had reached by ``moment``."""
        spec = self.spec(facts)
        order = {stage.name: index for index, stage in enumerate(spec.stages)}
        reached = [name for name in facts.reached_by(moment) if name in order]
        return spec.stages[max(order[name] for name in reached)] if reached else None

    def stage_label(self, spec: WorkflowSpec, stage: str) -> str:
        return f"{spec.title}: {self.words.stage(spec, stage)}"

    def ladders(self, chosen: Iterable[Facts]) -> list[tuple[WorkflowSpec, StageSpec]]:
        """The stages of the workflows ``chosen`` ran under, a workflow at a time, in ladder
        order; one entry per workflow name (its newest version's stages first seen)."""
        seen: dict[str, WorkflowSpec] = {}
        for facts in chosen:
            spec = self.spec(facts)
            if spec.name not in seen or seen[spec.name].version < spec.version:
                seen[spec.name] = spec
        return [(spec, stage) for spec in seen.values() for stage in spec.stages]

    @cached_property
    def _working(self) -> dict[date, int]:
        """Working days counted from the first day any fact needs: a day's number less another's
        is the working days after the one up to and including the other."""
        first = min((day(f.raised) for f in self.facts), default=self.this.period.first)
        last = self.this.period.last + timedelta(days=1)
        counts, running, current = {}, 0, first
        while current <= last:
            running += self.calendar.is_working_day(current)
            counts[current] = running
            current += timedelta(days=1)
        return counts

    def working_days(self, start: int, end: int) -> int:
        """Working days from the day of ``start`` to the day of ``end`` (0 on the same day)."""
        first, last = day(start), day(end)
        table = self._working
        if first in table and last in table:
            return max(0, table[last] - table[first])
        return self.calendar.working_days_between(first, last)
