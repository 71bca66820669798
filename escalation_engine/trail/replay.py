"""Replay: each escalation's entries, run through its pinned workflow, must give its stored row.

Signatures prove each entry is the engine's; they say nothing of the escalation rows beside them.
Someone who can write to the database could set a row's stage to "resolved" with no entry, or
delete a row and leave its trail orphaned. Replaying the trail (every move checked against the
workflow version the escalation runs under) and comparing what it leads to with the stored row
finds both. It reads entries grouped by escalation and rows in the same order, one escalation at
a time, so memory stays flat however many there are.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from escalation_engine import store
from escalation_engine.domain import committed
from escalation_engine.domain.actions import catalogue
from escalation_engine.domain.actions.changing import Rated, Reallocated
from escalation_engine.domain.actions.closing import NoLongerLookedAfter
from escalation_engine.domain.actions.handling import Handling
from escalation_engine.domain.actions.judging import Rejected
from escalation_engine.domain.actions.responding import Responded
from escalation_engine.domain.clocks import CLOCK_WORDS, Clocks
from escalation_engine.domain.events import Event, Raised, Written
from escalation_engine.domain.labels import local
from escalation_engine.domain.machine import Moves, moves_of
from escalation_engine.errors import EscalationError
from escalation_engine.spec.model import OUTCOMES, WorkflowSpec
from escalation_engine.store import Reader

#: Entries that record something about an escalation without being an action on its stage.
_RECORDS = frozenset(
    {"raise", "reminder", "stage_breach", "overall_breach", "reroute", "reconcile", "redact",
     "correct"}
)  # fmt: skip


@dataclass
class Replayed:
    """What an escalation's trail says it is now."""

    reference: str
    workflow: str = ""
    alert_type: str = ""
    category: str = ""
    team: str = ""
    case_refs: tuple[str, ...] = ()
    summary: str = ""
    raised_by: str = ""
    looked_after: bool = True
    stage: str = ""
    status: str = ""
    outcome: str | None = None
    rag: str | None = None
    handled_by: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    #: The clocks the latest entry that records them left (entries from before clocks were
    #: recorded leave ``None``: nothing to compare).
    clocks: Clocks | None = None

    def compare(self, row: Any) -> str | None:
        """The first stored value the trail does not lead to, named, or ``None``."""
        stored = {
            "workflow": row.workflow, "alert_type": row.alert_type, "category": row.category,
            "team": row.team, "case_refs": tuple(json.loads(row.case_refs)), "summary": row.summary,
            "raised_by": row.raised_by, "looked_after": bool(row.looked_after), "stage": row.stage,
            "status": row.status, "outcome": row.outcome, "rag": row.rag,
            "handled_by": row.handled_by,
        }  # fmt: skip
        for name, value in stored.items():
            expected = getattr(self, name)
            if value != expected:
                return (
                    f"{self.reference}: its stored {name.replace('_', ' ')} is {value!r}, but its"
                    f" audit trail leads to {expected!r}: the escalation was changed without an"
                    " audit entry, or its latest entries were removed"
                )
        return self.compare_clocks(row)

    def compare_clocks(self, row: Any) -> str | None:
        """The first stored clock the trail does not lead to (a due time, a reminder or the
        overall limit moved or cleared behind the engine's back), named, or ``None``."""
        if self.clocks is None:
            return None
        moved = self.clocks.moved(row, open_=self.stage not in OUTCOMES)
        for name, (stored, recorded) in moved.items():
            return (
                f"{self.reference}: its stored {CLOCK_WORDS[name]} is {_words(stored)}, but its"
                f" audit trail sets it to {_words(recorded)}: it was moved without an audit"
                " entry, so the engine would act on it at the wrong time"
            )
        return None


def _words(value: Any) -> str:
    """A clock's value in London time as people read it (London, whatever the database keeps)."""
    return "none" if value is None else local(value)


def _entry_problem(state: Replayed, entry: Any, moves: Moves) -> str | None:
    where = f"entry {entry.seq} ({entry.reference}, {entry.action})"
    if entry.from_stage != state.stage:
        return f"{where} starts from stage {entry.from_stage!r}, but the trail had it at {state.stage!r}"
    if entry.to_stage != entry.from_stage and (
        entry.action in _RECORDS or (entry.action, entry.from_stage, entry.to_stage) not in moves
    ):
        return (
            f"{where} moves it from {entry.from_stage!r} to {entry.to_stage!r}, which its"
            " workflow version does not allow"
        )
    return None


def _apply(state: Replayed, entry: Any, event: Event, data: dict[str, Any]) -> None:
    clocks = Written.read(data).clocks
    if clocks is not None:
        state.clocks = clocks
    moved = entry.to_stage != state.stage
    state.stage = entry.to_stage
    if moved or event.entered is not None:  # a stage (re)entered, or closed: nobody yet
        state.handled_by = None
    if isinstance(event, Handling):
        state.handled_by = entry.actor
    if isinstance(event, Rated):
        state.rag = event.rating
    elif isinstance(event, Reallocated):
        state.raised_by = event.raiser or state.raised_by
    elif isinstance(event, NoLongerLookedAfter):
        state.looked_after = False
    if state.stage in OUTCOMES:
        state.status, state.outcome = "closed", state.stage
    elif moved:
        state.status, state.outcome = "awaiting_response", None
    elif isinstance(event, Responded):
        state.status = "holding" if event.holding else "responded"
    elif isinstance(event, Rejected) and event.escalation_by:
        state.status = "awaiting_escalation"


def note_of(entry: Any) -> str:
    """An entry's note as a reader sees it (its kept text, or "[redacted]" where that was
    removed): a row of ``store.stream_entries_by_reference`` carries the kept text apart, an
    entry read to be shown has it in place."""
    if entry.schema_version < committed.SCHEMA or not hasattr(entry, "note_text"):
        return str(entry.note)
    if not entry.note:
        return ""
    return committed.REDACTED if entry.note_text is None else str(entry.note_text)


def _raised(entry: Any, raised: Raised, workflow: str) -> Replayed:
    return Replayed(
        reference=entry.reference, workflow=workflow, alert_type=raised.alert_type or "",
        category=raised.category or "", team=raised.team or "",
        case_refs=tuple(raised.case_refs or ()), summary=note_of(entry), raised_by=entry.actor,
        looked_after=bool(raised.looked_after if raised.looked_after is not None else True),
        stage=entry.to_stage, status="closed" if entry.to_stage in OUTCOMES else "awaiting_response",
        outcome=entry.to_stage if entry.to_stage in OUTCOMES else None, rag=raised.rating,
    )  # fmt: skip


def replay_one(entries: list[Any], row: Any, spec: WorkflowSpec, moves: Moves) -> str | None:
    """The first thing wrong with one escalation's trail or its row, or ``None``."""
    first = entries[0]
    if first.action != "raise":
        return (
            f"{row.reference}: its trail starts with entry {first.seq} ({first.action}), not with"
            " its raising: the first entries are missing"
        )
    raised: Raised = Raised.read(json.loads(first.data))
    if raised.workflow not in (spec.label, spec.name):
        return (
            f"{row.reference}: its trail raised it under {raised.workflow!r}, but its row"
            f" runs it under {spec.label!r}: the escalation was changed without an audit entry"
        )
    state = _raised(first, raised, spec.name)
    state.clocks = Written.read(json.loads(first.data)).clocks
    lineage = {first.seq}  # the entries whose note has been the summary
    for entry in entries[1:]:
        if entry.action == "raise":
            return f"entry {entry.seq} raises {entry.reference} a second time"
        problem = _entry_problem(state, entry, moves)
        if problem is not None:
            return problem
        data = json.loads(entry.data)
        if committed.corrects(lineage, entry.action, data):
            lineage.add(entry.seq)
            state.summary = note_of(entry)
        _apply(state, entry, catalogue.event_of(entry.action, data), data)
    return state.compare(row)


@dataclass(frozen=True, slots=True)
class ReplayReport:
    ok: bool
    escalations: int
    problem: str | None = None
    reference: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "escalations": self.escalations, "problem": self.problem,
                "reference": self.reference}  # fmt: skip


SpecFor = Callable[[str, str], WorkflowSpec]


def replay(engine: Reader, spec_for: SpecFor) -> ReplayReport:
    """Replay every escalation's trail against its row; name the first that disagrees.

    ``spec_for(digest, reference)`` gives the workflow version with a digest (raising when it is
    not stored, or its stored text no longer has that digest)."""
    moves: dict[str, Moves] = {}
    checked = 0
    with (
        closing(store.stream_rows_by_reference(engine)) as rows,
        closing(store.stream_entries_by_reference(engine)) as stream,
    ):
        trails: Iterator[tuple[str, Iterator[Any]]] = groupby(stream, key=lambda e: e.reference)
        pending = next(trails, None)
        for row in rows:
            if pending is not None and pending[0] < row.reference:
                return _fail(
                    checked,
                    pending[0],
                    f"{pending[0]} has audit entries but no escalation row: it was deleted",
                )
            if pending is None or pending[0] != row.reference:
                return _fail(
                    checked,
                    row.reference,
                    f"{row.reference} has no audit entries: it was written without being raised",
                )
            entries = list(pending[1])
            pending = next(trails, None)
            try:
                spec = spec_for(row.workflow_digest, row.reference)
            except EscalationError as exc:
                return _fail(checked, row.reference, f"{row.reference}: {exc}")
            if spec.digest not in moves:
                moves[spec.digest] = moves_of(spec)
            problem = replay_one(entries, row, spec, moves[spec.digest])
            if problem is not None:
                return _fail(checked, row.reference, problem)
            checked += 1
        if pending is not None:
            return _fail(
                checked,
                pending[0],
                f"{pending[0]} has audit entries but no escalation row: it was deleted",
            )
    return ReplayReport(True, checked)


def _fail(checked: int, reference: str, problem: str) -> ReplayReport:
    return ReplayReport(False, checked, problem, reference)
