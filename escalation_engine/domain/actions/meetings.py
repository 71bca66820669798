"""``meeting``: a dispute resolution meeting recorded on the escalation: when it was held, who
attended by role, what it decided and what happens next. Councils report how many were held."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

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

HELD_ON = Input(
    name="held_on", kind="day", fact="the day the meeting was held", option="--held",
    metavar="YYYY-MM-DD", label="Day it was held", hint="For example, 2026-12-01",
    help="The day it was held, YYYY-MM-DD.", sample="2026-03-02", required=True,
)  # fmt: skip
ATTENDEES = Input(
    name="attendees", kind="roles", fact="who attended, by role", option="--attendee",
    metavar="ROLE", label="Who attended", hint="The roles that attended",
    help="A role that attended (repeat for each), e.g. team_manager.",
    sample="iro team_manager", required=True,
)  # fmt: skip
OUTCOME = Input(
    name="outcome", kind="long_text", fact="what the meeting decided", option="--outcome",
    metavar="TEXT", label="What was agreed", help="What the meeting decided.",
    sample="Permanence meeting set for 12 March", required=True,
)  # fmt: skip
NEXT_STEP = Input(
    name="next_step", kind="long_text", fact="the next step", option="--next-step",
    metavar="TEXT", label="Next step", help="What happens next, and who does it.",
    sample="Team manager to confirm the date",
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldMeeting(Command):
    held_on: date | None = given(HELD_ON)
    attendees: tuple[str, ...] = given(ATTENDEES)
    outcome: str = given(OUTCOME, "")
    next_step: str = given(NEXT_STEP, "")


@dataclass(frozen=True, slots=True, kw_only=True)
class MeetingHeld(PersonEvent):
    """A dispute resolution meeting: when, who attended (by role), what it decided, what next."""

    ACTION: ClassVar[str] = "meeting"
    OPTIONAL: ClassVar[frozenset[str]] = PersonEvent.OPTIONAL | {"next_step"}
    held_on: str = ""
    attendees: tuple[str, ...] = ()
    outcome: str = ""
    next_step: str | None = None


def meeting(ctx: ActionContext, esc: Escalation, command: HoldMeeting) -> MeetingHeld:
    """Record a dispute resolution meeting: held on a day between raising and today, attended by
    roles the workflow knows, with its outcome and the next step."""
    if not command.outcome.strip():
        raise InvalidInput("Say what the meeting decided.", given=OUTCOME)
    if command.held_on is None:
        raise InvalidInput("Give the day the meeting was held.", given=HELD_ON)
    today = ctx.calendar.local_day(ctx.now)
    raised = ctx.calendar.local_day(esc.raised_at)
    if not raised <= command.held_on <= today:
        raise InvalidInput(
            f"The meeting's day, {command.held_on}, is not between the day {esc.reference} was"
            f" raised ({raised}) and today ({today}); give the day the meeting took place.",
            given=HELD_ON,
        )
    known = (*ctx.spec.roles, "raiser")
    unknown = [role for role in command.attendees if role not in known]
    if not command.attendees or unknown:
        raise InvalidInput(
            f"Give who attended by role, one for each role, from: {', '.join(known)}"
            + (
                f"; {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not one."
                if unknown
                else "."
            ),
            given=ATTENDEES,
        )
    return MeetingHeld(
        held_on=command.held_on.isoformat(), attendees=tuple(dict.fromkeys(command.attendees)),
        outcome=command.outcome.strip(), next_step=command.next_step.strip() or None,
    )  # fmt: skip


MEETING = Action(
    name="meeting", command=HoldMeeting, event=MeetingHeld, handle=meeting,
    moves=at_every_stage(), cli="meeting", title="Record a meeting",
    summary="Record a dispute resolution meeting: when, who attended by role, what it decided,"
            " and the next step.",
    example="", done="recorded a dispute resolution meeting",
    headline="meeting recorded",
)  # fmt: skip
