"""Saying "I'm on it": one of the people an escalation is with says they are handling it, so the
others at the stage (a team manager and their assistant, say) and whoever watches it can see it
is in hand instead of each picking it up or each leaving it to the other. It is an entry in the
trail like any action, and it lasts until the escalation moves to another stage or closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from escalation_engine.domain.actions.base import Action, ActionContext, Command, at_every_stage
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.events import PersonEvent
from escalation_engine.errors import InvalidInput


@dataclass(frozen=True, slots=True, kw_only=True)
class Handle(Command):
    """Nothing to give but an optional note ("calling the social worker today")."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Handling(PersonEvent):
    ACTION: ClassVar[str] = "handle"
    OPTIONAL: ClassVar[frozenset[str]] = PersonEvent.OPTIONAL | {"previous"}
    #: Who was handling it before (they are told they no longer are, by the entry).
    previous: str | None = None


def handle(ctx: ActionContext, esc: Escalation, command: Handle) -> Handling:
    me = ctx.person.username
    if esc.status == "responded":
        raise InvalidInput(
            f"{esc.reference} has a response waiting to be accepted or rejected: there is nothing"
            " to handle at this stage until then. Nothing was written."
        )
    if esc.handled_by == me:
        raise InvalidInput(
            f"You are already handling {esc.reference}: others see it. Nothing was written."
        )
    previous = esc.handled_by
    esc.handled_by = me
    return Handling(previous=previous)


HANDLE = Action(
    name="handle", command=Handle, event=Handling, handle=handle, moves=at_every_stage(),
    cli="handle", title="I'm on it",
    summary="Say you are handling it: the others it is with, and its watchers, see it is in hand.",
    example="Calling the social worker this afternoon", done="said they are handling it",
    headline="being handled", reached=True,
    open_now=lambda esc: esc.status != "responded",
    open_to=lambda esc, username: esc.handled_by != username,
)  # fmt: skip
