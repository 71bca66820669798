"""Every action, and every kind of entry the trail records, by name.

The state machine, the permission check, the service, the words people read, the command line,
the API and the desk all look actions up here. ``registered`` adds one for a while (the test
suite shows a new action reaching every door this way); a shipped action is added to ``SHIPPED``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from escalation_engine.domain.actions.base import Action
from escalation_engine.domain.actions.changing import EXTEND, RATE, REALLOCATE
from escalation_engine.domain.actions.closing import (
    NOT_LOOKED_AFTER,
    REFER_CAFCASS,
    SUPERSEDE,
    WITHDRAW,
)
from escalation_engine.domain.actions.handling import HANDLE
from escalation_engine.domain.actions.judging import ACCEPT, ESCALATE, REJECT
from escalation_engine.domain.actions.meetings import MEETING
from escalation_engine.domain.actions.moving import BYPASS, REOPEN
from escalation_engine.domain.actions.responding import RESPOND
from escalation_engine.domain.events import RECORDED, Event
from escalation_engine.errors import InvalidInput, did_you_mean, one_of
from escalation_engine.spec import vocabulary
from escalation_engine.spec.vocabulary import Default

#: The shipped actions, in the order the command line lists them.
SHIPPED: tuple[Action, ...] = (
    RESPOND, HANDLE, ACCEPT, REJECT, ESCALATE, WITHDRAW, REFER_CAFCASS, SUPERSEDE, NOT_LOOKED_AFTER,
    BYPASS, EXTEND, REOPEN, RATE, REALLOCATE, MEETING,
)  # fmt: skip

_ACTIONS: dict[str, Action] = {action.name: action for action in SHIPPED}

#: The fields of an entry's details that hold free text (the paragraphs people write: a
#: meeting's outcome and next step), kept as digests in the entry, with the text beside it
#: (``domain/committed.py``); an entry's note always is.
PERSONAL: frozenset[str] = frozenset(
    given.name for action in SHIPPED for given in action.command.inputs()
    if given.kind == "long_text"
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Record:
    """A kind of entry that is not a person's action on an open escalation: raising one, what
    the engine applies when it falls due, and re-routing when someone is away or back."""

    name: str
    done: str
    headline: str


RECORDS: tuple[Record, ...] = (
    Record("raise", "raised", "new escalation"),
    Record("timeout", "no response in time: moved up", "escalated: no satisfactory response in time"),
    Record("reminder", "reminder sent", "reminder"),
    Record("stage_breach", "deadline passed at the top", "deadline passed at the top of the ladder"),
    Record("overall_breach", "overall limit passed", "overall time limit passed"),
    Record("reroute", "re-routed (someone away, back, or the people changed)", "now with you"),
    Record("reconcile", "a clock moved without an entry was put back", "a clock was put back"),
    Record("redact", "text removed (redacted)", "text removed"),
    Record("correct", "text corrected", "text corrected"),
)  # fmt: skip

#: The engine's own kinds of entry.
ENGINE = ("timeout", "reminder", "stage_breach", "overall_breach")


def actions() -> tuple[Action, ...]:
    """Every action people take, the shipped ones first."""
    return tuple(_ACTIONS.values())


def names() -> tuple[str, ...]:
    return tuple(_ACTIONS)


def kinds() -> tuple[str, ...]:
    """Every kind of entry the trail records: people's actions and the records."""
    return (*_ACTIONS, *(record.name for record in RECORDS))


def find(name: str) -> Action | None:
    return _ACTIONS.get(name)


def named(name: str) -> Action:
    """The action ``name``, or a refusal naming the nearest."""
    found = _ACTIONS.get(name)
    if found is None:
        raise InvalidInput(
            f"{name!r} is not an action; the actions are {one_of(_ACTIONS)}."
            f"{did_you_mean(name, _ACTIONS)}"
        )
    return found


def event_of(kind: str, data: Mapping[str, Any]) -> Event:
    """The event an entry of ``kind`` records, read back from its stored details."""
    action = _ACTIONS.get(kind)
    found = action.event if action is not None else RECORDED.get(kind, Event)
    event: Event = found.read(data)
    return event


def words(name: str) -> tuple[str, str] | None:
    """What an entry of kind ``name`` did, as a timeline says it, and a notification's headline."""
    action = _ACTIONS.get(name)
    if action is not None:
        return action.done, action.headline
    for record in RECORDS:
        if record.name == name:
            return record.done, record.headline
    return None


@contextmanager
def registered(action: Action, *, default: Default = "raiser") -> Iterator[Action]:
    """``action`` among the actions while the block runs, its permission among those a workflow
    may grant (by default to the raiser); then gone again."""
    if action.name in _ACTIONS:
        raise ValueError(f"an action named {action.name!r} exists already")
    _ACTIONS[action.name] = action
    try:
        with vocabulary.admitted(action.name, default=default):
            yield action
    finally:
        del _ACTIONS[action.name]
