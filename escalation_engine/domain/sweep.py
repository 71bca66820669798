"""What the engine does when something falls due: a timeout, an overall breach, a reminder.

Each function changes the escalation and returns the audit action and note, or ``None`` when the
item needs no entry of its own. ``EscalationService.tick`` calls them oldest first, inside one
transaction per escalation, until nothing is due at the moment it was asked about.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from escalation_engine.domain import policy
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.events import (
    EngineEvent,
    OverallBreached,
    Reminded,
    StageBreached,
    TimedOut,
)
from escalation_engine.domain.machine import machine_for
from escalation_engine.domain.stages import StageKeeper
from escalation_engine.spec.model import OUTCOMES, WorkflowSpec


class Facts(TypedDict):
    due_at: str
    applied_at: str
    workflow: str


@dataclass(frozen=True, slots=True)
class Due:
    """One item falling due for one escalation: what it needs to be applied."""

    keeper: StageKeeper
    spec: WorkflowSpec
    esc: Escalation
    due_at: datetime
    now: datetime
    #: When it is being applied (``now``, or later in a long sweep): recorded as real lateness.
    applied_at: datetime

    @property
    def facts(self) -> Facts:
        """What every engine event records: when it was due and applied, under which workflow."""
        return {"due_at": self.due_at.isoformat(), "applied_at": self.applied_at.isoformat(),
                "workflow": self.spec.label}  # fmt: skip


DueHandler = Callable[[Due], tuple[EngineEvent | None, str]]


def timeout(due: Due) -> tuple[EngineEvent | None, str]:
    """The stage's clock passed: move on, or (at the top) record a breach and keep reminding."""
    keeper, spec, esc, due_at = due.keeper, due.spec, due.esc, due.due_at
    stage = spec.stage(esc.stage)
    if stage.on_timeout is None and esc.status != "awaiting_escalation":
        esc.stage_due_at = None
        esc.stage_breached_at = due_at
        esc.remind_at = policy.cadence(stage, due_at, keeper.calendar)
        breached = StageBreached(**due.facts, next_reminder=esc.remind_at.isoformat())
        return breached, (
            f"{stage.title}: no satisfactory response within {stage.clock.describe()}; reminders continue"
        )
    carried_out = esc.status == "awaiting_escalation"
    # Nobody carried out the escalation in time: the engine does, so it is never left lying.
    machine_for(spec).fire(esc, "escalate" if carried_out else "timeout", reference=esc.reference)
    # The next clock starts when the deadline passed, not when the engine noticed, so a backlog
    # after downtime climbs exactly as it would have.
    entered = None
    if esc.stage in OUTCOMES:
        keeper.close(esc, stage.name, due_at)
    else:
        entered = keeper.enter(spec, esc, due_at)
    if carried_out and stage.escalation_step is not None:
        step = stage.escalation_step
        note = (
            f"Not satisfied at {stage.title}, and the escalation was not carried out by the"
            f" {' or '.join(r.replace('_', ' ') for r in step.by)} within {step.clock.describe()};"
            " the engine carried it out"
        )
        return TimedOut(**due.facts, entered=entered), note
    return (
        TimedOut(**due.facts, entered=entered),
        f"No satisfactory response within {stage.clock.describe()} at {stage.title}; moved on",
    )


def breach(due: Due) -> tuple[EngineEvent | None, str]:
    """The overall limit across stages passed: noted once."""
    esc, limit_spec = due.esc, due.spec.overall_limit
    esc.overall_breached_at = due.due_at
    limit = limit_spec.clock.describe() if limit_spec else "the workflow"
    return OverallBreached(**due.facts), f"The overall limit of {limit} has passed"


def remind(due: Due) -> tuple[EngineEvent | None, str]:
    """A reminder: once ahead of a deadline, or on the stage's cadence (never more than one per
    sweep, however long nothing ran)."""
    keeper, esc, now = due.keeper, due.esc, due.now
    stage = due.spec.stage(esc.stage)
    if esc.stage_due_at is not None and esc.status != "holding":
        esc.remind_at = None
        if esc.stage_due_at <= now:
            return None, ""  # the deadline itself is due too: the timeout says it all
    else:
        following = policy.cadence(stage, due.due_at, keeper.calendar)
        while following <= now:
            following = policy.cadence(stage, following, keeper.calendar)
        esc.remind_at = following if esc.stage_due_at is None else None
    waiting = "a judgement of the response" if esc.status == "responded" else "a response"
    awaited_from = ", ".join(esc.with_people) or ", ".join(esc.with_roles)
    event = Reminded(**due.facts, to=esc.with_people)
    return event, f"{stage.title}: {waiting} is awaited from {awaited_from}"


#: Keyed by the kind of due item, named as the audit trail names what it records.
HANDLERS: dict[str, DueHandler] = {
    "timeout": timeout,
    "overall_breach": breach,
    "reminder": remind,
}
