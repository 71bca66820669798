"""What each audit entry records: one frozen dataclass per kind of entry.

An entry's details are built as one of these and serialised once, to the canonical JSON its hash
covers. The outbox asks the event who else hears of it; nothing parses a half-built dict back.
Field names are the keys the trail has always stored, so old and new entries read alike. The
events of people's actions are defined with their actions (``domain/actions``); these are the
base classes, the raising, the engine's own entries and re-routing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, ClassVar

from escalation_engine.domain.clocks import Clocks
from escalation_engine.domain.notices import Promise, read_all


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value


def stored_key(kind: type[Any], name: str) -> str:
    """The key fact ``name`` of entries of ``kind`` (an event, or how an entry was written) is
    stored under in an entry's details, for a query that reads it where it lies."""
    if name not in {f.name for f in fields(kind)}:
        raise KeyError(f"{kind.__name__} records no {name!r}")
    return "as" if name == "roles" else name


_READ_AS: dict[type[Any], tuple[tuple[str, str, bool], ...]] = {}


def _read_as(kind: type[Any]) -> tuple[tuple[str, str, bool], ...]:
    """Each field of ``kind``: its name, the key it is stored under, and whether it must be
    given (worked out once: an audit verify reads every entry's details, several times)."""
    found = _READ_AS.get(kind)
    if found is None:
        found = _READ_AS[kind] = tuple(
            (f.name, "as" if f.name == "roles" else f.name,
             f.default is MISSING and f.default_factory is MISSING)
            for f in fields(kind)
        )  # fmt: skip
    return found


def _typed(value: Any) -> Any:
    """A stored value as the event holds it: lists as tuples."""
    if isinstance(value, list):
        return tuple(_typed(item) for item in value)
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

    @classmethod
    def read(cls, data: Mapping[str, Any]) -> Told:
        return cls(**{name: tuple(data.get(name) or ()) for name, _, _ in _read_as(cls)})

    def everyone(self) -> frozenset[str]:
        """Everyone told, however."""
        return frozenset((*self.copy, *self.watchers, *self.raisers_manager, *self.addressed))

    def to_watch(self) -> dict[str, list[str]]:
        """The people told who watch the escalation from then on, by the list that names them
        (``store.watches``): copies, watchers and the raiser's manager, not those addressed."""
        lists = {
            "watchers": self.watchers,
            "copy": self.copy,
            "raisers_manager": self.raisers_manager,
        }
        return {key: list(names) for key, names in lists.items() if names}


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

    @classmethod
    def read(cls, data: Mapping[str, Any]) -> Entered | None:
        """The stage entered, where the entry says one was (its details name who it is with)."""
        if "with" not in data:
            return None
        return cls(
            stage_due=data.get("stage_due"), remind_at=data.get("remind_at"),
            overall_due=data.get("overall_due"), with_people=tuple(data["with"]),
            routed=data.get("routed"), told=Told.read(data),
        )  # fmt: skip


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

    @classmethod
    def read(cls, data: Mapping[str, Any]) -> Any:
        """The event an entry's stored details describe (the reverse of ``data``). A fact an
        older entry does not record reads as its default, or ``None``."""
        values: dict[str, Any] = {}
        for name, key, required in _read_as(cls):
            if name == "entered":
                values[name] = Entered.read(data)
            elif key in data:
                values[name] = _typed(data[key])
            elif required:
                values[name] = None
        return cls(**values)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportedFrom:
    """An entry brought in from an earlier system's file: which file (and its digest), which row
    and legacy ID, who imported it, and the login that typed it where that is someone else."""

    file: str
    digest: str
    row: int
    by: str
    entered_by: str | None = None
    legacy_id: str | None = None

    def data(self) -> dict[str, Any]:
        said: dict[str, Any] = {"file": self.file, "digest": self.digest, "row": self.row,
                                "by": self.by}  # fmt: skip
        if self.entered_by is not None:
            said["entered_by"] = self.entered_by
        if self.legacy_id:
            said["legacy_id"] = self.legacy_id
        return said

    @classmethod
    def read(cls, data: Mapping[str, Any]) -> ImportedFrom:
        return cls(
            file=str(data.get("file")), digest=str(data.get("digest")), row=data.get("row", 0),
            by=str(data.get("by")), entered_by=data.get("entered_by"),
            legacy_id=data.get("legacy_id"),
        )  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Written:
    """How an entry came to be written, beside what it records: typed by a login acting as
    someone else, recorded on a training database, or imported from an earlier system's file;
    and the escalation's clocks as the entry leaves them."""

    entered_by: str | None = None
    training: bool = False
    imported: ImportedFrom | None = None
    clocks: Clocks | None = None
    #: The notices the entry owes (``None`` on entries from before they were recorded).
    notices: tuple[Promise, ...] | None = None

    def data(self) -> dict[str, Any]:
        said: dict[str, Any] = {}
        if self.entered_by is not None:
            said["entered_by"] = self.entered_by
        if self.training:
            said["training"] = True
        if self.imported is not None:
            said["imported"] = self.imported.data()
        if self.clocks is not None:
            said["clocks"] = self.clocks.data()
        if self.notices is not None:
            said["notices"] = [promise.data() for promise in self.notices]
        return said

    @classmethod
    def read(cls, data: Mapping[str, Any]) -> Written:
        imported, clocks, notices = data.get("imported"), data.get("clocks"), data.get("notices")
        return cls(
            entered_by=data.get("entered_by"), training=bool(data.get("training")),
            imported=ImportedFrom.read(imported) if isinstance(imported, Mapping) else None,
            clocks=Clocks.read(clocks) if isinstance(clocks, Mapping) else None,
            notices=read_all(notices) if isinstance(notices, list) else None,
        )  # fmt: skip


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
    """Someone was marked away or back (or, with no ``person``, the people changed), and this
    escalation now waits on other people."""

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


@dataclass(frozen=True, slots=True, kw_only=True)
class Reconciled(Event):
    """The engine found one of the escalation's stored clocks moved without an entry, and put
    it back to what the trail says; the IRO manager is told (``alarm``)."""

    ACTION: ClassVar[str] = "reconcile"
    clock: str
    stored: str | None
    restored: str | None
    alarm: tuple[str, ...] = ()

    @property
    def told(self) -> Told:
        return Told(copy=self.alarm)


@dataclass(frozen=True, slots=True, kw_only=True)
class Redacted(Event):
    """The text of one field of an earlier entry removed (its digest stays in that entry): by
    the data protection role, or by the retention schedule (``rule`` names which)."""

    ACTION: ClassVar[str] = "redact"
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"rule"})
    entry: int
    field: str
    why: str
    #: The digest the removed text opened (what the redaction log keeps of it).
    digest: str
    rule: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Corrected(Event):
    """The text of one field of an earlier entry said again, corrected: the new text is this
    entry's note; the entry corrected is kept as it was, and shown beside its correction."""

    ACTION: ClassVar[str] = "correct"
    entry: int
    field: str
    why: str


#: The event of each kind of entry that is not a person's action.
RECORDED: dict[str, type[Event]] = {
    kind.ACTION: kind
    for kind in (
        Raised, TimedOut, StageBreached, OverallBreached, Reminded, Rerouted, Reconciled,
        Redacted, Corrected,
    )
}  # fmt: skip
