"""Rich renderables and JSON shapes for what the CLI shows; nothing here prints.

Times are stored in UTC and shown in London time, the way the people reading them live.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .calendar import LONDON
from .escalation import Escalation
from .labels import Words
from .labels import commands as command_list
from .spec.model import OUTCOMES, RoleSet, StageSpec, WorkflowSpec

if TYPE_CHECKING:
    from .store import AuditRow


def local(moment: datetime | None) -> str:
    return moment.astimezone(LONDON).strftime("%a %d %b %Y %H:%M") if moment else "-"


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(LONDON).isoformat() if moment else None


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
        **({"allowed_actions": allowed} if allowed is not None else {}),
    }


def audit_json(row: AuditRow) -> dict[str, Any]:
    from . import audit

    return audit.body(row) | {"at": iso(row.at), "hash": row.hash}


def _status(esc: Escalation, now: datetime, words: Words, spec: WorkflowSpec) -> Text:
    if not esc.is_open:
        return Text(words.outcome(spec, esc.outcome or esc.stage), style="dim")
    if (
        esc.stage_due_at
        and esc.stage_due_at < now
        or esc.overall_breached_at
        or esc.stage_breached_at
    ):
        return Text("overdue", style="bold red")
    return Text(words.status(esc.status), style="yellow" if esc.status != "responded" else "green")


def escalation_table(
    items: Iterable[Escalation],
    now: datetime,
    title: str,
    words: Words,
    spec_of: Callable[[Escalation], WorkflowSpec],
) -> Table:
    """Escalations in four columns that stay readable at 80 columns: each cell wraps on words."""
    table = Table(title=title, title_justify="left", expand=False, show_lines=True)
    table.add_column("Escalation", no_wrap=True)
    table.add_column("Category", ratio=2, min_width=10)
    table.add_column("Stage, and who it is with", ratio=3, min_width=14)
    table.add_column("Due", min_width=12)
    for esc in items:
        spec = spec_of(esc)
        stage = words.stage(spec, esc.stage)
        if esc.rag:
            stage += f" (RAG: {words.rating(spec, esc.rag)})"
        who = f"\nwith {words.people(esc.with_people)}" if esc.with_people else ""
        due = (
            esc.stage_due_at.astimezone(LONDON).strftime("%d %b %Y %H:%M")
            if esc.stage_due_at
            else "-"
        )
        status = Text(f"{due}\n").append_text(_status(esc, now, words, spec))
        table.add_row(
            f"{esc.reference}\n{', '.join(esc.case_refs)}",
            words.category(esc.category),
            stage + who,
            status,
        )
    return table


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


def timeline(rows: Iterable[AuditRow], words: Words, spec: WorkflowSpec) -> Table:
    """The audit trail in three columns that stay readable at 80 columns."""
    table = Table(expand=True, show_edge=False, show_lines=True)
    table.add_column("When, and who", no_wrap=True)
    table.add_column("What happened", ratio=2)
    table.add_column("Note", ratio=3)
    for row in rows:
        move = words.stage(spec, row.to_stage)
        if row.from_stage and row.from_stage != row.to_stage:
            move = f"{words.stage(spec, row.from_stage)} → {move}"
        who = "the engine" if row.actor_kind == "engine" else words.person(row.actor)
        when = row.at.astimezone(LONDON).strftime("%d %b %Y %H:%M")
        what = words.done(row.action).capitalize()
        note = "\n".join(filter(None, [row.note, *entry_facts(row.data, spec)]))
        table.add_row(f"{when}\n{escape(who)}", f"{what}\n{escape(move)}", escape(note))
    return table


def entry_facts(data: str, spec: WorkflowSpec) -> list[str]:
    """What an entry records beyond its note, in words: why it went where it went, a meeting's
    record, the reason for an outcome, who is to carry out an escalation, who typed it when they
    acted as someone else, and that it was training."""
    facts = json.loads(data) if data and data != "{}" else {}
    lines = []
    if facts.get("routed"):
        lines.append(f"Routed: {facts['routed']}")
    if facts.get("held_on"):
        lines.append(
            f"Meeting held {facts['held_on']}; attended: {', '.join(facts.get('attendees', []))};"
            f" decided: {facts.get('outcome', '')}"
            + (f"; next: {facts['next_step']}" if facts.get("next_step") else "")
        )
    if facts.get("escalation_by"):
        lines.append(f"To be escalated by: {', '.join(facts['escalation_by']).replace('_', ' ')}")
    if facts.get("reason"):
        titles = {k: v for reasons in spec.outcome_reasons.values() for k, v in reasons.items()}
        lines.append(f"Reason: {titles.get(facts['reason'], facts['reason'])}")
    if facts.get("entered_by"):
        lines.append(f"Entered by the computer login {facts['entered_by']}, acting as this person")
    imported = facts.get("imported")
    if isinstance(imported, dict):
        legacy = f" (legacy ID {imported['legacy_id']})" if imported.get("legacy_id") else ""
        typed = (
            f", typed by the login {imported['entered_by']}" if imported.get("entered_by") else ""
        )
        lines.append(
            f"Imported by {imported.get('by')}{typed} from {imported.get('file')}, row"
            f" {imported.get('row')}{legacy}; file SHA-256 {str(imported.get('digest'))[:12]}…"
        )
    if facts.get("training"):
        lines.append("Training: recorded on a training database, on its clock")
    return lines


def escalation_panel(
    esc: Escalation, spec: WorkflowSpec, allowed: list[str], rows: list[AuditRow], words: Words
) -> RenderableType:
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column()
    facts.add_row(
        "Case", ", ".join(esc.case_refs) + ("" if esc.looked_after else " (not looked after)")
    )
    facts.add_row(
        "Workflow", f"{spec.title} ({spec.label}), {spec.alert_type(esc.alert_type).title}"
    )
    facts.add_row("Category", words.category(esc.category))
    facts.add_row("Team", words.team(esc.team))
    facts.add_row("Concern", escape(esc.summary))
    facts.add_row("Raised", f"{local(esc.raised_at)} by {escape(words.person(esc.raised_by))}")
    stage = words.stage(spec, esc.stage)
    facts.add_row("Stage", stage + (f"  RAG: {words.rating(spec, esc.rag)}" if esc.rag else ""))
    steps = Text("\n".join(next_steps(esc, spec, allowed, words)))
    return Panel(
        Group(
            facts,
            Text(""),
            Text("What happens next", style="bold"),
            steps,
            Text(""),
            Text("Timeline", style="bold"),
            timeline(rows, words, spec),
        ),
        title=f"{esc.reference}",
        title_align="left",
    )


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
