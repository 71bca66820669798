"""The typed, format-neutral form of a workflow: what a council's YAML file means.

Everything here is frozen. A ``WorkflowSpec`` is identified by its name and the digest of the text
it was loaded from, so an escalation can keep running under exactly the definition it started
with even after the file is edited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from escalation_engine.spec import vocabulary

SCHEMA_VERSION = 1

#: Terminal outcomes. ``recorded`` is where positive (good-practice) alerts go at once.
OUTCOMES: tuple[str, ...] = (
    "resolved",
    "withdrawn",
    "superseded",
    "referred_to_cafcass",
    "unresolved",
    "recorded",
)

#: Pseudo-role: the person who raised the escalation.
RAISER = "raiser"
#: The role that holds an escalation nobody else can take, and hears every alarm about one.
IRO_MANAGER = "iro_manager"


def default_permissions() -> dict[str, tuple[str, ...]]:
    """Workflow-level roles when a file says nothing: the raiser, for everything not decided by
    the stage or deliberately left to the council."""
    return dict.fromkeys(vocabulary.with_default("raiser"), (RAISER,))


#: What a stage's responders do (answer it, or say they are on it), and whoever it is routed to.
ANSWERING: tuple[str, ...] = ("respond", "handle")
#: Where a stage's clock starts, besides a named date supplied when the alert is raised.
CLOCK_STARTS: tuple[str, ...] = ("stage", "raised")
#: Where the overall limit starts: on raising, or on first reaching a formal stage.
OVERALL_STARTS: tuple[str, ...] = ("formal", "raised")

ClockKind = Literal[
    "working_days",
    "calendar_days",
    "months",
    "hours",
    "minutes",
    "seconds",
    "immediately",
    "set_by_raiser",
    "none",
]
COUNTED_UNITS: tuple[str, ...] = (
    "working_days", "calendar_days", "months", "hours", "minutes", "seconds",
)  # fmt: skip
CLOCK_WORDS: tuple[str, ...] = ("immediately", "set_by_raiser", "none")


@dataclass(frozen=True, slots=True, kw_only=True)
class Timescale:
    """A length of time as a protocol states it: "5 working days", "48 hours", "immediately"."""

    kind: ClockKind
    amount: int = 0
    maximum: Timescale | None = None

    def describe(self) -> str:
        if self.kind in COUNTED_UNITS:
            unit = self.kind.replace("_", " ")
            return f"{self.amount} {unit[:-1] if self.amount == 1 else unit}"
        if self.kind == "set_by_raiser":
            limit = f" (at most {self.maximum.describe()})" if self.maximum else ""
            return f"set by the raiser{limit}"
        return "no clock" if self.kind == "none" else "immediately"

    @property
    def has_deadline(self) -> bool:
        return self.kind != "none"


NO_CLOCK = Timescale(kind="none")
#: How far ahead of a stage deadline people are reminded unless the stage says otherwise.
DEFAULT_REMINDER = Timescale(kind="working_days", amount=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleSet:
    """Who must act or be satisfied: ``any_of`` one role, or ``all_of`` them."""

    mode: Literal["any_of", "all_of"] = "any_of"
    roles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationStep:
    """Who carries out the escalation after an unsatisfactory judgement (say the QA manager),
    and how long they have; when their clock passes, the engine carries it out."""

    by: tuple[str, ...]
    clock: Timescale


@dataclass(frozen=True, slots=True, kw_only=True)
class StageSpec:
    """One rung of the ladder."""

    name: str
    title: str
    responders: RoleSet
    satisfied_by: RoleSet
    stand_in: tuple[str, ...] = ()
    #: Roles found anywhere in the service that take the stage when neither its responders, its
    #: stand-ins nor the away responders' managers can; after them, the IRO manager.
    fallback: tuple[str, ...] = ()
    escalate_by: tuple[str, ...] = ()
    clock: Timescale = NO_CLOCK
    starts: str = "stage"
    reminder: Timescale | None = None
    remind_every: Timescale | None = None
    on_timeout: str | None = None
    on_unsatisfactory: str | None = None
    copy: tuple[str, ...] = ()
    watchers: tuple[str, ...] = ()
    #: Roles the alert is addressed to and who are told of it by name, besides the responders,
    #: though they do not respond themselves (a social worker, an assistant team manager).
    addressees: tuple[str, ...] = ()
    #: A named role escalates after an unsatisfactory judgement; ``None``: it moves at once.
    escalation_step: EscalationStep | None = None
    notify_raisers_manager: bool = False
    permissions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    formal: bool = True
    #: Where its responders and stand-ins are found: the escalation's team and its line of
    #: management (``team``), or anyone holding the role (``service``, say a duty desk).
    scope: str = "team"


#: Where a stage finds its people.
SCOPES: tuple[str, ...] = ("team", "service")


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertType:
    """A kind of alert a person can raise, and the stage it enters at."""

    name: str
    title: str
    enters_at: str | None
    raised_by: tuple[str, ...]
    positive: bool = False
    description: str = ""
    #: The raiser may choose, when raising, to have their own manager told (``--tell-my-manager``).
    raiser_may_notify_manager: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class OverallLimit:
    """A limit across all formal stages (the IRO Handbook's 20 working days)."""

    clock: Timescale
    starts: str = "formal"


@dataclass(frozen=True, slots=True, kw_only=True)
class BypassSpec:
    allowed: bool = True
    consult: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CafcassSpec:
    allowed: bool = True
    from_stages: tuple[str, ...] | None = None  # None: from any stage
    concurrent: bool = False
    looked_after_only: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class SeparationSpec:
    """Separation of duties: who may act on an alert they raised, or on one a peer raised."""

    #: The raiser may respond to, judge or close their own alert only as its raiser.
    raiser_only_as_raiser: bool = True
    #: Roles that may act on an alert another person raised where only the raising role (say,
    #: IRO) would allow it; ``None`` lets any peer act.
    others_alerts: tuple[str, ...] | None = ("iro_manager",)


@dataclass(frozen=True, slots=True, kw_only=True)
class RagRating:
    name: str
    title: str
    #: How reports and people write it ("Green*" for ``green_star``).
    label: str = ""
    positive: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RagSpec:
    """RAG ratings as their own dimension; ``drives`` moves the ladder when a rating is given."""

    ratings: tuple[RagRating, ...]
    drives: Mapping[str, str] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.ratings)

    def is_red(self, rating: str) -> bool:
        """Whether ``rating`` (a name) is the Red rating the reports follow up: named or
        labelled "Red" in any case; a name the workflow does not give is Red only if it says so."""
        for given in self.ratings:
            if given.name == rating:
                return "red" in (given.name.casefold(), (given.label or given.title).casefold())
        return rating.casefold() == "red"

    def resolve(self, given: str) -> str | None:
        """The rating ``given`` names, by its name or by the label reports print ("Green*" for
        ``green_star``), in any case; ``None`` if it names none."""
        wanted = given.strip().casefold()
        for rating in self.ratings:
            if wanted in (rating.name.casefold(), rating.label.casefold(), rating.title.casefold()):
                return rating.name
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReopenSpec:
    allowed: bool = True
    to: str = "last_stage"
    within: Timescale | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowSpec:
    """A whole workflow: its roles, alert types, stages and the rules around them."""

    name: str
    version: int
    title: str
    description: str
    roles: tuple[str, ...]
    alert_types: tuple[AlertType, ...]
    stages: tuple[StageSpec, ...]
    permissions: Mapping[str, tuple[str, ...]]
    overall_limit: OverallLimit | None
    bypass: BypassSpec
    cafcass: CafcassSpec
    rag: RagSpec | None
    reopen: ReopenSpec
    separation: SeparationSpec = field(default_factory=SeparationSpec)
    source: str
    text: str
    digest: str
    outcome_titles: Mapping[str, str] = field(default_factory=dict)
    #: Outcome → the reasons (name → title) people choose from when an escalation closes so.
    outcome_reasons: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stages)

    @property
    def label(self) -> str:
        """``name v3 (ab12cd34)``: the version a person declared plus the content digest."""
        return f"{self.name} v{self.version} ({self.digest[:8]})"

    def stage(self, name: str) -> StageSpec:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(name)

    def alert_type(self, name: str) -> AlertType:
        for alert_type in self.alert_types:
            if alert_type.name == name:
                return alert_type
        raise KeyError(name)

    def roles_for(self, action: str, stage: str | None) -> tuple[str, ...]:
        """The roles that may take ``action`` at ``stage`` (``None`` for a closed escalation)."""
        spec = self.stage(stage) if stage in self.stage_names else None
        if spec is not None and action in spec.permissions:
            return spec.permissions[action]
        if spec is not None:
            if action in ANSWERING:
                return spec.responders.roles  # a stand-in answers once it is routed to them
            if action in ("accept", "reject"):
                return spec.satisfied_by.roles
            if action == "escalate":
                step = spec.escalation_step.by if spec.escalation_step else ()
                return spec.escalate_by or step or spec.satisfied_by.roles
        return self.permissions.get(action, ())
