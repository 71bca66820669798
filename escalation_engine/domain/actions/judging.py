"""Judging a response: ``accept`` it (resolving the escalation once everyone needed agrees),
``reject`` it as unsatisfactory (it moves up, or waits for the role that carries out the
escalation), or ``escalate`` early without waiting for the deadline."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from escalation_engine.domain import policy
from escalation_engine.domain.actions.base import Action, ActionContext, Command, Move
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.events import PersonEvent
from escalation_engine.errors import InvalidInput
from escalation_engine.spec.model import WorkflowSpec

#: What a response leaves an escalation as, ready to be judged (a holding reply is judged too).
JUDGEABLE = ("responded", "holding")


@dataclass(frozen=True, slots=True, kw_only=True)
class Judge(Command):
    """A judgement: a note, and the reason where it closes the escalation."""

    CLOSES: ClassVar[bool] = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Accepted(PersonEvent):
    ACTION: ClassVar[str] = "accept"
    satisfied: tuple[str, ...] = ()
    still_to_satisfy: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejected(PersonEvent):
    ACTION: ClassVar[str] = "reject"
    OPTIONAL: ClassVar[frozenset[str]] = PersonEvent.OPTIONAL | {
        "escalation_by",
        "escalation_due",
    }
    #: Where the workflow names who carries out the escalation: them, and their deadline.
    escalation_by: tuple[str, ...] | None = None
    escalation_due: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Escalated(PersonEvent):
    ACTION: ClassVar[str] = "escalate"


def _waiting_for(esc: Escalation) -> str:
    return ", ".join(esc.with_people) or "the " + " or ".join(esc.with_roles)


def _new_judgement(ctx: ActionContext, esc: Escalation, action: str) -> list[str]:
    """The judging roles the person has not yet used on this response; refuse if there is no
    response to judge, or if they have judged it already."""
    who = f"{ctx.person.name} ({ctx.person.username})"
    if esc.status == "awaiting_escalation":
        raise InvalidInput(
            f"{esc.reference} has been judged not satisfactory and is waiting for"
            f" {_waiting_for(esc)} to escalate it. Nothing was written."
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


def accept(ctx: ActionContext, esc: Escalation, command: Judge) -> Accepted:
    filled = _new_judgement(ctx, esc, "accept")
    esc.satisfied = tuple(sorted({*esc.satisfied, *filled}))
    waiting = [r for r in esc.required_satisfied if r not in esc.satisfied]
    return Accepted(
        satisfied=esc.satisfied,
        still_to_satisfy=tuple(waiting) if esc.satisfied_mode == "all_of" else (),
    )


def reject(ctx: ActionContext, esc: Escalation, command: Judge) -> Rejected:
    _new_judgement(ctx, esc, "reject")
    stage = ctx.spec.stage(esc.stage)
    step = stage.escalation_step
    if step is None:
        return Rejected()
    # Not satisfied: the named role now has its own clock to carry out the escalation.
    deadline = policy.deadline_after(step.clock, ctx.now, ctx.calendar)
    esc.status = "awaiting_escalation"
    esc.stage_due_at = deadline.due
    esc.remind_at = policy.first_reminder(stage, deadline.due, ctx.now, ctx.calendar)
    return Rejected(escalation_by=step.by, escalation_due=deadline.explain())


def _accepting(spec: WorkflowSpec) -> Iterable[Move]:
    for stage in spec.stages:
        if stage.satisfied_by.roles:
            yield Move(stage.name, "resolved", condition="is_satisfied")
            yield Move(stage.name, None)


def _rejecting(spec: WorkflowSpec) -> Iterable[Move]:
    for stage in spec.stages:
        if stage.on_unsatisfactory and stage.escalation_step is not None:
            # The rejection is recorded; the named role then carries out the escalation.
            yield Move(stage.name, None)
        elif stage.on_unsatisfactory:
            yield Move(stage.name, stage.on_unsatisfactory)


def _escalating(spec: WorkflowSpec) -> Iterable[Move]:
    for stage in spec.stages:
        up = stage.on_unsatisfactory
        if up and (stage.escalation_step is not None or up in spec.stage_names):
            yield Move(stage.name, up)


ACCEPT = Action(
    name="accept", command=Judge, event=Accepted, handle=accept, moves=_accepting,
    cli="accept", title="Accept",
    summary="Accept the response as satisfactory (resolves the escalation once everyone needed"
            " agrees).",
    example="Plan agreed; date set", done="accepted the response", headline="accepted",
    reached=True, open_now=lambda esc: esc.status in JUDGEABLE,
)  # fmt: skip
REJECT = Action(
    name="reject", command=Judge, event=Rejected, handle=reject, moves=_rejecting,
    cli="reject", title="Reject",
    summary="Reject the response as unsatisfactory: the escalation moves up.",
    example="No date for the permanence meeting", done="rejected the response",
    headline="escalated: response not satisfactory", note_required=True, reached=True,
    open_now=lambda esc: esc.status in JUDGEABLE,
)  # fmt: skip
ESCALATE = Action(
    name="escalate", command=Judge, event=Escalated, handle=None, moves=_escalating,
    cli="escalate", title="Escalate",
    summary="Move the escalation up one tier now, without waiting for the deadline.",
    example="Child's placement at risk this week", done="escalated early",
    headline="escalated early", reached=True,
)  # fmt: skip
