"""What each audit entry records: one frozen dataclass per kind of entry.

An entry's details are built as one of these and serialised once, to the canonical JSON its hash
covers. The outbox asks the event who else hears of it; nothing parses a half-built dict back.
Field names are the keys the trail has always stored, so old and new entries read alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Told:
    """Who else hears of a stage being reached: copies, watchers, the raiser's manager."""

    copy: tuple[str, ...] = ()
    watchers: tuple[str, ...] = ()
    raisers_manager: tuple[str, ...] = ()
    #: Addressed by name though they do not respond.
    addressed: tuple[str, ...] = ()

    def data(self) -> dict[str, Any]:
        return {f.name: list(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)}


#: The lists of an entry's details naming people told of the escalation without it being with
#: them, who watch it from then on (``store.watches``).
WATCHING = ("watchers", "copy", "raisers_manager")


def told_to_watch(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """The people an entry's details tell of the escalation, by the list that names them."""
    return {key: list(data[key]) for key in WATCHING if data.get(key)}


@dataclass(frozen=True, slots=True, kw_only=True)
class Entered:
    """A stage entered: its clocks (as explained deadlines), who it is with, who else is told."""

    stage_due: Mapping[str, Any] | None = None
    remind_at: str | None = None
    overall_due: Mapping[str, Any] | None = None
    with_people: tuple[str, ...] = ()
    #: Why it went to whom it did, when not to the stage's own responders.
    routed: str | None = None
    told: Told = field(default_factory=Told)

    def data(self) -> dict[str, Any]:
        account: dict[str, Any] = {}
        for name in ("stage_due", "remind_at", "overall_due", "routed"):
            if getattr(self, name) is not None:
                account[name] = _plain(getattr(self, name))
        return account | {"with": list(self.with_people)} | self.told.data()


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """The details of one entry. Subclasses add the facts of their kind."""

    ACTION: ClassVar[str] = ""
    #: Fields left out of the stored data while they are ``None``.
    OPTIONAL: ClassVar[frozenset[str]] = frozenset()
    #: The stage the entry moved the escalation into, if it moved.
    entered: Entered | None = None

    @property
    def told(self) -> Told:
        return self.entered.told if self.entered is not None else Told()

    def data(self) -> dict[str, Any]:
        """The JSON-ready details, as the trail stores them."""
        values: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "entered" or (value is None and f.name in self.OPTIONAL):
                continue
            values["as" if f.name == "roles" else f.name] = _plain(value)
        return values | (self.entered.data() if self.entered is not None else {})


@dataclass(frozen=True, slots=True, kw_only=True)
class Raised(Event):
    ACTION: ClassVar[str] = "raise"
    workflow: str
    alert_type: str
    category: str
    case_refs: tuple[str, ...]
    team: str
    looked_after: bool
    rating: str | None
    dates: Mapping[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonEvent(Event):
    """A person's action: by which of their roles they may take it (stored as ``as``)."""

    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"forced", "reason"})
    roles: tuple[str, ...] = ()
    #: Taken with ``--force``: on whatever the escalation was by then, not the version read.
    forced: bool | None = None
    #: Why it closed as it did, from the workflow's ``outcome_reasons``, when it closed.
    reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Responded(PersonEvent):
    ACTION: ClassVar[str] = "respond"
    OPTIONAL: ClassVar[frozenset[str]] = PersonEvent.OPTIONAL | {
        "holding",
        "follow_up",
        "judge_reminder",
        "due",
        "in_time",
    }
    holding: bool | None = None
    follow_up: str | None = None
    judge_reminder: str | None = None
    #: The stage's deadline when the response came, and whether it came by then (reports count
    #: responses within timescale from these); left out at a stage with no clock.
    due: str | None = None
    in_time: bool | None = None


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Bypassed(PersonEvent):
    ACTION: ClassVar[str] = "bypass"
    OPTIONAL: ClassVar[frozenset[str]] = PersonEvent.OPTIONAL | {"consulted"}
    consulted: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Extended(PersonEvent):
    ACTION: ClassVar[str] = "extend"
    previous_due: str = ""
    stage_due: Mapping[str, Any] = field(default_factory=dict)


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
class Reopened(PersonEvent):
    ACTION: ClassVar[str] = "reopen"
    previous_outcome: str | None = None


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


@dataclass(frozen=True, slots=True, kw_only=True)
class MeetingHeld(PersonEvent):
    """A dispute resolution meeting: when, who attended (by role), what it decided, what next."""

    ACTION: ClassVar[str] = "meeting"
    OPTIONAL: ClassVar[frozenset[str]] = PersonEvent.OPTIONAL | {"next_step"}
    held_on: str = ""
    attendees: tuple[str, ...] = ()
    outcome: str = ""
    next_step: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class NoLongerLookedAfter(PersonEvent):
    ACTION: ClassVar[str] = "not_looked_after"
    looked_after: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineEvent(Event):
    """Something the engine applied when it fell due: when it was due, when it was applied."""

    due_at: str
    applied_at: str
    workflow: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TimedOut(EngineEvent):
    ACTION: ClassVar[str] = "timeout"


@dataclass(frozen=True, slots=True, kw_only=True)
class StageBreached(EngineEvent):
    ACTION: ClassVar[str] = "stage_breach"
    next_reminder: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OverallBreached(EngineEvent):
    ACTION: ClassVar[str] = "overall_breach"


@dataclass(frozen=True, slots=True, kw_only=True)
class Reminded(EngineEvent):
    ACTION: ClassVar[str] = "reminder"
    to: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Rerouted(Event):
    """Someone was marked away or back, and this escalation now waits on other people."""

    ACTION: ClassVar[str] = "reroute"
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"until", "routed"})
    person: str
    away: bool
    #: The last day they are away, if said.
    until: str | None = None
    previously: tuple[str, ...] = ()
    to: tuple[str, ...] = ()
    #: Why it went to whom it did, when not to the stage's own responders.
    routed: str | None = None


#: The event of each person's action, for actions that record nothing beyond who and where.
PERSON_EVENTS: dict[str, type[PersonEvent]] = {
    kind.ACTION: kind
    for kind in (
        Responded, Accepted, Rejected, Escalated, Bypassed, Extended, Withdrawn, Superseded,
        ReferredToCafcass, Reopened, Rated, Reallocated, NoLongerLookedAfter, MeetingHeld,
    )
}  # fmt: skip
