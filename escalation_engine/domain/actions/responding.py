"""``respond``: a manager answers the escalation that is with them, in full or with a holding
reply, and the clock stops while the response is judged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import ClassVar

from escalation_engine.domain import policy
from escalation_engine.domain.actions.base import (
    Action,
    ActionContext,
    Command,
    Input,
    at_every_stage,
    given,
)
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.events import PersonEvent
from escalation_engine.errors import InvalidInput

HOLDING = Input(
    name="holding", kind="flag", fact="a holding response", option="--holding", metavar="",
    label="This is a holding response: more will follow", help="A holding response: more to follow.",
)  # fmt: skip
FOLLOW_UP = Input(
    name="follow_up", kind="day", fact="the day the full response will come",
    option="--follow-up", metavar="YYYY-MM-DD", label="When the full response will come",
    hint="For example, 2026-12-18", help="With --holding: when the full response will come.",
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Respond(Command):
    holding: bool = given(HOLDING, False)
    follow_up: date | None = given(FOLLOW_UP)


@dataclass(frozen=True, slots=True, kw_only=True)
class Responded(PersonEvent):
    ACTION: ClassVar[str] = "respond"
    OPTIONAL: ClassVar[frozenset[str]] = PersonEvent.OPTIONAL | {
        "holding", "follow_up", "judge_reminder", "due", "in_time",
    }  # fmt: skip
    holding: bool | None = None
    follow_up: str | None = None
    judge_reminder: str | None = None
    #: The stage's deadline when the response came, and whether it came by then (reports count
    #: responses within timescale from these); left out at a stage with no clock.
    due: str | None = None
    in_time: bool | None = None


def _waiting_for(esc: Escalation) -> str:
    return ", ".join(esc.with_people) or "the " + " or ".join(esc.with_roles)


def respond(ctx: ActionContext, esc: Escalation, command: Respond) -> Responded:
    # After the deadline passed at the top of the ladder the clock is stopped, but an answer
    # now is still late. Said on the entry, so that reports count responses within timescale
    # without replaying every deadline and extension.
    due = esc.stage_due_at or esc.stage_breached_at
    timing = partial(
        Responded, due=due.isoformat() if due else None, in_time=ctx.now <= due if due else None
    )
    if esc.status == "awaiting_escalation":
        raise InvalidInput(
            f"{esc.reference} has been judged not satisfactory and is waiting for"
            f" {_waiting_for(esc)} to escalate it; a further response cannot undo that. Nothing"
            " was written."
        )
    if esc.status == "responded":
        # A second response (a double submission, a retried script) would restart the judging.
        raise InvalidInput(
            f"{esc.reference} already has a response at this stage, waiting for"
            f" {', '.join(esc.with_people) or 'its judges'} to accept or reject it. Nothing was"
            " written."
        )
    if command.holding:
        esc.status = "holding"
        if command.follow_up is None:
            return timing(holding=True)
        moment = policy.due_from_person(
            command.follow_up, now=ctx.now, calendar=ctx.calendar, limit=None, given=FOLLOW_UP
        ).due
        esc.remind_at = min(m for m in (moment, esc.stage_due_at) if m is not None)
        return timing(holding=True, follow_up=command.follow_up.isoformat())
    esc.status = "responded"
    esc.stage_due_at = None  # the response is in: the clock stops while it is judged
    esc.remind_at = policy.cadence(ctx.spec.stage(esc.stage), ctx.now, ctx.calendar)
    return timing(judge_reminder=esc.remind_at.isoformat())


RESPOND = Action(
    name="respond", command=Respond, event=Responded, handle=respond, moves=at_every_stage(),
    cli="respond", title="Respond", summary="Respond to an escalation that is with you.",
    example="Permanence planning meeting booked for 12 March", done="responded",
    headline="response received", note_required=True, reached=True,
    open_now=lambda esc: esc.status not in ("responded", "awaiting_escalation"),
)  # fmt: skip
