"""What the read model says in sentences: what happens next, what an entry records beyond its
note, who does what at each stage, and a workflow as a diagram; with the JSON shapes of an
escalation and an entry.

Plain strings and dicts, nothing that prints: the CLI, the API, the desk and the notifications
all take their sentences from here. Times are stored in UTC and said in London time.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from escalation_engine.domain.actions import catalogue
from escalation_engine.domain.actions.judging import Rejected
from escalation_engine.domain.actions.meetings import MeetingHeld
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.events import Corrected, PersonEvent, Redacted, Rerouted, Written
from escalation_engine.domain.labels import Words, iso, local, upper_first
from escalation_engine.domain.labels import commands as command_list
from escalation_engine.spec import vocabulary
from escalation_engine.spec.model import OUTCOMES, RoleSet, StageSpec, WorkflowSpec

if TYPE_CHECKING:
    from escalation_engine.store import AuditRow


def escalation_json(esc: Escalation, allowed: list[str] | None = None) -> dict[str, Any]:
    return {
        "reference": esc.reference,
        "workflow": esc.workflow,
        "workflow_digest": esc.workflow_digest,
        "alert_type": esc.alert_type,
        "category": esc.category,
        "case_refs": list(esc.case_refs),
        "summary": esc.summary,
        "team": esc.team,
        "looked_after": esc.looked_after,
        "raised_by": esc.raised_by,
        "raised_at": iso(esc.raised_at),
        "stage": esc.stage,
        "status": esc.status,
        "rag": esc.rag,
        "with_roles": list(esc.with_roles),
        "with_people": list(esc.with_people),
        "stage_due_at": iso(esc.stage_due_at),
        "remind_at": iso(esc.remind_at),
        "overall_due_at": iso(esc.overall_due_at),
        "overall_breached_at": iso(esc.overall_breached_at),
        "stage_breached_at": iso(esc.stage_breached_at),
        "outcome": esc.outcome,
        "closed_at": iso(esc.closed_at),
        "cafcass_referred_at": iso(esc.cafcass_referred_at),
        "stages_reached": list(esc.stages_reached),
        "version": esc.version,
        "handled_by": esc.handled_by,
        **({"allowed_actions": allowed} if allowed is not None else {}),
    }


def audit_json(row: AuditRow) -> dict[str, Any]:
    from escalation_engine.trail import audit

    return audit.body(row) | {"at": iso(row.at), "hash": row.hash}


def next_steps(
    esc: Escalation, spec: WorkflowSpec, allowed: list[str], words: Words, commands: bool = True
) -> list[str]:
    """Plain sentences saying what happens next and when (and, with ``commands``, the commands
    the stage allows: a page shows its forms instead)."""
    if not esc.is_open:
        lines = [
            f"Closed as {words.outcome(spec, esc.outcome or esc.stage)} on {local(esc.closed_at)}."
        ]
        if "reopen" in allowed and commands:
            lines.append(f"It can be reopened: escalate reopen {esc.reference} --note '…'.")
        return lines
    stage = spec.stage(esc.stage)
    roles = words.roles(esc.with_roles)
    who = words.people(esc.with_people) or roles or "nobody (check config.yaml)"
    lines = []
    if esc.status == "responded":
        lines.append(f"A response is in; waiting for {who} to accept or reject it.")
    elif esc.status == "awaiting_escalation":
        lines.append(f"Judged not satisfactory; waiting for {who} ({roles}) to escalate it.")
    else:
        lines.append(f"Waiting for a response from {who} ({roles}).")
    if esc.stage_due_at:
        target = stage.on_timeout
        if esc.status == "awaiting_escalation":
            target = stage.on_unsatisfactory
        then = (
            f"it moves to {words.stage(spec, target)}"
            if target in spec.stage_names
            else (
                f"it closes as {words.outcome(spec, target)}"
                if target in OUTCOMES
                else "a breach is recorded and reminders continue"
            )
        )
        lines.append(
            f"Deadline {local(esc.stage_due_at)}; if nothing satisfactory by then, {then}."
        )
    if esc.remind_at:
        lines.append(f"Next reminder {local(esc.remind_at)}.")
    if esc.overall_due_at and spec.overall_limit:
        state = "passed" if esc.overall_breached_at else "ends"
        lines.append(
            f"Overall limit ({spec.overall_limit.clock.describe()}) {state} {local(esc.overall_due_at)}."
        )
    if esc.cafcass_referred_at:
        lines.append(
            f"Referred to Cafcass on {local(esc.cafcass_referred_at)} (alongside this process)."
        )
    if commands:
        lines.append(
            f"Actions you can take now (each an escalate command): {command_list(allowed)}."
        )
    return lines


def entry_facts(action: str, data: str, spec: WorkflowSpec, logins: bool = True) -> list[str]:
    """What an entry of kind ``action`` records beyond its note, in words: why it went where it
    went, a meeting's record, the reason for an outcome, who is to carry out an escalation, who
    typed it when they acted as someone else (unless ``logins`` is false: an export that names
    people by role names no computer logins either), that it was imported, and that it was
    training."""
    stored = json.loads(data) if data and data != "{}" else {}
    event, written = catalogue.event_of(action, stored), Written.read(stored)
    lines = []
    routed = (
        event.routed
        if isinstance(event, Rerouted)
        else (event.entered.routed if event.entered is not None else None)
    )
    if routed:
        lines.append(f"Routed: {routed}")
    if isinstance(event, MeetingHeld) and event.held_on:
        lines.append(
            f"Meeting held {event.held_on}; attended: {', '.join(event.attendees or ())};"
            f" decided: {event.outcome or ''}"
            + (f"; next: {event.next_step}" if event.next_step else "")
        )
    if isinstance(event, Rejected) and event.escalation_by:
        lines.append(f"To be escalated by: {', '.join(event.escalation_by).replace('_', ' ')}")
    reason = event.reason if isinstance(event, PersonEvent) else None
    if reason:
        titles = {k: v for reasons in spec.outcome_reasons.values() for k, v in reasons.items()}
        lines.append(f"Reason: {titles.get(reason, reason)}")
    if written.entered_by and logins:
        lines.append(f"Entered by the computer login {written.entered_by}, acting as this person")
    imported = written.imported
    if imported is not None:
        legacy = f" (legacy ID {imported.legacy_id})" if imported.legacy_id else ""
        typed = f", typed by the login {imported.entered_by}" if imported.entered_by else ""
        by = f" by {imported.by}{typed}" if logins else ""
        lines.append(
            f"Imported{by} from {imported.file}, row {imported.row}{legacy}; file SHA-256"
            f" {imported.digest[:12]}…"
        )
    if isinstance(event, Redacted):
        by = f" under the retention schedule ({event.rule})" if event.rule else ""
        lines.append(f"Removed the {FIELD_WORDS.get(event.field, event.field)} of entry"
                     f" {event.entry}{by}: {event.why}")  # fmt: skip
    if isinstance(event, Corrected):
        lines.append(f"Corrects the {FIELD_WORDS.get(event.field, event.field)} of entry"
                     f" {event.entry}: {event.why}")  # fmt: skip
    if written.training:
        lines.append("Training: recorded on a training database, on its clock")
    return lines


#: What each field that holds text is called where a redaction or correction names it.
FIELD_WORDS = {"note": "note", "outcome": "meeting's outcome", "next_step": "next step"}


def afterwards(rows: list[Any]) -> dict[int, list[str]]:
    """What later entries did to each entry's text (corrected it, removed it), by entry, so
    that an entry is shown with its correction and its redaction wherever it is shown."""
    said: dict[int, list[str]] = {}
    for row in rows:
        event = catalogue.event_of(row.action, json.loads(row.data))
        if isinstance(event, Corrected):
            field = upper_first(FIELD_WORDS.get(event.field, event.field))
            line = f"{field} corrected by entry {row.seq} ({event.why}): {row.note}"
        elif isinstance(event, Redacted):
            field = upper_first(FIELD_WORDS.get(event.field, event.field))
            line = f"{field} removed by entry {row.seq}: {event.why}"
        else:
            continue
        said.setdefault(event.entry, []).append(line)
    return said


def applied_line(
    reference: str,
    kind: str,
    due_at: datetime,
    moves: tuple[str, str],
    words: Words,
    spec: WorkflowSpec,
) -> str:
    """One line for something the engine applied: what, when it was due, and any move."""
    before, after = (words.stage(spec, stage) for stage in moves)
    where = before if before == after else f"{before} → {after}"
    return f"{reference}: {words.done(kind)} (due {local(due_at)}); {where}"


def _roles(roles: tuple[str, ...], joiner: str = " or ", words: Words | None = None) -> str:
    """Roles in words: the council's titles given ``words``, else the names spelt out."""
    return joiner.join(words.role(r) if words else r.replace("_", " ") for r in roles)


def _role_set(roles: RoleSet, words: Words | None = None) -> str:
    """A stage's responders or judges: any one of them (or), or all of them (and)."""
    return _roles(roles.roles, " and " if roles.mode == "all_of" else " or ", words)


def stage_facts(spec: WorkflowSpec, stage: StageSpec, words: Words | None = None) -> list[str]:
    """Who does what at ``stage``, in the words a procedure manual would use (the council's
    role titles, given ``words``)."""

    def _who(roles: tuple[str, ...], joiner: str = " or ") -> str:
        return _roles(roles, joiner, words)

    judges = stage.satisfied_by
    facts = [
        f"responds: {_role_set(stage.responders, words)}",
        f"judges: {_role_set(judges, words)}"
        if judges.roles
        else "nobody judges; the clock moves it",
    ]
    if stage.stand_in:
        facts.append(f"stands in: {_who(stage.stand_in)}")
    early = stage.escalate_by or judges.roles
    if stage.on_unsatisfactory in spec.stage_names and early:
        facts.append(f"may escalate early: {_who(early)}")
    if stage.addressees:
        facts.append(f"addressed to: {_who(stage.addressees, ', ')}")
    if stage.copy:
        facts.append(f"copied: {_who(stage.copy, ', ')}")
    if stage.watchers:
        facts.append(f"watches: {_who(stage.watchers, ', ')}")
    return facts


def stage_sentence(spec: WorkflowSpec, stage: StageSpec, words: Words) -> str:
    """What the stage's clock does, truly: it moves on, or it is breached and reminders go on,
    or there is no clock at all."""
    clock = stage.clock
    if not clock.has_deadline:
        every = (
            f", with reminders every {stage.remind_every.describe()}" if stage.remind_every else ""
        )
        return f"no time limit: it waits for a response{every}"
    if stage.on_timeout:
        return (
            f"{clock.describe()}; with no satisfactory response by then it moves to"
            f" {words.stage(spec, stage.on_timeout)}"
        )
    every = f" every {stage.remind_every.describe()}" if stage.remind_every else ""
    return (
        f"{clock.describe()}; with no satisfactory response by then the deadline is recorded as"
        f" breached and reminders continue{every}"
    )


def who_may(spec: WorkflowSpec, words: Words) -> list[dict[str, Any]]:
    """Every action and who may take it under ``spec``: the roles the workflow grants, or the
    stage's own people for the actions each stage decides."""
    found = []
    for action in catalogue.actions():
        roles = spec.roles_for(action.name, None)
        if roles:
            who = _roles(roles, " or ", words)
        elif action.name in vocabulary.with_default("stage"):
            who = "as each stage says"
        else:
            who = "nobody: the workflow names no role"
        found.append({"action": action.name, "command": action.cli, "roles": list(roles),
                      "who": who})  # fmt: skip
    return found


def _label(text: str) -> str:
    return text.replace('"', "#quot;")


def mermaid(spec: WorkflowSpec) -> str:
    """A Mermaid flowchart of the ladder, for documentation and procedure manuals: each stage
    with its clock, who responds and judges, who stands in, may escalate early, is copied and
    watches."""
    lines = ["flowchart TD"]
    for alert in spec.alert_types:
        lines.append(f'  {alert.name}>"{_label(alert.title)}"]')
        lines.append(f"  {alert.name} --> {alert.enters_at or 'recorded'}")
    used_outcomes = {"recorded"} if any(a.positive for a in spec.alert_types) else set()
    for stage in spec.stages:
        label = "<br/>".join(
            [f"<b>{stage.title}</b>", stage.clock.describe(), *stage_facts(spec, stage)]
        )
        lines.append(f'  {stage.name}["{_label(label)}"]')
        if stage.satisfied_by.roles:
            judges = _role_set(stage.satisfied_by)
            lines.append(f'  {stage.name} -- "satisfied ({_label(judges)})" --> resolved')
            used_outcomes.add("resolved")
        if stage.on_timeout:
            lines.append(f"  {stage.name} -- timeout --> {stage.on_timeout}")
            used_outcomes.add(stage.on_timeout)
        elif stage.clock.has_deadline:
            lines.append(
                f"  {stage.name} -. deadline passes: breach, reminders continue .-> {stage.name}"
            )
        if stage.on_unsatisfactory:
            lines.append(f"  {stage.name} -- unsatisfactory --> {stage.on_unsatisfactory}")
            used_outcomes.add(stage.on_unsatisfactory)
    if spec.cafcass.allowed:
        used_outcomes.add("referred_to_cafcass")
        lines.append("  ladder{{any stage}} -. Cafcass referral .-> referred_to_cafcass")
    for outcome in sorted(used_outcomes & set(OUTCOMES)):
        lines.append(f"  {outcome}(({outcome.replace('_', ' ')}))")
    return "\n".join(lines)
