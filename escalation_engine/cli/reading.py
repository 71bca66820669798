"""The commands that read: list, show, audit, and tick (which applies what is due)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .common import AsUser, Json, Ref, acting_user, app, emit_json, err, escape, open_service, out

if TYPE_CHECKING:
    from .. import audit
    from ..service import EscalationService


def _show(service: EscalationService, reference: str, as_json: bool) -> None:
    from .. import render

    esc = service.get(reference)
    spec = service.spec_for(esc)
    allowed = service.allowed_actions(esc)
    rows = service.trail(esc.reference)
    if as_json:
        data = render.escalation_json(esc, allowed)
        data["next"] = render.next_steps(esc, spec, allowed, service.words)
        data["timeline"] = [render.audit_json(r) for r in rows]
        emit_json(data)
    else:
        out.print(render.escalation_panel(esc, spec, allowed, rows, service.words))


@app.command("list")
def list_(
    mine: Annotated[bool, typer.Option("--mine", help="Ones I raised.")] = False,
    waiting: Annotated[bool, typer.Option("--waiting", help="Ones waiting for me.")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Past a deadline.")] = False,
    child: Annotated[
        str | None, typer.Option("--child", metavar="CASE", help="For this case reference.")
    ] = None,
    stage: Annotated[
        str | None, typer.Option("--stage", help="At this stage (its name or its title).")
    ] = None,
    team: Annotated[str | None, typer.Option("--team", help="For this team's children.")] = None,
    category: Annotated[str | None, typer.Option("--category", help="Of this category.")] = None,
    workflow: Annotated[str | None, typer.Option("--workflow", help="Under this workflow.")] = None,
    closed: Annotated[bool, typer.Option("--all", help="Include closed ones.")] = False,
    as_user: AsUser = None,
    as_json: Json = False,
) -> None:
    """List escalations (open ones unless --all). Every filter is checked: a name that does not
    exist is an error, never an empty list.

    Example: escalate list --waiting --as jo
    """
    from .. import filters, render

    service = open_service()
    settings = service.settings
    now = service.clock.now()
    user = settings.person(acting_user(as_user)).username if (mine or waiting or as_user) else None
    chosen = filters.Filter(
        include_closed=closed,
        raised_by=user if mine else None,
        waiting_for=user if waiting else None,
        overdue_at=now if overdue else None,
        child=filters.child(settings, child, service.case_references()) if child else None,
        stages=filters.stage_keys(service.workflows.values(), stage) if stage else frozenset(),
        team=filters.team(settings, team) if team else None,
        category=filters.category(settings, category) if category else None,
        workflow=service.workflow(workflow).name if workflow else None,
    )
    items = service.find(chosen)
    if as_json:
        emit_json([render.escalation_json(e) for e in items])
    elif items:
        title = f"{len(items)} escalation{'s' if len(items) != 1 else ''}"
        out.print(render.escalation_table(items, now, title, service.words, service.spec_for))
    else:
        out.print("No escalations match.")


@app.command()
def show(reference: Ref, as_json: Json = False) -> None:
    """Show one escalation: its facts, what happens next and when, and its timeline.

    Example: escalate show ESC-2026-0042
    """
    _show(open_service(), reference, as_json)


@app.command("audit")
def audit_(
    target: Annotated[
        str, typer.Argument(help="An escalation reference, or 'verify' to check the whole trail.")
    ],
    since: Annotated[
        int,
        typer.Option(
            "--since",
            min=0,
            metavar="SEQ",
            help="With verify: check only the entries after this one (a checkpoint you verified before).",
        ),
    ] = 0,
    as_json: Json = False,
) -> None:
    """Show an escalation's audit trail, or verify that nobody has altered the trail.

    Examples: escalate audit ESC-2026-0042 | escalate audit verify | escalate audit verify --since 120000
    """
    from .. import render

    service = open_service()
    if target.lower() == "verify":
        report = _verify(service, since, show_progress=not as_json)
        if as_json:
            emit_json(report.as_dict())
        elif report.ok:
            after = f" after entry {since}" if since else ""
            signed = (
                "every signature checked"
                if report.signed
                else "[yellow]not signed[/yellow] (config.yaml names no audit.public_key: anyone"
                " who can write to the database could rewrite it consistently)"
            )
            out.print(
                f"[green]Audit trail verified[/green]: {report.entries} entries{after}, {signed}, head {report.head[:16]}…"
            )
        else:
            err.print(f"[red]Audit trail broken[/red]: {report.problem}.")
        raise typer.Exit(0 if report.ok else 1)
    esc = service.get(target)
    rows = service.trail(esc.reference)
    if as_json:
        emit_json([render.audit_json(r) for r in rows])
    else:
        out.print(render.timeline(rows, service.words, service.spec_for(esc)))


def _verify(service: EscalationService, since: int, *, show_progress: bool) -> audit.ChainReport:
    """Verify the trail, with a progress bar when someone is watching at a terminal."""
    if not (show_progress and err.console.is_terminal):
        return service.verify(since)
    from rich.progress import Progress

    with Progress(console=err.console, transient=True) as bar:
        task = bar.add_task("Verifying the audit trail", total=service.trail_length(since))
        return service.verify(since, lambda done: bar.update(task, completed=done))


@app.command()
def tick(as_json: Json = False) -> None:
    """Apply everything due now (timeouts, breaches, reminders) once, then exit.

    Example: escalate tick
    """
    from .. import render

    service = open_service()
    report = service.tick()
    if as_json:
        emit_json({"now": render.iso(report.now), "applied": [
            {"reference": a.reference, "kind": a.kind, "due_at": render.iso(a.due_at), "from_stage": a.from_stage, "to_stage": a.to_stage}
            for a in report.applied
        ]})  # fmt: skip
        return
    for item in report.applied:
        spec = service.spec_for(service.get(item.reference))
        moves = (item.from_stage, item.to_stage)
        line = render.applied_line(
            item.reference, item.kind, item.due_at, moves, service.words, spec
        )
        out.print(escape(line))
    out.print(f"{len(report.applied)} item{'s' if len(report.applied) != 1 else ''} applied.")
