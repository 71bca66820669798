"""What the engine does when something falls due: a timeout, an overall breach, a reminder.

Each function changes the escalation and returns the audit action and note, or ``None`` when the
item needs no entry of its own. ``EscalationService.tick`` calls them oldest first, inside one
transaction per escalation, until nothing is due at the moment it was asked about.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import policy
from .escalation import Escalation
from .machine import machine_for
from .spec.model import OUTCOMES, WorkflowSpec
from .stages import StageKeeper


@dataclass(frozen=True, slots=True)
class Due:
    """One item falling due for one escalation: what it needs to be applied."""

    keeper: StageKeeper
    spec: WorkflowSpec
    esc: Escalation
    due_at: datetime
    now: datetime
    data: dict[str, Any]


DueHandler = Callable[[Due], tuple[str | None, str]]


def timeout(due: Due) -> tuple[str | None, str]:
    """The stage's clock passed: move on, or (at the top) record a breach and keep reminding."""
    keeper, spec, esc, due_at, data = due.keeper, due.spec, due.esc, due.due_at, due.data
    stage = spec.stage(esc.stage)
    if stage.on_timeout is None:
        esc.stage_due_at = None
        esc.stage_breached_at = due_at
        esc.remind_at = policy.cadence(stage, due_at, keeper.calendar)
        data["next_reminder"] = esc.remind_at.isoformat()
        return "stage_breach", (
            f"{stage.title}: no satisfactory response within {stage.clock.describe()}; reminders continue"
        )
    machine_for(spec).fire(esc, "timeout", reference=esc.reference)
    # The next clock starts when the deadline passed, not when the engine noticed, so a backlog
    # after downtime climbs exactly as it would have.
    if esc.stage in OUTCOMES:
        keeper.close(esc, stage.name, due_at)
    else:
        data |= keeper.enter(spec, esc, due_at)
    return (
        "timeout",
        f"No satisfactory response within {stage.clock.describe()} at {stage.title}; moved on",
    )


def breach(due: Due) -> tuple[str | None, str]:
    """The overall limit across stages passed: noted once."""
    esc, limit_spec = due.esc, due.spec.overall_limit
    esc.overall_breached_at = due.due_at
    limit = limit_spec.clock.describe() if limit_spec else "the workflow"
    return "overall_breach", f"The overall limit of {limit} has passed"


def remind(due: Due) -> tuple[str | None, str]:
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
    due.data["to"] = list(esc.with_people)
    waiting = "a judgement of the response" if esc.status == "responded" else "a response"
    awaited_from = ", ".join(esc.with_people) or ", ".join(esc.with_roles)
    return "reminder", f"{stage.title}: {waiting} is awaited from {awaited_from}"


#: Keyed by the kind of due item, named as the audit trail names what it records.
HANDLERS: dict[str, DueHandler] = {
    "timeout": timeout,
    "overall_breach": breach,
    "reminder": remind,
}
