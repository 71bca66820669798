"""Moving an escalation to a stage the IRO chooses: ``bypass`` (skip to a stage, where the
workflow allows, after consulting whom it names) and ``reopen`` (a closed escalation, at a stage,
within the time the workflow allows)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from escalation_engine.domain import policy
from escalation_engine.domain.actions.base import Action, ActionContext, Command, Input, Move, given
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.events import PersonEvent
from escalation_engine.domain.people import named
from escalation_engine.errors import InvalidInput
from escalation_engine.spec.model import WorkflowSpec

#: Outcomes a closed escalation can be reopened from.
REOPENABLE = ("resolved", "withdrawn", "unresolved", "referred_to_cafcass")

BYPASS_TO = Input(
    name="target", kind="stage", fact="the stage to go to", option="--to", metavar="STAGE",
    label="Move it to", help="The stage to go to.", sample="director",
    required=True,
)  # fmt: skip
CONSULTED = Input(
    name="consulted", kind="person", fact="who was consulted", option="--consulted",
    metavar="USERNAME", label="Who you consulted",
    hint="Their username, where the workflow says to consult someone first",
    help="Username of the person you consulted.", sample="priya",
)  # fmt: skip
BYPASS_DUE = Input(
    name="until", kind="day", fact="the deadline you set", option="--due", metavar="YYYY-MM-DD",
    label="Deadline you set", hint="Where the stage lets you set it, for example 2026-12-18",
    help="Deadline you set, where the stage lets you.",
)  # fmt: skip
REOPEN_AT = Input(
    name="target", kind="stage", fact="the stage to reopen at", option="--to", metavar="STAGE",
    label="Reopen it at", help="Stage to reopen at (default: the workflow's rule).",
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Bypass(Command):
    target: str = given(BYPASS_TO, "")
    consulted: str | None = given(CONSULTED)
    until: date | None = given(BYPASS_DUE)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reopen(Command):
    target: str | None = given(REOPEN_AT)


@dataclass(frozen=True, slots=True, kw_only=True)
class Bypassed(PersonEvent):
    ACTION: ClassVar[str] = "bypass"
    OPTIONAL: ClassVar[frozenset[str]] = PersonEvent.OPTIONAL | {"consulted"}
    consulted: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Reopened(PersonEvent):
    ACTION: ClassVar[str] = "reopen"
    previous_outcome: str | None = None


def bypass(ctx: ActionContext, esc: Escalation, command: Bypass) -> Bypassed:
    consult = ctx.spec.bypass.consult
    if consult is None:
        return Bypassed()
    title = consult.replace("_", " ")
    if not command.consulted:
        raise InvalidInput(
            f"A bypass must be discussed with the {title} first; name who you consulted.",
            given=CONSULTED,
        )
    who = named(ctx.people, command.consulted)
    if consult not in who.roles:
        raise InvalidInput(
            f"{who.name} ({who.username}) is not a {title}; name one who is.", given=CONSULTED
        )
    return Bypassed(consulted=who.username)


def reopen(ctx: ActionContext, esc: Escalation, command: Reopen) -> Reopened:
    within = ctx.spec.reopen.within
    if within is not None and esc.closed_at is not None:
        latest = policy.deadline_after(within, esc.closed_at, ctx.calendar).due
        if ctx.now > latest:
            raise InvalidInput(
                f"{esc.reference} closed on {esc.closed_at:%Y-%m-%d}; {ctx.spec.name} allows"
                f" reopening within {within.describe()}. Raise a new alert instead."
            )
    event = Reopened(previous_outcome=esc.outcome)
    esc.outcome, esc.closed_at = None, None
    return event


def _bypassing(spec: WorkflowSpec) -> Iterable[Move]:
    if spec.bypass.allowed:
        for stage in spec.stages:
            for other in spec.stage_names:
                if other != stage.name:
                    yield Move(stage.name, other, target=other)


def _reopening(spec: WorkflowSpec) -> Iterable[Move]:
    if spec.reopen.allowed:
        for outcome in REOPENABLE:
            for stage in spec.stage_names:
                yield Move(outcome, stage, target=stage)


def default_reopening(spec: WorkflowSpec, esc: Escalation) -> str | None:
    """The stage ``reopen`` goes to when none is named: the workflow's rule."""
    return esc.last_stage if spec.reopen.to == "last_stage" else spec.reopen.to


BYPASS = Action(
    name="bypass", command=Bypass, event=Bypassed, handle=bypass, moves=_bypassing,
    cli="bypass", title="Bypass to another stage",
    summary="Skip to a stage, with a reason (and, where required, after consulting someone).",
    example="Serious risk to the placement", done="bypassed", headline="moved by bypass",
    note_required=True, target=BYPASS_TO, sets_due=BYPASS_DUE,
)  # fmt: skip
REOPEN = Action(
    name="reopen", command=Reopen, event=Reopened, handle=reopen, moves=_reopening,
    cli="reopen", title="Reopen", summary="Reopen a closed escalation; its history is kept.",
    example="Agreed actions not carried out", done="reopened it", headline="reopened",
    note_required=True, target=REOPEN_AT,
)  # fmt: skip
