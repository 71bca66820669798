"""A subject-access export as plain JSON in the words a care leaver reads: what each escalation
was about, what happened and when, who did it and who was told, and who looked at it.

Every door (the API, the command line's JSON and HTML) prints this one form. Where the council
chooses, people are named by their role instead of their name ("Team manager"); the notes are
shown as they were written, for the data protection officer to read before sending.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from escalation_engine.app import sentences
from escalation_engine.app.oversight import VIEW_WORDS
from escalation_engine.domain import labels
from escalation_engine.domain.events import Entered
from escalation_engine.errors import InvalidInput
from escalation_engine.reports.cells import inert

if TYPE_CHECKING:
    from escalation_engine.service import EscalationService
    from escalation_engine.service.disclosure import Disclosed, SubjectAccess
    from escalation_engine.spec.model import WorkflowSpec

#: How people are named in an export: by name, or by their role.
NAMING = ("people", "roles")


def naming(given: str | None) -> str:
    """The naming asked for, checked (by name when none is asked for)."""
    chosen = (given or "people").strip().lower()
    if chosen not in NAMING:
        raise InvalidInput(
            f"Names {chosen[:20]!r} is not a way to name people in an export; choose people (their"
            " names) or roles (their roles instead of their names)."
        )
    return chosen


def _namer(service: EscalationService, names: str) -> Callable[[str], str]:
    """How a username is written: their name, or their role ("Team manager")."""
    words = service.words

    def by_role(username: str) -> str:
        person = service.settings.people.get(username)
        if person is None:
            return "Someone no longer listed"
        return labels.upper_first(words.roles(person.roles, " and "))

    return words.person if names == "people" else by_role


def export(service: EscalationService, found: SubjectAccess, names: str) -> dict[str, Any]:
    """``found`` as JSON, people written as ``names`` says."""
    return {
        "case": found.case,
        "produced_at": found.produced_at.isoformat(),
        "produced": labels.local(found.produced_at),
        "produced_by": service.words.person(found.produced_by),
        "names": names,
        "escalations": [_escalation(service, one, found.case, names) for one in found.escalations],
    }


def _escalation(
    service: EscalationService, one: Disclosed, case: str, names: str
) -> dict[str, Any]:
    esc, spec, words, name = one.escalation, one.spec, service.words, _namer(service, names)
    others = len([ref for ref in esc.case_refs if ref != case])
    later = sentences.afterwards(one.rows)
    return {
        "reference": esc.reference,
        "other_children": others,
        "workflow": f"{labels.version_words(spec)}: {spec.alert_type(esc.alert_type).title}",
        "category": words.category(esc.category),
        "team": words.team(esc.team),
        "raised": labels.local(esc.raised_at),
        "raised_by": name(esc.raised_by),
        "stage": words.stage(spec, esc.stage),
        "open": esc.is_open,
        "closed": labels.local(esc.closed_at) if esc.closed_at else None,
        "timeline": [_step(service, row, spec, names, later) for row in one.rows],
        "looks": [
            {
                "when": labels.local(look.at),
                "who": name(look.viewer),
                "how": labels.upper_first(VIEW_WORDS.get(look.view, look.view)),
            }
            for look in one.looks
        ],  # fmt: skip
    }


def _step(
    service: EscalationService, row: Any, spec: WorkflowSpec, names: str,
    later: dict[int, list[str]],
) -> dict[str, Any]:  # fmt: skip
    """One entry in words (``later``: what later entries did to each entry's text)."""
    name, words = _namer(service, names), service.words
    move = words.stage(spec, row.to_stage)
    if row.from_stage and row.from_stage != row.to_stage:
        move = f"{words.stage(spec, row.from_stage)} → {move}"
    entered = Entered.read(json.loads(row.data) if row.data else {})
    told = [] if entered is None else [*entered.with_people, *sorted(entered.told.everyone())]
    return {
        "when": labels.local(row.at),
        "who": "The engine" if row.actor_kind == "engine" else name(row.actor),
        "what": labels.upper_first(words.done(row.action)),
        "stage": move,
        "note": row.note,
        "details": [
            *sentences.entry_facts(row.action, row.data, spec, logins=names == "people"),
            *later.get(row.seq, []),
        ],
        "entry": row.seq,
        "told": list(dict.fromkeys(name(person) for person in told)),
    }


#: The retention plan's columns in a CSV download, whichever door it comes through.
PLAN_FIELDS = ("reference", "workflow", "category", "closed_on", "years", "kept_until", "remove_on")


def plan_csv(found: dict[str, Any]) -> str:
    """The retention plan (the ``retention_plan`` operation's answer) as CSV, cells inert."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(PLAN_FIELDS)
    writer.writerows(
        [inert("" if due[name] is None else str(due[name])) for name in PLAN_FIELDS]
        for due in found["due"]
    )
    return buffer.getvalue()
