"""Entering, leaving and routing a stage: the bookkeeping every move between stages shares.

A person's action, a timeout and a RAG rating can all move an escalation; each then needs the
same things done: a new deadline with the inputs that produced it, a reminder, the overall limit
started if this is the first formal stage, the people it is now with, and who else is told.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from escalation_engine.domain import policy
from escalation_engine.domain.calendar import Deadline, WorkingCalendar
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.events import Entered, Told
from escalation_engine.domain.inputs import DUE
from escalation_engine.domain.people import Person
from escalation_engine.domain.routing import holders, route
from escalation_engine.errors import InvalidInput
from escalation_engine.spec.model import OUTCOMES, StageSpec, WorkflowSpec


class StageKeeper:
    """Applies a workflow's stage rules to an escalation, given the people and the calendar."""

    def __init__(self, calendar: WorkingCalendar, people: Mapping[str, Person]) -> None:
        self.calendar = calendar
        #: Everyone as they stand now (who is away), which routing reads.
        self.people = people

    def among(self, people: Mapping[str, Person]) -> StageKeeper:
        """The same rules, routing among ``people`` as they stand at the moment of a change."""
        return StageKeeper(self.calendar, people)

    def prepare(self, spec: WorkflowSpec, escalation: Escalation) -> None:
        """Tell the escalation who must be satisfied at its current stage (for the machine)."""
        if escalation.stage in spec.stage_names:
            stage = spec.stage(escalation.stage)
            escalation.required_satisfied = stage.satisfied_by.roles
            escalation.satisfied_mode = stage.satisfied_by.mode

    def _deadline(
        self, stage: StageSpec, escalation: Escalation, at: datetime, due: date | datetime | None
    ) -> Deadline | None:
        clock = stage.clock
        if clock.kind == "set_by_raiser":
            if due is not None:
                return policy.due_from_person(
                    due, now=at, calendar=self.calendar, limit=clock.maximum
                )
            if clock.maximum is None:
                raise InvalidInput(
                    f"Stage {stage.name!r} has a timescale the raiser sets; give the deadline.",
                    given=DUE,
                )
            return policy.deadline_after(clock.maximum, at, self.calendar)
        if not clock.has_deadline:
            return None
        start = policy.clock_start(stage, escalation, at, self.calendar)
        return policy.deadline_after(clock, start, self.calendar)

    def enter(
        self,
        spec: WorkflowSpec,
        escalation: Escalation,
        at: datetime,
        *,
        due: date | datetime | None = None,
    ) -> Entered:
        """Put ``escalation`` at the start of its (new) stage; return the account for the audit."""
        stage = spec.stage(escalation.stage)
        escalation.status = "awaiting_response"
        escalation.handled_by = None  # a new stage, new people: nobody has said yet
        escalation.stage_entered_at = at
        escalation.satisfied = ()
        escalation.stage_breached_at = None
        escalation.stages_reached = (*escalation.stages_reached, stage.name)
        self.prepare(spec, escalation)
        deadline = self._deadline(stage, escalation, at, due)
        escalation.stage_due_at = deadline.due if deadline else None
        escalation.remind_at = policy.first_reminder(
            stage, escalation.stage_due_at, at, self.calendar
        )
        overall_due = None
        limit = spec.overall_limit
        if limit is not None and limit.starts == "formal" and not stage.formal:
            # Back out of the formal process (say a Red rating improved to Amber): its limit no
            # longer runs, and starts afresh if the escalation becomes formal again.
            escalation.overall_started_at = escalation.overall_due_at = None
            escalation.overall_breached_at = None
        starts_now = stage.formal or (limit is not None and limit.starts == "raised")
        if limit and escalation.overall_started_at is None and starts_now:
            start = escalation.raised_at if limit.starts == "raised" else at
            overall = policy.deadline_after(limit.clock, start, self.calendar)
            escalation.overall_started_at = start
            escalation.overall_due_at = overall.due
            overall_due = overall.explain()
        why = self.reroute(spec, escalation)
        return Entered(
            routed=why,
            stage_due=deadline.explain() if deadline else None,
            remind_at=escalation.remind_at.isoformat() if escalation.remind_at else None,
            overall_due=overall_due,
            with_people=escalation.with_people,
            told=self.told(stage, escalation),
        )

    def told(self, stage: StageSpec, escalation: Escalation) -> Told:
        """Who else hears of the stage being reached: copies, watchers, the raiser's manager."""
        people = self.people
        raiser = people.get(escalation.raised_by)
        manager = stage.notify_raisers_manager and raiser is not None and raiser.manager
        return Told(
            copy=tuple(holders(people, stage.copy, escalation, stage.scope)),
            watchers=tuple(holders(people, stage.watchers, escalation, stage.scope)),
            raisers_manager=(raiser.manager,) if manager and raiser and raiser.manager else (),
            addressed=tuple(holders(people, stage.addressees, escalation, stage.scope)),
        )

    def reroute(self, spec: WorkflowSpec, escalation: Escalation) -> str | None:
        """Recompute who the escalation is waiting on (none once it is closed); return why, when
        it is not the stage's own responders."""
        if not escalation.is_open:
            escalation.with_roles, escalation.with_people = (), ()
            return None
        routing = route(self.people, spec.stage(escalation.stage), escalation)
        escalation.with_roles, escalation.with_people = routing.roles, routing.people
        return routing.why

    def close(self, escalation: Escalation, from_stage: str, at: datetime) -> None:
        """Record that the machine moved ``escalation`` into an outcome at ``at``."""
        escalation.outcome = escalation.stage
        escalation.last_stage = None if from_stage in OUTCOMES else from_stage
        escalation.status = "closed"
        escalation.handled_by = None
        escalation.closed_at = at
        # The overall deadline is kept: if the escalation is reopened, the original limit still
        # stands (a closed escalation has nothing due, whatever its fields say).
        escalation.stage_due_at = escalation.remind_at = None
        escalation.with_roles, escalation.with_people = (), ()
