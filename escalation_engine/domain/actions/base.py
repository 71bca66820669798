"""What an action is made of, so that each is defined once, in one module.

An action is a typed command (what a person says with it: its note and its inputs), the event
its audit entry records, what it does besides moving the state machine, where the machine may
take the escalation with it at each stage, and its words. The command line, the API and the
desk's forms are generated from the command's inputs; the permission check, the machine, the
timeline and the notifications read the rest. Adding an action is a module here, its name in
``catalogue.py`` and its permission in ``spec/vocabulary.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar, Literal, NamedTuple

from escalation_engine.domain.calendar import WorkingCalendar
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.events import PersonEvent
from escalation_engine.domain.people import Person
from escalation_engine.spec.model import WorkflowSpec

#: How an input is given: a line of text, a paragraph, a day, a yes/no, several roles, or one
#: of the names the workflow or the service knows (a stage, a rating, a person).
Kind = Literal["text", "long_text", "day", "flag", "roles", "stage", "rating", "person"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Input:
    """Something a person gives with an action, besides its note, as every door spells it."""

    #: The command's attribute and the API's parameter.
    name: str
    kind: Kind
    #: What the rules call it in a refusal: "the new deadline".
    fact: str
    #: The command line's option and its placeholder: ``--until``, ``YYYY-MM-DD``.
    option: str
    metavar: str
    #: The desk's label and hint.
    label: str
    hint: str = ""
    #: The command line's help, and a value its examples show (several, for one given more
    #: than once, separated by spaces).
    help: str = ""
    sample: str = ""
    required: bool = False

    @property
    def many(self) -> bool:
        """Whether it is given more than once (each role that attended a meeting)."""
        return self.kind == "roles"


def given(what: Input, default: Any = None) -> Any:
    """A command's field for ``what``, found again by ``Command.inputs``."""
    if what.many:
        return field(default_factory=tuple, metadata={"input": what})
    return field(default=default, metadata={"input": what})


NOTE = Input(
    name="note", kind="long_text", fact="the note", option="--note", metavar="TEXT",
    label="Note", help="Why, in a sentence or two (recorded in the audit trail).",
)  # fmt: skip
REASON = Input(
    name="reason", kind="text", fact="the reason for the outcome", option="--outcome-reason",
    metavar="REASON", label="Why it closes",
    help="Why it closes, where the workflow lists reasons for the outcome.",
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """What a person says with an action: a note (required for most), and, where the action
    closes the escalation with an outcome the workflow gives reasons for, the reason."""

    note: str = field(default="", metadata={"input": NOTE})
    reason: str | None = field(default=None, metadata={"input": REASON})

    #: Whether the command carries an outcome's reason (the actions that close it).
    CLOSES: ClassVar[bool] = False

    @classmethod
    def inputs(cls) -> tuple[Input, ...]:
        """The action's own inputs, in order (not the note or the reason)."""
        found = [f.metadata["input"] for f in fields(cls) if "input" in f.metadata]
        return tuple(i for i in found if i not in (NOTE, REASON))


@dataclass(frozen=True, slots=True)
class ActionContext:
    """What an action is handed: the calendar, everyone as they stand now, the workflow version,
    who acts and when, and the roles they act in (as the permission check left them)."""

    calendar: WorkingCalendar
    people: Mapping[str, Person]
    spec: WorkflowSpec
    person: Person
    now: datetime
    roles: tuple[str, ...] = ()


class Move(NamedTuple):
    """One way the machine may take an escalation with an action: from ``source`` to ``dest``
    (``None``: it stays), aimed at ``target`` (a stage or a rating) where the action is aimed,
    and only when the escalation's ``condition`` holds."""

    source: str
    dest: str | None
    target: str | None = None
    condition: str | None = None


Handler = Callable[[ActionContext, Escalation, Any], PersonEvent]
MovesOf = Callable[[WorkflowSpec], Iterable[Move]]


def at_every_stage(dest: str | None = None) -> MovesOf:
    """The moves of an action every stage allows, staying put or closing as ``dest``."""

    def moves(spec: WorkflowSpec) -> Iterable[Move]:
        return [Move(stage.name, dest) for stage in spec.stages]

    return moves


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    """One kind of thing a person does to an escalation, defined once."""

    name: str
    command: type[Command]
    event: type[PersonEvent]
    #: What it does besides moving the machine; ``None``: it records who did it and where.
    handle: Handler | None
    moves: MovesOf
    #: The command people type, and the words of its help, its button, a timeline and a
    #: notification.
    cli: str
    title: str
    summary: str
    example: str
    done: str
    headline: str
    note_required: bool = False
    #: Which input names the stage or rating the machine's move is aimed at.
    target: Input | None = None
    #: Which input sets the deadline of the stage it moves into (where the stage lets a person).
    sets_due: Input | None = None
    #: A stage action: someone acting in a stage role must be within the escalation's reach.
    reached: bool = False
    #: Whether the escalation as it stands lets anyone take it (what a page or ``show`` offers:
    #: no "Respond" once it is answered); ``None``: whenever its stage allows it. Taking it
    #: checks everything again and says why not.
    open_now: Callable[[Escalation], bool] | None = None
    #: Whether the escalation as it stands leaves the action open to this person (by
    #: username), where it may be closed to one and open to others ("I'm on it" is not offered
    #: to whoever already said it).
    open_to: Callable[[Escalation, str], bool] | None = None

    def offered(self, esc: Escalation, username: str | None = None) -> bool:
        """Whether the action is open as ``esc`` stands (to ``username``, where given)."""
        if self.open_now is not None and not self.open_now(esc):
            return False
        return self.open_to is None or username is None or self.open_to(esc, username)

    def build(self, **values: Any) -> Command:
        """The command from ``values`` (the note, the reason and its inputs by name)."""
        return self.command(**values)

    def event_of(self, ctx: ActionContext, esc: Escalation, command: Command) -> PersonEvent:
        return self.event() if self.handle is None else self.handle(ctx, esc, command)
