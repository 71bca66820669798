"""What each person's action does besides moving the machine: checks and changes of its own.

Each function runs inside the command's transaction, after the machine has said the action is
allowed at the stage and the person's role has been checked, and before the machine moves. It may
refuse (raising, so nothing is written), change the escalation, and returns the event the audit
entry records (the service adds the role it was taken in and the stage it led to).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from escalation_engine.domain import events as ev
from escalation_engine.domain import policy
from escalation_engine.domain.calendar import WorkingCalendar
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.people import Person, named
from escalation_engine.errors import InvalidInput
from escalation_engine.spec.model import WorkflowSpec


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """Everything a person can say with an action."""

    note: str = ""
    target: str | None = None
    until: date | datetime | None = None
    holding: bool = False
    follow_up: date | None = None
    consulted: str | None = None
    #: Why it closes as it does, one of the workflow's ``outcome_reasons`` for that outcome.
    reason: str | None = None
    meeting: Meeting | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Meeting:
    """What a dispute resolution meeting record says."""

    held_on: date
    attendees: tuple[str, ...]
    outcome: str
    next_step: str = ""


@dataclass(frozen=True, slots=True)
class Context:
    """What an action is handed: the calendar, everyone as they stand now, the workflow version,
    who acts and when."""

    calendar: WorkingCalendar
    people: Mapping[str, Person]
    spec: WorkflowSpec
    person: Person
    now: datetime
    #: The roles the person acts in, as the permission check (separation of duties included)
    #: left them.
    roles: tuple[str, ...] = ()


Handler = Callable[[Context, Escalation, Request], ev.PersonEvent]


def respond(ctx: Context, esc: Escalation, req: Request) -> ev.Responded:
    calendar = ctx.calendar
    # After the deadline passed at the top of the ladder the clock is stopped, but an answer
    # now is still late.
    due = esc.stage_due_at or esc.stage_breached_at
    # Said on the entry, so that reports count responses within timescale without replaying
    # every deadline and extension.
    responded = partial(
        ev.Responded, due=due.isoformat() if due else None, in_time=ctx.now <= due if due else None
    )
    if esc.status == "awaiting_escalation":
        raise InvalidInput(
            f"{esc.reference} has been judged not satisfactory and is waiting for"
            f" {', '.join(esc.with_people) or 'the ' + ' or '.join(esc.with_roles)} to escalate it;"
            " a further response cannot undo that. Nothing was written."
        )
    if esc.status == "responded":
        # A second response (a double submission, a retried script) would restart the judging.
        raise InvalidInput(
            f"{esc.reference} already has a response at this stage, waiting for"
            f" {', '.join(esc.with_people) or 'its judges'} to accept or reject it. Nothing was"
            " written."
        )
    if req.holding:
        esc.status = "holding"
        if req.follow_up is None:
            return responded(holding=True)
        moment = policy.due_from_person(
            req.follow_up, now=ctx.now, calendar=calendar, limit=None
        ).due
        esc.remind_at = min(m for m in (moment, esc.stage_due_at) if m is not None)
        return responded(holding=True, follow_up=req.follow_up.isoformat())
    esc.status = "responded"
    esc.stage_due_at = None  # the response is in: the clock stops while it is judged
    esc.remind_at = policy.cadence(ctx.spec.stage(esc.stage), ctx.now, calendar)
    return responded(judge_reminder=esc.remind_at.isoformat())


#: What a response leaves an escalation as, ready to be judged (a holding reply is judged too).
JUDGEABLE = ("responded", "holding")


def _new_judgement(ctx: Context, esc: Escalation, action: str) -> list[str]:
    """The judging roles ``ctx.person`` has not yet used on this response; refuse if there is no
    response to judge, or if they have judged it already."""
    who = f"{ctx.person.name} ({ctx.person.username})"
    if esc.status == "awaiting_escalation":
        raise InvalidInput(
            f"{esc.reference} has been judged not satisfactory and is waiting for"
            f" {', '.join(esc.with_people) or 'the ' + ' or '.join(esc.with_roles)} to escalate it."
            " Nothing was written."
        )
    if esc.status not in JUDGEABLE:
        early = ctx.spec.stage(esc.stage).on_unsatisfactory in ctx.spec.stage_names
        raise InvalidInput(
            f"{esc.reference} has no response to {action} yet: it is awaiting a response from"
            f" {', '.join(esc.with_people) or 'the stage responders'}."
            + (" To move it up now, use 'escalate';" if early else "")
            + (" to close it" if early else " To close it")
            + ", use 'withdraw'. Nothing was written."
        )
    judges = ctx.spec.stage(esc.stage).satisfied_by.roles
    filled = [role for role in ctx.roles if role in judges]
    fresh = [role for role in filled if role not in esc.satisfied]
    if filled and not fresh:
        still = [role for role in esc.required_satisfied if role not in esc.satisfied]
        waiting = f"; it is waiting for {', '.join(still).replace('_', ' ')}" if still else ""
        raise InvalidInput(
            f"{who} has already accepted this response to {esc.reference} (as"
            f" {', '.join(filled).replace('_', ' ')}){waiting}. Each judge gives one judgement;"
            " nothing was written."
        )
    return fresh


def accept(ctx: Context, esc: Escalation, req: Request) -> ev.Accepted:
    filled = _new_judgement(ctx, esc, "accept")
    esc.satisfied = tuple(sorted({*esc.satisfied, *filled}))
    waiting = [r for r in esc.required_satisfied if r not in esc.satisfied]
    return ev.Accepted(
        satisfied=esc.satisfied,
        still_to_satisfy=tuple(waiting) if esc.satisfied_mode == "all_of" else (),
    )


def reject(ctx: Context, esc: Escalation, req: Request) -> ev.Rejected:
    _new_judgement(ctx, esc, "reject")
    stage = ctx.spec.stage(esc.stage)
    step = stage.escalation_step
    if step is None:
        return ev.Rejected()
    # Not satisfied: the named role now has its own clock to carry out the escalation.
    deadline = policy.deadline_after(step.clock, ctx.now, ctx.calendar)
    esc.status = "awaiting_escalation"
    esc.stage_due_at = deadline.due
    esc.remind_at = policy.first_reminder(stage, deadline.due, ctx.now, ctx.calendar)
    return ev.Rejected(escalation_by=step.by, escalation_due=deadline.explain())


def bypass(ctx: Context, esc: Escalation, req: Request) -> ev.Bypassed:
    consult = ctx.spec.bypass.consult
    if consult is None:
        return ev.Bypassed()
    title = consult.replace("_", " ")
    if not req.consulted:
        raise InvalidInput(
            f"A bypass must be discussed with the {title} first; name them with --consulted USERNAME."
        )
    who = named(ctx.people, req.consulted)
    if consult not in who.roles:
        raise InvalidInput(
            f"{who.name} ({who.username}) is not a {title}; name one who is with --consulted."
        )
    return ev.Bypassed(consulted=who.username)


def extend(ctx: Context, esc: Escalation, req: Request) -> ev.Extended:
    calendar = ctx.calendar
    if req.until is None:
        raise InvalidInput("Give the new deadline with --until YYYY-MM-DD.")
    if esc.stage_due_at is None:
        raise InvalidInput(
            f"{esc.reference} has no running stage clock to extend (status {esc.status})."
        )
    new = policy.due_from_person(req.until, now=ctx.now, calendar=calendar, limit=None)
    if new.due <= esc.stage_due_at:
        raise InvalidInput(
            f"{req.until.isoformat()} is not later than the current deadline"
            f" ({esc.stage_due_at.astimezone(calendar.tz):%Y-%m-%d %H:%M}); an extension must move it later."
        )
    previous = esc.stage_due_at
    esc.stage_due_at = new.due
    esc.remind_at = policy.first_reminder(ctx.spec.stage(esc.stage), new.due, ctx.now, calendar)
    return ev.Extended(previous_due=previous.isoformat(), stage_due=new.explain())


def refer_cafcass(ctx: Context, esc: Escalation, req: Request) -> ev.ReferredToCafcass:
    if ctx.spec.cafcass.looked_after_only and not esc.looked_after:
        raise InvalidInput(
            f"{esc.reference} is about a child who is not looked after; under {ctx.spec.name} Cafcass"
            " referrals are for children in care only."
        )
    if esc.cafcass_referred_at is not None:
        raise InvalidInput(
            f"{esc.reference} was already referred to Cafcass on {esc.cafcass_referred_at:%Y-%m-%d}."
        )
    esc.cafcass_referred_at = ctx.now
    return ev.ReferredToCafcass(concurrent=ctx.spec.cafcass.concurrent)


def reopen(ctx: Context, esc: Escalation, req: Request) -> ev.Reopened:
    within = ctx.spec.reopen.within
    if within is not None and esc.closed_at is not None:
        latest = policy.deadline_after(within, esc.closed_at, ctx.calendar).due
        if ctx.now > latest:
            raise InvalidInput(
                f"{esc.reference} closed on {esc.closed_at:%Y-%m-%d}; {ctx.spec.name} allows reopening"
                f" within {within.describe()}. Raise a new alert instead."
            )
    event = ev.Reopened(previous_outcome=esc.outcome)
    esc.outcome, esc.closed_at = None, None
    return event


def rate(ctx: Context, esc: Escalation, req: Request) -> ev.Rated:
    """A rating moves the escalation up only to a tier above where it is, and down only if it is
    better than the rating before: confirming "still Red" after it climbed leaves it where it is."""
    stages = ctx.spec.stage_names
    drives = ctx.spec.rag.drives if ctx.spec.rag else {}

    def level(rating: str | None) -> int:
        target = drives.get(rating) if rating is not None else None
        if rating is None:
            return stages.index(esc.stage)
        return stages.index(target) if target in stages else -1

    new = req.target
    esc.rating_moves = new != esc.rag and (
        level(new) > stages.index(esc.stage) or level(new) < level(esc.rag)
    )
    event = ev.Rated(previous_rating=esc.rag, rating=new)
    esc.rag = new
    return event


def reallocate(ctx: Context, esc: Escalation, req: Request) -> ev.Reallocated:
    """The raising IRO leaves or the case moves to another IRO: the escalation follows the case."""
    if not req.target:
        raise InvalidInput("Name the IRO taking the escalation over with --to USERNAME.")
    new = named(ctx.people, req.target)
    allowed = ctx.spec.alert_type(esc.alert_type).raised_by
    if not set(new.roles) & set(allowed):
        raise InvalidInput(
            f"{new.name} ({new.username}) cannot hold a {esc.alert_type.replace('_', ' ')}: that needs"
            f" {' or '.join(allowed)}."
        )
    if new.username == esc.raised_by:
        raise InvalidInput(f"{esc.reference} is already held by {new.username}.")
    event = ev.Reallocated(previous_raiser=esc.raised_by, raiser=new.username)
    esc.raised_by = new.username
    return event


def not_looked_after(ctx: Context, esc: Escalation, req: Request) -> ev.NoLongerLookedAfter:
    """The child has ceased to be looked after: recorded, and Cafcass closes where it is for
    children in care only."""
    if not esc.looked_after:
        raise InvalidInput(f"{esc.reference} already records that the child is not looked after.")
    esc.looked_after = False
    return ev.NoLongerLookedAfter(looked_after=False)


def meeting(ctx: Context, esc: Escalation, req: Request) -> ev.MeetingHeld:
    """Record a dispute resolution meeting: held on a day between raising and today, attended by
    roles the workflow knows, with its outcome and the next step."""
    held = req.meeting
    if held is None or not held.outcome.strip():
        raise InvalidInput("Say what the meeting decided with --outcome.")
    today = ctx.calendar.local_day(ctx.now)
    raised = ctx.calendar.local_day(esc.raised_at)
    if not raised <= held.held_on <= today:
        raise InvalidInput(
            f"--held {held.held_on} is not between the day {esc.reference} was raised ({raised})"
            f" and today ({today}); give the day the meeting took place."
        )
    known = (*ctx.spec.roles, "raiser")
    unknown = [role for role in held.attendees if role not in known]
    if not held.attendees or unknown:
        raise InvalidInput(
            f"Give who attended by role with --attendee (one per role), from: {', '.join(known)}"
            + (
                f"; {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not one."
                if unknown
                else "."
            )
        )
    return ev.MeetingHeld(
        held_on=held.held_on.isoformat(), attendees=tuple(dict.fromkeys(held.attendees)),
        outcome=held.outcome.strip(), next_step=held.next_step.strip() or None,
    )  # fmt: skip


HANDLERS: dict[str, Handler] = {
    "meeting": meeting,
    "reallocate": reallocate,
    "not_looked_after": not_looked_after,
    "respond": respond,
    "accept": accept,
    "reject": reject,
    "bypass": bypass,
    "extend": extend,
    "refer_cafcass": refer_cafcass,
    "reopen": reopen,
    "rate": rate,
}
