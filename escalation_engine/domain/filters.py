"""Filters that cannot lie: every value a person filters by is checked against what exists.

A list filtered by a mistyped name would print "No escalations match", and a manager would believe
nothing is waiting for them. So an unknown user, stage, team, category, workflow or child is an
error naming the nearest valid values; stages are found by their key or by the title people see.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from escalation_engine.domain import patterns
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.queue import is_late
from escalation_engine.errors import InvalidInput, did_you_mean, one_of
from escalation_engine.spec.model import OUTCOMES, WorkflowSpec


def _folded(text: str) -> str:
    """``Team_Manager``, ``team manager`` and ``team-manager`` all read as the same name."""
    return " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()


def _match(value: str, choices: Mapping[str, str], what: str, listing: Iterable[str]) -> str:
    """The key whose key or title is ``value`` (ignoring case), or an error listing them."""
    wanted = _folded(value)
    for key, title in choices.items():
        if wanted in (_folded(key), _folded(title)):
            return key
    names = [*choices, *choices.values()]
    raise InvalidInput(
        f"Unknown {what} {value!r}.{did_you_mean(value, names)} {what.capitalize()}s:"
        f" {one_of(listing)}."
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Filter:
    """What ``escalate list`` keeps; every field already checked."""

    include_closed: bool = False
    raised_by: str | None = None
    waiting_for: str | None = None
    #: Not waiting for this person (the inbox's other lists leave out what its first has).
    not_waiting_for: str | None = None
    not_raised_by: str | None = None
    #: Watched by this person now: decided by the query alone (the watches are not on the
    #: escalation, so ``keeps`` cannot check it).
    watched_by: str | None = None
    #: Answered by this person and awaiting a decision on their response: whether they
    #: answered is decided by the query alone (it is in the trail, not on the escalation).
    responded_by: str | None = None
    overdue_at: datetime | None = None
    child: str | None = None
    stages: frozenset[str] = field(default_factory=frozenset)
    team: str | None = None
    category: str | None = None
    workflow: str | None = None
    #: What a search box was given: part of a reference or of a child's case reference.
    search: str | None = None
    #: Raised or closed at or after this moment (a month's comings and goings).
    touched_since: datetime | None = None

    def keeps(self, esc: Escalation) -> bool:
        checks = (
            self.include_closed or esc.is_open,
            self.responded_by is None or esc.status == "responded",
            self.raised_by is None or esc.raised_by == self.raised_by,
            self.waiting_for is None or self.waiting_for in esc.with_people,
            self.not_waiting_for is None or self.not_waiting_for not in esc.with_people,
            self.not_raised_by is None or esc.raised_by != self.not_raised_by,
            self.overdue_at is None or is_late(esc, self.overdue_at),
            self.child is None or self.child in esc.case_refs,
            not self.stages or esc.stage in self.stages,
            self.team is None or esc.team == self.team,
            self.category is None or esc.category == self.category,
            self.workflow is None or esc.workflow == self.workflow,
            self.search is None or found_by(esc, self.search),
            self.touched_since is None or _touched(esc, self.touched_since),
        )
        return all(checks)


def found_by(esc: Escalation, query: str) -> bool:
    """Whether a search box's ``query`` finds ``esc``: its reference or a child's case
    reference, whole or in part, whatever the case."""
    wanted = query.strip().upper()
    return bool(wanted) and (
        wanted in esc.reference.upper() or any(wanted in ref.upper() for ref in esc.case_refs)
    )


def _touched(esc: Escalation, since: datetime) -> bool:
    return esc.raised_at >= since or (esc.closed_at is not None and esc.closed_at >= since)


def stage_keys(specs: Iterable[WorkflowSpec], value: str) -> frozenset[str]:
    """The stage keys ``value`` names, as a key or a title, in any workflow; or an outcome."""
    specs = list(specs)
    choices = {s.name: s.title for spec in specs for s in spec.stages}
    choices |= {o: o.replace("_", " ") for o in OUTCOMES}
    key = _match(value, choices, "stage", sorted({s.name for spec in specs for s in spec.stages}))
    matching = {
        s.name
        for spec in specs
        for s in spec.stages
        if _folded(value) in (_folded(s.name), _folded(s.title))
    }
    return frozenset(matching or {key})


def team(teams: Iterable[str], value: str) -> str:
    """One of ``teams`` (the teams people belong to), by its name or its name with spaces."""
    known = sorted(set(teams))
    return _match(value, {t: t.replace("_", " ") for t in known}, "team", known)


def category(categories: Mapping[str, str], value: str) -> str:
    """One of ``categories`` (key to title), by its key or its title."""
    return _match(value, categories, "category", categories)


def child(pattern: str, value: str, known: Iterable[str]) -> str:
    """A case reference that matches ``pattern`` and that some escalation is about."""
    reference = value.strip().upper()
    if not patterns.matches(pattern, reference):
        raise InvalidInput(
            f"{value[: patterns.MAX_REFERENCE]!r} is not a case reference (expected the pattern"
            f" {pattern}, e.g. CLA-123456)."
        )
    known = sorted(set(known))
    if reference not in known:
        raise InvalidInput(
            f"No escalation is about case {reference}.{did_you_mean(reference, known)} Check the"
            " reference on the child's record."
        )
    return reference


@dataclass(frozen=True, slots=True, kw_only=True)
class TrailFilter:
    """What ``escalate audit`` keeps of the trail across escalations; every field checked."""

    start: datetime | None = None
    end: datetime | None = None
    team: str | None = None
    #: Entries this person made, and every entry of the escalations they raised.
    person: str | None = None
    child: str | None = None
    workflow: str | None = None
    version: int | None = None
    alert_type: str | None = None
    category: str | None = None
    #: Entries that left or entered one of these stages.
    stages: frozenset[str] = field(default_factory=frozenset)
    action: str | None = None
    outcome: str | None = None


def alert_type(specs: Iterable[WorkflowSpec], value: str) -> str:
    types = {a.name: a.title for spec in specs for a in spec.alert_types}
    return _match(value, types, "alert type", sorted(types))


def action(value: str, known: Iterable[str]) -> str:
    names = sorted(set(known))
    return _match(value, {name: name.replace("_", " ") for name in names}, "action", names)


def outcome(value: str) -> str:
    return _match(value, {o: o.replace("_", " ") for o in OUTCOMES}, "outcome", OUTCOMES)
