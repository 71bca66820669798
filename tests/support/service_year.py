"""A generated service-year with known ground truth, driven through the real service.

Every escalation follows a plan (resolved at stage 1, rejected to stage 2, timed out, bypassed to
the director and breached, withdrawn, referred to Cafcass, still open at the year's end, RAG
ratings of every level, good practice, ...). The plans run side by side in time order on a fake
clock, with the engine's sweep applied at every moment something falls due, as the worker does.
Each plan writes down what it did (its own record, not read back from the engine), and the tests
work the expected figures out from those records.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from escalation_engine.clock import FakeClock
from escalation_engine.domain.calendar import WorkingCalendar
from escalation_engine.service import EscalationService

LONDON = ZoneInfo("Europe/London")
CATEGORIES = (
    "permanence",
    "legal_status",
    "holistic_needs",
    "safeguarding",
    "professional_network",
)
#: Who responds at each stage (all in team north's line).
RESPONDER = {"team_manager": "jo", "service_manager": "mark", "assistant_director": "ruth",
             "director": "david", "monitoring": "sam", "line_manager": "jo"}  # fmt: skip


@dataclass
class Record:
    """What one plan did, in its own words."""

    plan: str
    workflow: str
    category: str
    positive: bool = False
    reference: str = ""
    raiser: str = ""
    raised: datetime | None = None
    #: (when, stage) each time it moved to a stage, from raising on.
    moves: list[tuple[datetime, str]] = field(default_factory=list)

    @property
    def stage(self) -> str:
        return self.moves[-1][1]

    def stage_by(self, moment: datetime) -> str:
        return [stage for when, stage in self.moves if when < moment][-1]

    #: (outcome, at, stage it closed from)
    closed: tuple[str, datetime, str] | None = None
    responses: list[tuple[datetime, str, bool]] = field(default_factory=list)
    timeouts: list[tuple[datetime, str]] = field(default_factory=list)
    breaches: list[tuple[datetime, str]] = field(default_factory=list)
    overall_breaches: list[datetime] = field(default_factory=list)
    cafcass: list[datetime] = field(default_factory=list)
    ratings: list[tuple[datetime, str]] = field(default_factory=list)
    meetings: list[datetime] = field(default_factory=list)
    #: The children it is about: its own, a brother or sister with every tenth, and every
    #: seventh about the child of the one before.
    case_refs: list[str] = field(default_factory=list)
    #: When each tier was bypassed, deadline extended, response rejected or escalation moved up
    #: early, by action.
    steps: dict[str, list[datetime]] = field(default_factory=dict)


Plan = Generator[datetime, None, None]


@dataclass
class ServiceYear:
    """A generated year in a service folder (config.yaml names its database)."""

    service: EscalationService
    records: list[Record]
    folder: Path
    url: str


class Year:
    """Runs plans side by side in time order; each plan yields the next moment it acts at."""

    def __init__(self, service: EscalationService, clock: FakeClock, seed: int = 2025) -> None:
        self.service, self.clock = service, clock
        self.calendar: WorkingCalendar = service.calendar
        self.random = random.Random(seed)
        self.records: list[Record] = []
        self._queue: list[tuple[datetime, int, Plan]] = []
        self._by_reference: dict[str, Record] = {}
        self._order = 0

    # -- time -----------------------------------------------------------------------------
    def at(self, day: date, hour: int = 10, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=LONDON)

    def after(self, moment: datetime, working_days: int, hour: int = 10) -> datetime:
        day, _ = self.calendar.add_working_days(self.calendar.local_day(moment), working_days)
        return self.at(day, hour)

    def due(self, entered: datetime, working_days: int) -> datetime:
        """Close of business ``working_days`` working days after ``entered``."""
        return self.after(entered, working_days, 17)

    def working_day(self, first: date, last: date) -> date:
        while True:
            day = first + timedelta(days=self.random.randrange((last - first).days + 1))
            if self.calendar.is_working_day(day):
                return day

    # -- running --------------------------------------------------------------------------
    def add(self, plan: Plan) -> None:
        try:
            moment = next(plan)
        except StopIteration:
            return
        self._order += 1
        heapq.heappush(self._queue, (moment, self._order, plan))

    def _sweep_until(self, moment: datetime) -> None:
        """Apply everything that falls due before ``moment``, at the moment it falls due."""
        while (due := self.service.queries.next_due()) is not None and due <= moment:
            self.clock.set(due)
            report = self.service.tick()
            assert not report.failed, report.failed
            for applied in report.applied:
                record = self._by_reference[applied.reference]
                if applied.kind == "timeout":
                    record.timeouts.append((due, applied.from_stage))
                    record.moves.append((due, applied.to_stage))
                elif applied.kind == "stage_breach":
                    record.breaches.append((due, applied.from_stage))
                elif applied.kind == "overall_breach":
                    record.overall_breaches.append(due)

    def run(self, until: datetime) -> list[Record]:
        while self._queue and self._queue[0][0] <= until:
            moment, _, plan = heapq.heappop(self._queue)
            self._sweep_until(moment)
            self.clock.set(moment)
            self.add(plan)
        self._sweep_until(until)
        return self.records

    # -- what people do -------------------------------------------------------------------
    def raise_(
        self, record: Record, raiser: str, alert_type: str, stage: str, **extra: object
    ) -> None:
        esc = self.service.raise_alert(
            username=raiser, workflow=record.workflow, alert_type=alert_type,
            case_refs=record.case_refs, category=record.category,
            summary="Drift in the care plan", team="north", **extra,  # type: ignore[arg-type]
        )  # fmt: skip
        record.reference, record.raised, record.raiser = esc.reference, self.clock.now(), raiser
        record.moves.append((self.clock.now(), stage))
        self._by_reference[esc.reference] = record
        rating = extra.get("rating")
        if rating:
            record.ratings.append((self.clock.now(), str(rating)))

    def act(
        self, record: Record, who: str, action: str, late: bool = False, **extra: object
    ) -> None:
        """``who`` takes ``action``; a response is within the stage's timescale unless the plan
        says it is ``late``."""
        note = extra.pop("note", f"{action} by {who}")
        self.service.act(record.reference, who, action, note=str(note), **extra)  # type: ignore[arg-type]
        now, stage = self.clock.now(), record.stage
        if action == "respond":
            record.responses.append((now, stage, not late))
        elif action == "rate":
            record.ratings.append((now, str(extra["target"])))
        elif action in ("bypass", "extend", "reject", "escalate"):
            record.steps.setdefault(action, []).append(now)

    def close(self, record: Record, outcome: str) -> None:
        record.closed = (outcome, self.clock.now(), record.stage)

    def moved(self, record: Record, stage: str) -> None:
        record.moves.append((self.clock.now(), stage))


# -- the plans --------------------------------------------------------------------------------
DR = "dispute_resolution"
RAG = "rag_rating"


def resolved_at_stage_1(y: Year, r: Record, start: datetime, raiser: str) -> Plan:
    yield start
    y.raise_(r, raiser, "practice_alert", "team_manager")
    yield y.after(start, 1)
    y.act(r, "jo", "respond")
    yield y.after(start, 2, 11)
    y.act(r, raiser, "accept")
    y.close(r, "resolved")


def rejected_to_stage_2(y: Year, r: Record, start: datetime, raiser: str) -> Plan:
    yield start
    y.raise_(r, raiser, "practice_alert", "team_manager")
    yield y.after(start, 1)
    y.act(r, "jo", "respond")
    yield y.after(start, 2)
    y.act(r, raiser, "reject")
    yield from _answered_at_stage_2(y, r, start, raiser)


def _answered_at_stage_2(y: Year, r: Record, start: datetime, raiser: str) -> Plan:
    """Moved up to stage 2 just now: the service manager answers, and the raiser accepts."""
    y.moved(r, "service_manager")
    yield y.after(start, 3)
    y.act(r, "mark", "respond")
    yield y.after(start, 4)
    y.act(r, raiser, "accept")
    y.close(r, "resolved")


def escalated_early(y: Year, r: Record, start: datetime, raiser: str) -> Plan:
    yield start
    y.raise_(r, raiser, "practice_alert", "team_manager")
    yield y.after(start, 1)
    y.act(r, raiser, "escalate", note="Placement ends this week")
    yield from _answered_at_stage_2(y, r, start, raiser)


def timed_out_at_stage_1(y: Year, r: Record, start: datetime, raiser: str) -> Plan:
    yield start
    y.raise_(r, raiser, "practice_alert", "team_manager")
    timeout = y.due(start, 5)  # the engine moves it up at close of business on day 5
    yield y.after(timeout, 1)
    assert r.stage == "service_manager", r
    y.act(r, "mark", "respond")
    yield y.after(timeout, 2)
    y.act(r, raiser, "accept")
    y.close(r, "resolved")


def withdrawn(y: Year, r: Record, start: datetime, raiser: str) -> Plan:
    yield start
    y.raise_(r, raiser, "practice_alert", "team_manager")
    yield y.after(start, 1)
    y.act(r, raiser, "withdraw")
    y.close(r, "withdrawn")


def bypassed_late_answer(y: Year, r: Record, start: datetime, raiser: str) -> Plan:
    """Straight to the director, whose deadline passes at the top; a late answer, accepted."""
    yield start
    y.raise_(r, raiser, "practice_alert", "team_manager")
    yield start + timedelta(hours=1)
    y.act(r, raiser, "bypass", target="director", consulted="priya", note="Placement at risk")
    y.moved(r, "director")
    yield y.after(start, 7)
    y.act(r, "david", "respond", late=True)
    yield y.after(start, 8)
    y.act(r, raiser, "accept")
    y.act(r, "priya", "accept")
    y.close(r, "resolved")


def bypassed_and_withdrawn(y: Year, r: Record, start: datetime, raiser: str) -> Plan:
    """Breached at the top and past the overall limit, then withdrawn."""
    yield start
    y.raise_(r, raiser, "practice_alert", "team_manager")
    yield start + timedelta(hours=1)
    y.act(r, raiser, "bypass", target="director", consulted="priya", note="Placement at risk")
    y.moved(r, "director")
    yield y.after(start, 22)
    y.act(r, raiser, "withdraw")
    y.close(r, "withdrawn")


def cafcass(y: Year, r: Record, start: datetime, raiser: str) -> Plan:
    yield start
    y.raise_(r, raiser, "practice_alert", "team_manager")
    yield y.after(start, 1)
    y.act(r, raiser, "refer_cafcass", note="The child's rights are at risk")
    r.cafcass.append(y.clock.now())
    y.close(r, "referred_to_cafcass")


def open_at_year_end(y: Year, r: Record, start: datetime, raiser: str) -> Plan:
    """Raised late in March; resolved in April, after the year has ended (in 2026, only half)."""
    yield start
    y.raise_(r, raiser, "practice_alert", "team_manager")
    if start.year == 2025 or y.records.index(r) % 2:
        yield y.after(start, 2)
        y.act(r, "jo", "respond")
        yield y.at(date(start.year, 4, 8))
        y.act(r, raiser, "accept")
        y.close(r, "resolved")


def management_alert(y: Year, r: Record, start: datetime, raiser: str) -> Plan:
    yield start
    y.raise_(r, raiser, "management_alert", "service_manager")
    yield y.after(start, 1)
    y.act(r, "mark", "respond")
    yield y.after(start, 2)
    y.act(r, raiser, "accept")
    y.close(r, "resolved")


def with_meeting(y: Year, r: Record, start: datetime, raiser: str) -> Plan:
    yield start
    y.raise_(r, raiser, "practice_alert", "team_manager")
    yield y.after(start, 1)
    y.act(r, "jo", "respond")
    yield y.after(start, 2)
    held = {"held_on": y.calendar.local_day(y.clock.now()),
            "attendees": ("raiser", "team_manager"), "outcome": "Plan agreed"}  # fmt: skip
    y.act(r, raiser, "meeting", **held, note="")
    r.meetings.append(y.clock.now())
    yield y.after(start, 3)
    y.act(r, raiser, "accept")
    y.close(r, "resolved")


def amber_then(rating: str) -> object:
    def plan(y: Year, r: Record, start: datetime, raiser: str) -> Plan:
        yield start
        y.raise_(r, raiser, "rag_concern", "monitoring", rating="amber")
        yield y.after(start, 3)
        y.act(r, raiser, "rate", target=rating, note="Plan back on track")
        y.close(r, "resolved")

    return plan


def red_answered(y: Year, r: Record, start: datetime, raiser: str) -> Plan:
    yield start
    y.raise_(r, raiser, "rag_concern", "line_manager", rating="red")
    yield y.after(start, 1)
    y.act(r, "jo", "respond")
    yield y.after(start, 2)
    y.act(r, raiser, "rate", target="green", note="Resolved")
    y.close(r, "resolved")


def red_timed_out(y: Year, r: Record, start: datetime, raiser: str) -> Plan:
    yield start
    y.raise_(r, raiser, "rag_concern", "line_manager", rating="red")
    timeout = y.due(start, 5)
    yield y.after(timeout, 1)
    assert r.stage == "service_manager", r
    y.act(r, "mark", "respond")
    yield y.after(timeout, 2)
    y.act(r, raiser, "rate", target="green", note="Resolved")
    y.close(r, "resolved")


def good_practice(y: Year, r: Record, start: datetime, raiser: str) -> Plan:
    yield start
    if r.workflow == RAG:
        y.raise_(r, raiser, "exceptional_practice", "recorded", rating="green_star")
    else:
        y.raise_(r, raiser, "good_practice", "recorded")
    y.close(r, "recorded")


#: (plan, workflow, how many in 2025-26, how many in 2024-25, last day it may start)
THIS_YEAR = date(2025, 4, 1)
PLANS = (
    (resolved_at_stage_1, DR, 90, 100), (rejected_to_stage_2, DR, 35, 0),
    (escalated_early, DR, 5, 0),
    (timed_out_at_stage_1, DR, 40, 0), (withdrawn, DR, 20, 30),
    (bypassed_late_answer, DR, 8, 0), (bypassed_and_withdrawn, DR, 5, 0), (cafcass, DR, 1, 0),
    (management_alert, DR, 20, 0), (with_meeting, DR, 10, 0),
    (amber_then("green"), RAG, 20, 0), (red_answered, RAG, 20, 0), (red_timed_out, RAG, 10, 0),
    (amber_then("green_star"), RAG, 15, 0),
)  # fmt: skip


def generate(service: EscalationService, clock: FakeClock) -> list[Record]:
    """The years 2024-25 and 2025-26 and a little of April 2026: 305 escalations raised in
    2025-26 (140 the year before), good practice beside them, some straddling 1 April."""
    y = Year(service, clock)

    def add(plan: object, workflow: str, first: date, last: date, positive: bool = False) -> None:
        record = Record(getattr(plan, "__name__", "plan"), workflow, y.random.choice(CATEGORIES),
                        positive=positive)  # fmt: skip
        n = len(y.records)
        record.case_refs = [f"CLA-{100000 + (n - 1 if n % 7 == 6 else n)}"]
        if n % 10 == 3:
            record.case_refs.append(f"CLA-{200000 + n}")
        y.records.append(record)
        start = y.at(y.working_day(first, last), 9, y.random.randrange(0, 59))
        raiser = y.random.choice(("aisha", "tom"))
        y.add(plan(y, record, start, raiser))  # type: ignore[operator]

    for plan, workflow, this, before in PLANS:
        for _ in range(this):
            add(plan, workflow, THIS_YEAR, date(2026, 1, 30))
        for _ in range(before):
            add(plan, workflow, date(2024, 4, 1), date(2025, 2, 27))
    for _ in range(6):
        add(open_at_year_end, DR, date(2026, 3, 23), date(2026, 3, 27))
    for _ in range(10):  # raised in March 2025, resolved in April 2025
        add(open_at_year_end, DR, date(2025, 3, 24), date(2025, 3, 27))
    for workflow, this, before in ((DR, 8, 5), (RAG, 4, 0)):
        for _ in range(this):
            add(good_practice, workflow, THIS_YEAR, date(2026, 3, 31), positive=True)
        for _ in range(before):
            add(good_practice, workflow, date(2024, 4, 1), date(2025, 3, 31), positive=True)
    return y.run(y.at(date(2026, 4, 20)))
