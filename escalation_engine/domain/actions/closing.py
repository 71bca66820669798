"""Closing an escalation, or recording a fact that may close it: ``withdraw``, ``supersede``,
``refer_cafcass`` (at the end of the process or alongside it, where the workflow allows) and
``not_looked_after`` (the child has ceased to be looked after)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from escalation_engine.domain.actions.base import (
    Action,
    ActionContext,
    Command,
    Move,
    at_every_stage,
)
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.events import PersonEvent
from escalation_engine.errors import InvalidInput
from escalation_engine.spec.model import WorkflowSpec


@dataclass(frozen=True, slots=True, kw_only=True)
class Close(Command):
    """A note, and the reason where the workflow lists reasons for the outcome."""

    CLOSES: ClassVar[bool] = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Withdrawn(PersonEvent):
    ACTION: ClassVar[str] = "withdraw"


@dataclass(frozen=True, slots=True, kw_only=True)
class Superseded(PersonEvent):
    ACTION: ClassVar[str] = "supersede"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferredToCafcass(PersonEvent):
    ACTION: ClassVar[str] = "refer_cafcass"
    concurrent: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class NoLongerLookedAfter(PersonEvent):
    ACTION: ClassVar[str] = "not_looked_after"
    looked_after: bool = False


def refer_cafcass(ctx: ActionContext, esc: Escalation, command: Close) -> ReferredToCafcass:
    if ctx.spec.cafcass.looked_after_only and not esc.looked_after:
        raise InvalidInput(
            f"{esc.reference} is about a child who is not looked after; under {ctx.spec.name}"
            " Cafcass referrals are for children in care only."
        )
    if esc.cafcass_referred_at is not None:
        raise InvalidInput(
            f"{esc.reference} was already referred to Cafcass on"
            f" {esc.cafcass_referred_at:%Y-%m-%d}."
        )
    esc.cafcass_referred_at = ctx.now
    return ReferredToCafcass(concurrent=ctx.spec.cafcass.concurrent)


def not_looked_after(ctx: ActionContext, esc: Escalation, command: Close) -> NoLongerLookedAfter:
    """The child has ceased to be looked after: recorded, and Cafcass closes where it is for
    children in care only."""
    if not esc.looked_after:
        raise InvalidInput(f"{esc.reference} already records that the child is not looked after.")
    esc.looked_after = False
    return NoLongerLookedAfter(looked_after=False)


def _referring(spec: WorkflowSpec) -> Iterable[Move]:
    cafcass = spec.cafcass
    if not cafcass.allowed:
        return
    for stage in spec.stages:
        if cafcass.from_stages is None or stage.name in cafcass.from_stages:
            yield Move(stage.name, None if cafcass.concurrent else "referred_to_cafcass")


WITHDRAW = Action(
    name="withdraw", command=Close, event=Withdrawn, handle=None,
    moves=at_every_stage("withdrawn"), cli="withdraw", title="Withdraw",
    summary="Withdraw the escalation.", example="Raised on the wrong child's record",
    done="withdrew it", headline="withdrawn", note_required=True,
)  # fmt: skip
SUPERSEDE = Action(
    name="supersede", command=Close, event=Superseded, handle=None,
    moves=at_every_stage("superseded"), cli="supersede", title="Supersede",
    summary="Close the escalation as superseded (e.g. by a newer alert).",
    example="Superseded by ESC-2026-0051", done="closed it as superseded",
    headline="superseded", note_required=True,
)  # fmt: skip
REFER_CAFCASS = Action(
    name="refer_cafcass", command=Close, event=ReferredToCafcass, handle=refer_cafcass,
    moves=_referring, cli="refer-cafcass", title="Refer to Cafcass",
    summary="Refer the case to Cafcass (children in care only, where the workflow says so).",
    example="Child's right to family life at risk", done="referred to Cafcass",
    headline="referred to Cafcass", note_required=True,
)  # fmt: skip
NOT_LOOKED_AFTER = Action(
    name="not_looked_after", command=Close, event=NoLongerLookedAfter, handle=not_looked_after,
    moves=at_every_stage(), cli="not-looked-after", title="Record not looked after",
    summary="Record that the child has ceased to be looked after (Cafcass then closes where it"
            " is for children in care only).",
    example="Returned home under a supervision order",
    done="recorded the child no longer looked after", headline="not looked after",
    note_required=True,
)  # fmt: skip
