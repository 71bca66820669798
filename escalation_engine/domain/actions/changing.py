"""Changing an escalation's facts without moving it (unless its workflow says a rating does):
``extend`` the stage's deadline, give a RAG ``rate``, ``reallocate`` it to another IRO."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from escalation_engine.domain import policy
from escalation_engine.domain.actions.base import (
    Action,
    ActionContext,
    Command,
    Input,
    Move,
    at_every_stage,
    given,
)
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.events import PersonEvent
from escalation_engine.domain.people import named
from escalation_engine.errors import InvalidInput
from escalation_engine.spec.model import WorkflowSpec

NEW_DEADLINE = Input(
    name="until", kind="day", fact="the new deadline", option="--until", metavar="YYYY-MM-DD",
    label="New deadline", hint="For example, 2026-12-18", help="The new deadline, YYYY-MM-DD.",
    sample="2026-03-20", required=True,
)  # fmt: skip
RATING = Input(
    name="target", kind="rating", fact="the rating", option="--rating", metavar="RATING",
    label="Rating", help="The RAG rating, e.g. red, amber, green.", sample="green",
    required=True,
)  # fmt: skip
NEW_IRO = Input(
    name="target", kind="person", fact="the IRO taking it over", option="--to",
    metavar="USERNAME", label="The IRO taking it over", hint="Their username",
    help="Username of the IRO taking it over.", sample="tom", required=True,
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Extend(Command):
    until: date | None = given(NEW_DEADLINE)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rate(Command):
    CLOSES: ClassVar[bool] = True
    target: str = given(RATING, "")


@dataclass(frozen=True, slots=True, kw_only=True)
class Reallocate(Command):
    target: str = given(NEW_IRO, "")


@dataclass(frozen=True, slots=True, kw_only=True)
class Extended(PersonEvent):
    ACTION: ClassVar[str] = "extend"
    previous_due: str = ""
    stage_due: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rated(PersonEvent):
    ACTION: ClassVar[str] = "rate"
    previous_rating: str | None = None
    rating: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Reallocated(PersonEvent):
    ACTION: ClassVar[str] = "reallocate"
    previous_raiser: str = ""
    raiser: str = ""


def extend(ctx: ActionContext, esc: Escalation, command: Extend) -> Extended:
    if command.until is None:
        raise InvalidInput("Give the new deadline.", given=NEW_DEADLINE)
    if esc.stage_due_at is None:
        raise InvalidInput(
            f"{esc.reference} has no running stage clock to extend (status {esc.status})."
        )
    new = policy.due_from_person(
        command.until, now=ctx.now, calendar=ctx.calendar, limit=None, given=NEW_DEADLINE
    )
    if new.due <= esc.stage_due_at:
        raise InvalidInput(
            f"{command.until.isoformat()} is not later than the current deadline"
            f" ({esc.stage_due_at.astimezone(ctx.calendar.tz):%Y-%m-%d %H:%M}); an extension"
            " must move it later.",
            given=NEW_DEADLINE,
        )
    previous = esc.stage_due_at
    esc.stage_due_at = new.due
    esc.remind_at = policy.first_reminder(ctx.spec.stage(esc.stage), new.due, ctx.now, ctx.calendar)
    return Extended(previous_due=previous.isoformat(), stage_due=new.explain())


def rate(ctx: ActionContext, esc: Escalation, command: Rate) -> Rated:
    """A rating moves the escalation up only to a tier above where it is, and down only if it is
    better than the rating before: confirming "still Red" after it climbed leaves it where it is."""
    stages = ctx.spec.stage_names
    drives = ctx.spec.rag.drives if ctx.spec.rag else {}

    def level(rating: str | None) -> int:
        target = drives.get(rating) if rating is not None else None
        if rating is None:
            return stages.index(esc.stage)
        return stages.index(target) if target in stages else -1

    new = command.target
    esc.rating_moves = new != esc.rag and (
        level(new) > stages.index(esc.stage) or level(new) < level(esc.rag)
    )
    event = Rated(previous_rating=esc.rag, rating=new)
    esc.rag = new
    return event


def reallocate(ctx: ActionContext, esc: Escalation, command: Reallocate) -> Reallocated:
    """The raising IRO leaves or the case moves to another IRO: the escalation follows the case."""
    if not command.target:
        raise InvalidInput("Name the IRO taking the escalation over.", given=NEW_IRO)
    new = named(ctx.people, command.target)
    allowed = ctx.spec.alert_type(esc.alert_type).raised_by
    if not set(new.roles) & set(allowed):
        raise InvalidInput(
            f"{new.name} ({new.username}) cannot hold a {esc.alert_type.replace('_', ' ')}: that"
            f" needs {' or '.join(allowed)}.",
            given=NEW_IRO,
        )
    if new.username == esc.raised_by:
        raise InvalidInput(f"{esc.reference} is already held by {new.username}.", given=NEW_IRO)
    event = Reallocated(previous_raiser=esc.raised_by, raiser=new.username)
    esc.raised_by = new.username
    return event


def _rating(spec: WorkflowSpec) -> Iterable[Move]:
    for stage in spec.stages:
        for rating in spec.rag.names if spec.rag else ():
            target = spec.rag.drives.get(rating) if spec.rag else None
            if target is not None and target != stage.name:
                yield Move(stage.name, target, target=rating, condition="rating_moves")
            yield Move(stage.name, None, target=rating)


EXTEND = Action(
    name="extend", command=Extend, event=Extended, handle=extend, moves=at_every_stage(),
    cli="extend", title="Extend the deadline",
    summary="Extend the current stage's deadline (a named manager, with a reason).",
    example="Awaiting court date", done="extended the deadline", headline="deadline extended",
    note_required=True, reached=True, open_now=lambda esc: esc.stage_due_at is not None,
)  # fmt: skip
RATE = Action(
    name="rate", command=Rate, event=Rated, handle=rate, moves=_rating, cli="rate",
    title="Give a RAG rating",
    summary="Give a RAG rating (it may move the escalation, as the workflow says).",
    example="Plan back on track", done="gave a RAG rating", headline="RAG rating changed",
    target=RATING,
)  # fmt: skip
REALLOCATE = Action(
    name="reallocate", command=Reallocate, event=Reallocated, handle=reallocate,
    moves=at_every_stage(), cli="reallocate", title="Reallocate",
    summary="Move the escalation to another IRO (the raiser is leaving, or the case was"
            " reallocated).",
    example="Aisha's caseload reallocated", done="reallocated it", headline="reallocate",
    note_required=True,
)  # fmt: skip
