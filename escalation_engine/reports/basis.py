"""What every table of the report shares: the facts, the period and the one before it in
seconds, the workflow versions, the words, the cohorts the tables count and what happened.

A basis is made in one of two ways, and the tables are the same for both: to *count* (the
report), the database groups what happened and each escalation's facts come from its row where
the row says how it stood; to *explain* (``--explain``), every entry is read and each figure
keeps the entries behind it. The tests check that both give every figure alike.

Two kinds of figure: those about the escalations *raised* in the period (the cohort: how many, by
category, how far they went, how they ended, as things stood at the period's end), and those about
what *happened* in the period (ratings given, responses, timeouts, referrals, meetings), whenever
the escalation was raised. Good-practice alerts are never in the cohort; they have a table of
their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import NamedTuple

from escalation_engine.domain.calendar import LONDON, WorkingCalendar
from escalation_engine.domain.labels import Words
from escalation_engine.domain.periods import Period
from escalation_engine.reports.facts import Closing, Facts
from escalation_engine.reports.model import Evidence
from escalation_engine.spec.model import StageSpec, WorkflowSpec


def seconds(moment: datetime) -> int:
    """A moment as the whole seconds since 1970 the report's rows use."""
    return int(moment.timestamp() // 1)


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


_DAYS: dict[int, date] = {}


def day(moment: int) -> date:
    """The London calendar day a moment (seconds since 1970) falls on."""
    # The UK's offset changes only on the hour, so the hour a moment falls in decides its day;
    # remembering hours saves a time-zone conversion per escalation.
    hour = moment - moment % 3600
    found = _DAYS.get(hour)
    if found is None:
        if len(_DAYS) > 200_000:
            _DAYS.clear()
        found = _DAYS[hour] = datetime.fromtimestamp(hour, LONDON).date()
    return found


class Event(NamedTuple):
    """Something that happened, or ``weight`` of them counted together by the database."""

    digest: str
    alert_type: str
    action: str
    stage: str | None
    #: The rating given (raise, rate), or whether a response came in time (respond).
    detail: str | bool | None
    imported: bool
    #: In the period (else in the period before).
    this: bool
    weight: int = 1
    evidence: Evidence | None = None


def events_of(facts: Iterable[Facts], before: Span, this: Span) -> list[Event]:
    """What the trails of ``facts`` say happened from the start of ``before`` to the end of
    ``this``, one event per entry, each with its entry."""
    found: list[Event] = []

    def add(f: Facts, at: int, seq: int, action: str, stage: str | None, detail: object = None,
            imported: bool = False) -> None:  # fmt: skip
        if before.start <= at < this.end:
            found.append(Event(f.digest, f.alert_type, action, stage, detail, imported,  # type: ignore[arg-type]
                               at >= this.start, 1, (f.reference, seq)))  # fmt: skip

    for f in facts:
        if f.raise_seq:
            add(f, f.raised, f.raise_seq, "raise", None, None, f.imported)
        for r in f.responses:
            add(f, r.at, r.seq, "respond", r.stage, r.in_time)
        for at, seq, stage in f.timeouts:
            add(f, at, seq, "timeout", stage)
        for at, seq, stage in f.breaches:
            add(f, at, seq, "stage_breach", stage)
        for at, seq in f.overall_breaches:
            add(f, at, seq, "overall_breach", None)
        for at, seq, rating in f.ratings:
            add(f, at, seq, "rate", None, rating)
        for at, seq in f.cafcass:
            add(f, at, seq, "refer_cafcass", None)
        for at, seq in f.meetings:
            add(f, at, seq, "meeting", None)
        for at, seq, step, where in f.steps:
            add(f, at, seq, step, where)
    return found


@dataclass
class Basis:
    facts: list[Facts]
    specs: dict[str, WorkflowSpec]
    words: Words
    calendar: WorkingCalendar
    this: Span
    before: Span
    #: What happened in the two periods.
    events: list[Event]
    #: The escalations rated Red in the period, with every entry of theirs folded.
    followed: list[Facts]
    #: Whether figures keep the entries behind them (explaining), or only count.
    keep: bool = False
    #: Each escalation raised in the two periods, one by one: (reference, digest, alert type,
    #: raised, the children's case references).
    children: list[tuple[str, str, str, int, tuple[str, ...]]] = field(default_factory=list)

    def tally(self, found: Iterable[Evidence]) -> tuple[int, list[Evidence]]:
        """A count, and the entries behind it when explaining."""
        if self.keep:
            evidence = list(found)
            return len(evidence), evidence
        if self._weights:
            weights = self._weights
            return sum(weights.get(reference, 1) for reference, _ in found), []
        return (len(found) if isinstance(found, list) else sum(1 for _ in found)), []

    def raisings(self, chosen: list[Facts]) -> tuple[int, list[Evidence]]:
        """How many of the cohort ``chosen`` is, and their raisings when explaining."""
        if self.keep:
            return len(chosen), [(f.reference, f.raise_seq) for f in chosen]
        return (sum(f.weight for f in chosen) if self._weights else len(chosen)), []

    def weigh(self, found: Iterable[Event]) -> tuple[int, list[Evidence]]:
        """How many events ``found`` stand for, and their entries when explaining."""
        chosen = list(found)
        evidence = [e.evidence for e in chosen if e.evidence is not None] if self.keep else []
        return sum(e.weight for e in chosen), evidence

    def happened(self, action: str, this: bool = True) -> list[Event]:
        return [e for e in self.events if e.action == action and e.this is this]

    def spec(self, facts: Facts) -> WorkflowSpec:
        return self.specs[facts.digest]

    @cached_property
    def positive_types(self) -> set[tuple[str, str]]:
        return {
            (d, a.name) for d, spec in self.specs.items() for a in spec.alert_types if a.positive
        }

    def positive(self, facts: Facts) -> bool:
        return (facts.digest, facts.alert_type) in self.positive_types

    @cached_property
    def _order(self) -> dict[str, dict[str, int]]:
        return {d: {s.name: i for i, s in enumerate(spec.stages)} for d, spec in self.specs.items()}

    def __post_init__(self) -> None:
        end, before = self.this.end, self.before.end
        #: Facts standing for more than one escalation, by reference, with how many.
        self._weights = {f.reference: f.weight for f in self.facts if f.weight != 1}
        for facts in self.facts:
            closings = facts.closings
            if len(closings) == 1 and not facts.reopened:  # closed once, as most are
                closing = closings[0]
                facts.at_end = closing if closing.at < end else None
                facts.at_end_before = closing if closing.at < before else None
            elif closings:
                facts.at_end, facts.at_end_before = facts.closing_by(end), facts.closing_by(before)

    @cached_property
    def _tops(self) -> dict[str, tuple[StageSpec | None, bool, bool]]:
        """The highest stage each escalation of the cohort had reached by the period's end,
        whether it had reached a formal one, and whether it entered at a formal one."""
        end = self.this.end
        found: dict[str, tuple[StageSpec | None, bool, bool]] = {}
        # Most of a cohort went the same few ways: each way is worked out once.
        ways: dict[tuple[str, object], tuple[StageSpec | None, bool, bool]] = {}
        for facts in self.cohort:
            way = (facts.digest, facts.row_reached or tuple(facts.reached_by(end)))
            known = ways.get(way)
            if known is None:
                spec, order = self.specs[facts.digest], self._order[facts.digest]
                reached = [name for name in facts.reached_by(end) if name in order]
                top = spec.stages[max(order[name] for name in reached)] if reached else None
                formal = [spec.stages[order[n]].formal for n in reached]
                known = ways[way] = (top, any(formal), bool(formal) and formal[0])
            found[facts.reference] = known
        return found

    def entered_formal(self, facts: Facts) -> bool:
        """Whether one of the cohort was raised straight into a formal stage."""
        return self._tops[facts.reference][2]

    def closed_by(self, facts: Facts, span: Span) -> Closing | None:
        """How it stood closed at ``span``'s end (either period's, worked out once)."""
        return facts.at_end if span is self.this else facts.at_end_before

    def formal_at_end(self, facts: Facts) -> bool:
        """Whether one of the cohort had reached a formal stage by the period's end."""
        return self._tops[facts.reference][1]

    @cached_property
    def _raised(self) -> dict[tuple[bool, bool], list[Facts]]:
        """Escalations raised in (this period?, good practice?), sorted out in one pass."""
        found: dict[tuple[bool, bool], list[Facts]] = {(a, b): [] for a in (True, False)
                                                       for b in (True, False)}  # fmt: skip
        this, before, positive = self.this, self.before, self.positive_types
        for facts in self.facts:
            if this.start <= facts.raised < this.end:
                found[(True, (facts.digest, facts.alert_type) in positive)].append(facts)
            elif before.start <= facts.raised < before.end:
                found[(False, (facts.digest, facts.alert_type) in positive)].append(facts)
        return found

    @property
    def cohort(self) -> list[Facts]:
        """The cohort: escalations raised in the period, good-practice alerts left out."""
        return self._raised[(True, False)]

    @property
    def cohort_before(self) -> list[Facts]:
        return self._raised[(False, False)]

    def good_practice(self, span: Span) -> list[Facts]:
        return self._raised[(span is self.this, True)]

    def highest(self, facts: Facts) -> StageSpec | None:
        """The highest rung of its ladder one of the cohort had reached by the period's end."""
        return self._tops[facts.reference][0]

    def stage_label(self, spec: WorkflowSpec, stage: str) -> str:
        return f"{spec.title}: {self.words.stage(spec, stage)}"

    def ladders(self, chosen: Iterable[Facts]) -> list[tuple[WorkflowSpec, StageSpec]]:
        """The stages of the workflows ``chosen`` ran under, a workflow at a time, in ladder
        order; one entry per workflow name (its newest version's stages first seen)."""
        seen: dict[str, WorkflowSpec] = {}
        for digest in dict.fromkeys(facts.digest for facts in chosen):
            spec = self.specs[digest]
            if spec.name not in seen or seen[spec.name].version < spec.version:
                seen[spec.name] = spec
        return [(spec, stage) for spec in seen.values() for stage in spec.stages]

    @cached_property
    def _working(self) -> dict[int, int]:
        """Working days counted from the first day any fact needs, by the day's ordinal: one
        day's count less another's is the working days after the one up to and including the
        other."""
        first = min((day(f.raised) for f in self.facts), default=self.this.period.first)
        last = self.this.period.last + timedelta(days=1)
        counts, running, current = {}, 0, first
        while current <= last:
            running += self.calendar.is_working_day(current)
            counts[current.toordinal()] = running
            current += timedelta(days=1)
        return counts

    @cached_property
    def _by_hour(self) -> dict[int, int | None]:
        """The running count of working days (``_working``) by the hour a moment falls in,
        filled as asked: the hour decides the London day."""
        return {}

    def _running(self, moment: int) -> int | None:
        hour = moment - moment % 3600
        hours = self._by_hour
        if hour not in hours:
            hours[hour] = self._working.get(day(hour).toordinal())
        return hours[hour]

    def working_days(self, start: int, end: int) -> int:
        """Working days from the day of ``start`` to the day of ``end`` (0 on the same day)."""
        low, high = self._running(start), self._running(end)
        if low is not None and high is not None:
            return max(0, high - low)
        return self.calendar.working_days_between(day(start), day(end))
