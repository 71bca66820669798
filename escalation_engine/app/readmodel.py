"""The read model: escalations and their trails as plain JSON, with the words people read.

The API returns these, and the CLI prints them in both modes (``cli/views.py``), so what an IRO
sees at a terminal is the same whether the command ran here or on the server; a client needs
no workflow files to print them.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from escalation_engine.app import sentences
from escalation_engine.domain import labels
from escalation_engine.domain.calendar import LONDON
from escalation_engine.domain.escalation import Escalation

if TYPE_CHECKING:
    from escalation_engine.clock import Clock
    from escalation_engine.domain.labels import Words
    from escalation_engine.spec.model import WorkflowSpec
    from escalation_engine.store import AuditRow


class Source(Protocol):
    """What the read model reads besides the escalation itself: the workflow version it runs
    under, the words people read, the time, and which actions its stage offers (the service
    gives all four)."""

    @property
    def words(self) -> Words: ...

    @property
    def clock(self) -> Clock: ...

    def spec_for(self, escalation: Escalation) -> WorkflowSpec: ...

    def allowed_actions(self, escalation: Escalation) -> list[str]: ...


def _status(service: Source, esc: Escalation, now: datetime) -> tuple[str, str]:
    """The status word and how it is shown (``closed``, ``overdue``, ``waiting`` or ``done``)."""
    spec, words = service.spec_for(esc), service.words
    if not esc.is_open:
        return words.outcome(spec, esc.outcome or esc.stage), "closed"
    if (
        esc.stage_due_at
        and esc.stage_due_at < now
        or esc.overall_breached_at
        or esc.stage_breached_at
    ):
        return "overdue", "overdue"
    return words.status(esc.status), "waiting" if esc.status != "responded" else "done"


def escalation(
    service: Source,
    esc: Escalation,
    allowed: list[str] | None = None,
    *,
    rows: list[AuditRow] | None = None,
    problem: str | None = None,
) -> dict[str, Any]:
    """``esc`` as JSON, with ``shown``: its facts in words; with ``allowed``, what happens next;
    with ``rows``, its timeline."""
    spec, words = service.spec_for(esc), service.words
    data = sentences.escalation_json(esc, allowed)
    stage = words.stage(spec, esc.stage)
    status, style = _status(service, esc, service.clock.now())
    data["shown"] = {
        "case": ", ".join(esc.case_refs) + ("" if esc.looked_after else " (not looked after)"),
        "workflow": f"{labels.version_words(spec)}: {spec.alert_type(esc.alert_type).title}",
        "category": words.category(esc.category),
        "team": words.team(esc.team),
        "raised": f"{labels.local(esc.raised_at)} by {words.person(esc.raised_by)}",
        "stage": stage,
        "rating": words.rating(spec, esc.rag) if esc.rag else None,
        "with": words.people(esc.with_people),
        "handling": words.person(esc.handled_by) if esc.handled_by else None,
        "due": esc.stage_due_at.astimezone(LONDON).strftime("%d %b %Y %H:%M")
        if esc.stage_due_at
        else "-",
        "status": status,
        "status_style": style,
        "plain_status": words.status(esc.status),
    }
    if allowed is not None:
        data["next"] = sentences.next_steps(esc, spec, allowed, words)
    if rows is not None:
        later = sentences.afterwards(rows)
        spec = service.spec_for(esc)
        data["timeline"] = [_entry(service, row, spec, later.get(row.seq or 0, [])) for row in rows]
        data["trail_problem"] = problem
    return data


def entry(service: Source, row: AuditRow, esc: Escalation) -> dict[str, Any]:
    """One audit entry as JSON, with ``shown``: when, who, what and the note in words."""
    return _entry(service, row, service.spec_for(esc))


def trail_entry(service: Source, row: Any, spec: WorkflowSpec) -> dict[str, Any]:
    """An entry of the trail across escalations: the entry, and its escalation's facts."""
    return _entry(service, row, spec) | {
        "case_refs": json.loads(row.case_refs), "team": row.team, "category": row.category,
        "workflow": row.workflow, "version": row.version, "alert_type": row.alert_type,
        "raised_by": row.raised_by, "outcome": row.outcome,
    }  # fmt: skip


def _entry(
    service: Source, row: Any, spec: WorkflowSpec, later: list[str] | None = None
) -> dict[str, Any]:
    """``later``: what later entries did to its text (corrected it, removed it)."""
    words = service.words
    move = words.stage(spec, row.to_stage)
    if row.from_stage and row.from_stage != row.to_stage:
        move = f"{words.stage(spec, row.from_stage)} → {move}"
    who = "the engine" if row.actor_kind == "engine" else words.person(row.actor)
    return sentences.audit_json(row) | {
        "afterwards": later or [],
        "shown": {
            "when": row.at.astimezone(LONDON).strftime("%d %b %Y %H:%M"),
            "who": who,
            "what": labels.upper_first(words.done(row.action)),
            "move": move,
            "note": "\n".join(
                filter(
                    None,
                    [
                        row.note,
                        *sentences.entry_facts(row.action, row.data, spec),
                        *(later or []),
                    ],
                )
            ),  # fmt: skip
            "entry": f"Entry {row.seq}",
        },
    }


def acted(service: Source, esc: Escalation, action: str) -> dict[str, Any]:
    """The escalation after ``action``, with the sentence that reports it."""
    allowed = service.allowed_actions(esc)
    data = escalation(service, esc, allowed)
    words = service.words
    data["said"] = (
        f"{esc.reference}: {words.done(action)}. Now: {data['shown']['stage']}"
        f" ({words.status(esc.status)})."
    )
    return data


def raised(service: Source, esc: Escalation) -> dict[str, Any]:
    """A new escalation, with the sentence that reports it."""
    data = escalation(service, esc)
    spec, words = service.spec_for(esc), service.words
    if esc.is_open:
        data["said"] = (
            f"Raised {esc.reference}: now with {words.people(esc.with_people) or '-'} at"
            f" {data['shown']['stage']}, due {labels.local(esc.stage_due_at)}."
        )
    else:
        outcome = words.outcome(spec, esc.outcome or esc.stage)
        data["said"] = f"Recorded {esc.reference} ({outcome}); it will not escalate."
    return data


def workflow_summary(spec: WorkflowSpec) -> dict[str, Any]:
    return {
        "name": spec.name, "version": spec.version, "digest": spec.digest, "title": spec.title,
        "source": spec.source, "stages": list(spec.stage_names),
        "alert_types": [a.name for a in spec.alert_types],
    }  # fmt: skip


def workflow(service: Source, spec: WorkflowSpec) -> dict[str, Any]:
    """A workflow as ``workflows show`` tells it: each stage in sentences, and its diagram."""
    words = service.words
    limit = spec.overall_limit
    stages = [
        {
            "name": s.name, "title": s.title, "clock": s.clock.describe(),
            "responders": list(s.responders.roles), "on_timeout": s.on_timeout,
            "on_unsatisfactory": s.on_unsatisfactory,
            "sentence": sentences.stage_sentence(spec, s, words),
            "not_satisfied": words.stage(spec, s.on_unsatisfactory or None),
            "facts": sentences.stage_facts(spec, s, words),
        }
        for s in spec.stages
    ]  # fmt: skip
    return {
        "name": spec.name, "version": spec.version, "digest": spec.digest, "title": spec.title,
        "label": spec.label, "description": spec.description, "stages": stages,
        "overall_limit": f"{limit.clock.describe()} (from {limit.starts})" if limit else None,
        "may": sentences.who_may(spec, words),
        "mermaid": sentences.mermaid(spec),
    }  # fmt: skip
