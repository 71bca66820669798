"""What one escalation's trail says, folded for the report: when each thing happened, and which
entry says so.

The report counts from these, not from the escalation rows, because a row holds only how the
escalation stands now: a report for 2025-26 run in June must give the figures it gave in April,
so every fact keeps its moment (whole seconds since 1970, UTC) and the entry it came from, and the
figures ask what had happened by a given moment. Pure: rows in, facts out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from escalation_engine.spec.model import OUTCOMES

#: (moment, entry number)
Mark = tuple[int, int]
#: The steps a committee asks how often were taken: a tier bypassed, a deadline extended, a
#: response not accepted, an escalation moved up before its deadline.
STEPS = ("bypass", "extend", "reject", "escalate")


@dataclass(slots=True)
class Closing:
    at: int
    seq: int
    outcome: str
    #: The stage it closed from (where it was resolved).
    stage: str | None
    reason: str | None


class Response(NamedTuple):
    """A response (a tuple: a year holds hundreds of thousands)."""

    at: int
    seq: int
    stage: str
    #: ``None`` where the entry does not say (a stage with no clock, or an older entry).
    in_time: bool | None


@dataclass(slots=True)
class Facts:
    """One escalation, as its trail tells it."""

    reference: str
    workflow: str
    digest: str
    alert_type: str
    category: str
    team: str
    raiser: str
    raised: int
    raise_seq: int = 0
    imported: bool = False
    #: Stages it entered, in order, each with the first entry that took it there.
    reached: dict[str, Mark] = field(default_factory=dict)
    #: Or, where its row says how it stood, the stages its row says it reached (JSON, read only
    #: when asked: most escalations of a report are never asked).
    row_reached: str | None = None
    closings: list[Closing] = field(default_factory=list)
    reopened: list[Mark] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    #: (moment, entry, stage) of each kind the engine records.
    timeouts: list[tuple[int, int, str]] = field(default_factory=list)
    breaches: list[tuple[int, int, str]] = field(default_factory=list)
    overall_breaches: list[Mark] = field(default_factory=list)
    cafcass: list[Mark] = field(default_factory=list)
    #: (moment, entry, rating)
    ratings: list[tuple[int, int, str]] = field(default_factory=list)
    meetings: list[Mark] = field(default_factory=list)
    #: (moment, entry, action, stage) of each of ``STEPS`` taken.
    steps: list[tuple[int, int, str, str | None]] = field(default_factory=list)
    #: How it stood closed at the end of the report's period and of the period before (``None``:
    #: open), worked out once by the report's basis for every table to read.
    at_end: Closing | None = None
    at_end_before: Closing | None = None
    #: How many escalations alike in every figure these facts stand for, when counting (their
    #: rows say all the report asks and say it alike; ``store.reporting.escalations``).
    weight: int = 1

    def closing_by(self, moment: int) -> Closing | None:
        """How it stood closed at ``moment``, or ``None`` if it was open (or not yet raised)."""
        last: Closing | None = None
        for closing in self.closings:
            if closing.at < moment:
                last = closing
        if last is None or any(last.seq < seq and at < moment for at, seq in self.reopened):
            return None
        return last

    def reached_by(self, moment: int) -> list[str]:
        if self.row_reached is not None:
            # The row's canonical JSON list of stage names (which are plain identifiers):
            # split, not parsed, since a report reads tens of thousands.
            text = self.row_reached
            return text[2:-2].split('","') if len(text) > 2 else []
        return [stage for stage, (at, _) in self.reached.items() if at < moment]


#: How the databases say true inside an entry's details (SQLite 1, PostgreSQL 'true').
TRUE = frozenset({1, "1", "true"})


def take(facts: Facts, row: tuple[Any, ...]) -> None:
    """Fold one entry (a row of ``store.reporting.entries``) into ``facts``; called once per
    entry of the trail, so it does as little as it can."""
    _, seq, at, action, source, to, detail, reason, imported = row
    if to != source and to is not None:
        if to in OUTCOMES:
            facts.closings.append(Closing(at, seq, to, source, reason))
        elif to not in facts.reached:
            facts.reached[to] = (at, seq)
    if action == "respond":
        facts.responses.append(
            Response(at, seq, source, None if detail is None else detail in TRUE)
        )
    elif action == "raise":
        facts.raise_seq = seq
        facts.imported = bool(imported)
        if detail:
            facts.ratings.append((at, seq, detail))
    elif action == "timeout":
        facts.timeouts.append((at, seq, source))
    elif action == "rate":
        if detail:
            facts.ratings.append((at, seq, detail))
    elif action == "stage_breach":
        facts.breaches.append((at, seq, source))
    elif action == "overall_breach":
        facts.overall_breaches.append((at, seq))
    elif action == "refer_cafcass":
        facts.cafcass.append((at, seq))
    elif action == "reopen":
        facts.reopened.append((at, seq))
    elif action == "meeting":
        facts.meetings.append((at, seq))
    elif action in STEPS:
        facts.steps.append((at, seq, action, source))
