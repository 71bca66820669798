"""The commands that read: list, show, audit, and tick (which applies what is due); and watch,
which chooses what your inbox lists."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from escalation_engine.cli.common import (
    AsUser,
    Json,
    Ref,
    app,
    bare,
    emit_json,
    err,
    escape,
    open_service,
    out,
)
from escalation_engine.errors import InvalidInput

if TYPE_CHECKING:
    from escalation_engine.service import EscalationService, TrailReport


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
    due: Annotated[
        str | None,
        typer.Option("--due", metavar="WHEN", help="Due: overdue, today or week (this week)."),
    ] = None,
    raised_by: Annotated[
        str | None, typer.Option("--raised-by", metavar="PERSON", help="Raised by this person.")
    ] = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search",
            "-q",
            metavar="TEXT",
            help="Whose reference or child's case reference holds this (e.g. 0042 or CLA-12).",
        ),
    ] = None,
    sort: Annotated[
        str | None,
        typer.Option(
            "--sort",
            metavar="ORDER",
            help="due (most overdue first; the default), raised (newest first), reference or"
            " stage (highest first).",
        ),
    ] = None,
    closed: Annotated[bool, typer.Option("--all", help="Include closed ones.")] = False,
    watching: Annotated[
        bool, typer.Option("--watching", help="Open ones I watch ('escalate watch'), alone.")
    ] = False,
    as_user: AsUser = None,
    as_json: Json = False,
) -> None:
    """List escalations (open ones unless --all). Every filter is checked: a name that does not
    exist is an error, never an empty list.

    Example: escalate list --waiting --as jo; escalate list --team north --due overdue
    """
    from escalation_engine.cli import views
    from escalation_engine.cli.backend import connect

    filters = {"mine": mine, "waiting": waiting, "overdue": overdue, "due": due, "child": child,
               "stage": stage, "team": team, "category": category, "workflow": workflow,
               "raised_by": raised_by, "q": search, "sort": sort, "all": closed}  # fmt: skip
    if watching:
        options = {"q": "search", "raised_by": "raised-by"}
        given = [f"--{options.get(name, name)}" for name, value in filters.items() if value]
        if given:
            raise InvalidInput(
                f"--watching lists what you watch and takes no other filter (given: "
                f"{', '.join(given)}); run it alone."
            )
        items = connect(as_user).call("watching")
    else:
        items = connect(as_user).call("list", **filters)
    if as_json:
        emit_json([bare(item) for item in items])
    elif items:
        title = f"{len(items)} escalation{'s' if len(items) != 1 else ''}"
        out.print(views.escalation_table(items, title))
    else:
        out.print("No escalations match.")


@app.command()
def show(reference: Ref, as_user: AsUser = None, as_json: Json = False) -> None:
    """Show one escalation: its facts, what happens next and when, and its timeline. You see
    what you raised, are copied on, or has been with your tier; each look by anyone but the
    raiser is kept in the access log.

    Example: escalate show ESC-2026-0042
    """
    from escalation_engine.cli import views
    from escalation_engine.cli.backend import connect

    item = connect(as_user).call("show", {"reference": reference})
    problem = item["trail_problem"]
    if problem is not None:
        err.print(
            f"[red]Warning[/red]: this escalation does not match its audit trail ({escape(problem)});"
            " what follows may have been altered. Run 'escalate audit verify'."
        )
    if as_json:
        emit_json(bare(item) | {"timeline": [bare(entry) for entry in item["timeline"]]})
    else:
        out.print(views.escalation_panel(item))


@app.command()
def watch(
    reference: Ref,
    stop: Annotated[bool, typer.Option("--stop", help="Stop watching it.")] = False,
    as_user: AsUser = None,
    as_json: Json = False,
) -> None:
    """Watch an escalation you may see: it is listed in your inbox on the desk, and by
    'escalate list --watching', until it closes. A stage's watchers, people copied and the
    raiser's manager watch it from when they are told of it.

    Example: escalate watch ESC-2026-0042 (and: escalate watch ESC-2026-0042 --stop)
    """
    from escalation_engine.cli.backend import connect

    done = connect(as_user).call("unwatch" if stop else "watch", {"reference": reference})
    if as_json:
        emit_json(done)
    elif done["watching"]:
        out.print(f"You are watching {done['reference']}: see 'escalate list --watching'.")
    else:
        out.print(f"You no longer watch {done['reference']}.")


def _filter(help: str, metavar: str = "NAME", *names: str) -> Any:
    return typer.Option(*names, help=help, metavar=metavar, rich_help_panel="Across escalations")


@app.command("audit")
def audit_(
    target: Annotated[
        str | None,
        typer.Argument(
            help="An escalation reference; 'verify' to check the whole trail; 'checkpoint' to write a signed checkpoint now; none for the trail across escalations, filtered."
        ),
    ] = None,
    start: Annotated[str | None, _filter("From this day (YYYY-MM-DD).", "DAY", "--from")] = None,
    end: Annotated[
        str | None, _filter("To this day, inclusive (YYYY-MM-DD).", "DAY", "--to")
    ] = None,
    year: Annotated[str | None, _filter("A financial year, e.g. 2025-26.", "YEAR")] = None,
    team: Annotated[str | None, _filter("The escalation's team.")] = None,
    person: Annotated[
        str | None, _filter("Entries by this person, or of what they raised.")
    ] = None,
    child: Annotated[str | None, _filter("A child's case reference.", "CASE")] = None,
    workflow: Annotated[str | None, _filter("Workflow name.")] = None,
    version: Annotated[int | None, _filter("Workflow version number.", "N")] = None,
    alert_type: Annotated[str | None, _filter("Alert type.", "NAME", "--type")] = None,
    category: Annotated[str | None, _filter("Category.")] = None,
    stage: Annotated[str | None, _filter("Entries leaving or entering this stage.")] = None,
    action: Annotated[str | None, _filter("Action, e.g. timeout or respond.")] = None,
    outcome: Annotated[str | None, _filter("The escalation's outcome, e.g. resolved.")] = None,
    output: Annotated[
        str,
        typer.Option(
            "--format", metavar="table|csv|json", help="How to print the trail across escalations."
        ),
    ] = "table",
    since: Annotated[
        int,
        typer.Option(
            "--since",
            min=0,
            metavar="SEQ",
            help="With verify: check only the entries after this one (a checkpoint you verified before).",
        ),
    ] = 0,
    checkpoints: Annotated[
        Path | None,
        typer.Option(
            "--checkpoints",
            metavar="DIR",
            help="With verify: prove every checkpoint in DIR is still part of the trail (default: audit.checkpoints.folder). With checkpoint: where to write it.",
        ),
    ] = None,
    as_user: AsUser = None,
    as_json: Json = False,
) -> None:
    """Show an escalation's audit trail, or verify that nobody has altered the trail.

    Verify checks the hash chain, every signature, every escalation's row against its trail
    (replayed through its workflow version) and every checkpoint kept outside the database.

    Examples: escalate audit ESC-2026-0042 | escalate audit verify --checkpoints /mnt/audit | escalate audit checkpoint
    """
    if target is None:
        from escalation_engine.cli.trail import search

        given = {"from": start, "to": end, "year": year, "team": team, "person": person,
                 "child": child, "workflow": workflow, "version": version, "type": alert_type,
                 "category": category, "stage": stage, "action": action, "outcome": outcome}  # fmt: skip
        search(as_user, {k: v for k, v in given.items() if v is not None},
               "json" if as_json else output)  # fmt: skip
        return
    if target.lower() == "verify":
        _verify_all(since, checkpoints, as_json)
    elif target.lower() == "checkpoint":
        _checkpoint(checkpoints, as_json)
    else:
        _refuse_a_slip(target)
        _trail_of(target, as_user, as_json)


def _refuse_a_slip(target: str) -> None:
    """``audit verfy`` is a command mistyped, not a reference nobody raised: say which it meant."""
    from escalation_engine.errors import InvalidInput, did_you_mean

    meant = did_you_mean(target.lower(), ("verify", "checkpoint"))
    if meant and not any(ch.isdigit() for ch in target):
        raise InvalidInput(
            f"'escalate audit {target[:30]}' is neither a command nor a reference.{meant}"
            " 'escalate audit verify' checks the whole trail; 'escalate audit checkpoint' writes"
            " a checkpoint; 'escalate audit ESC-2026-0042' shows one escalation's trail."
        )


def _trail_of(reference: str, as_user: str | None, as_json: bool) -> None:
    """One escalation's trail, as its viewer may see it."""
    from escalation_engine.cli import views
    from escalation_engine.cli.backend import connect

    rows = connect(as_user).call("trail", {"reference": reference})
    if as_json:
        emit_json([bare(row) for row in rows])
    else:
        out.print(views.timeline(rows))


def _checkpoint(folder: Path | None, as_json: bool) -> None:
    """A checkpoint of the trail's head written outside the database, now."""
    from escalation_engine.runtime.anchors import send_checkpoint

    service = open_service()
    point, path = service.anchoring.checkpoint(folder)
    unreached = send_checkpoint(service.settings, path)  # the copies out of the writer's reach
    if as_json:
        emit_json({"seq": point.seq, "head": point.head, "count": point.count,
                   "at": point.at.isoformat(), "path": str(path), "unreached": unreached})  # fmt: skip
    else:
        out.print(
            f"Checkpoint of entry {point.seq} ({point.count} entries) written to {escape(str(path))}."
        )
    for sink in unreached:
        out.print(f"[yellow]Could not send a copy to {escape(sink)}[/yellow]: see the log.")


def _verify_all(since: int, folder: Path | None, as_json: bool) -> NoReturn:
    """Check the trail as ``verify_all`` does, here or on the server; exit 1 naming the first
    problem found."""
    from escalation_engine.app.oversight import verify_lines
    from escalation_engine.cli.backend import remote

    server = remote()
    if server is None:
        report = _verify(open_service(), since, folder, show_progress=not as_json).as_dict()
    elif folder is not None:
        raise InvalidInput(
            "--checkpoints names a folder on this computer, and the trail is checked on the"
            " server, against its own checkpoint folder. Leave it out here, or run 'escalate"
            " audit verify --checkpoints DIR' on the service host to check copies kept elsewhere."
        )
    else:
        report = server.call("verify", since=since)
    if as_json:
        emit_json(report)
    else:
        for problem, line in verify_lines(report):
            (err if problem else out).print(line)
    raise typer.Exit(0 if report["ok"] else 1)


def _verify(
    service: EscalationService, since: int, folder: Path | None, *, show_progress: bool
) -> TrailReport:
    """Verify the trail, with a progress bar when someone is watching at a terminal."""
    if not (show_progress and err.console.is_terminal):
        return service.verify_all(since, folder)
    from rich.progress import Progress

    from escalation_engine.service.anchoring import Watch

    total = service.queries.trail_length(since)
    with Progress(console=err.console, transient=True) as bar:
        task = bar.add_task("Checking every entry", total=total)

        def part(words: str) -> None:  # the entries are done; a part with no count of its own
            bar.update(task, description=words, completed=total)

        watch = Watch(lambda done: bar.update(task, completed=done), part, max(1, total // 100))
        return service.verify_all(since, folder, watch)


@app.command()
def tick(as_json: Json = False) -> None:
    """Apply everything due now (timeouts, breaches, reminders) once, then exit.

    Example: escalate tick
    """
    from escalation_engine.app import sentences
    from escalation_engine.domain import labels

    service = open_service()
    report = service.tick()
    if as_json:
        emit_json({"now": labels.iso(report.now), "applied": [
            {"reference": a.reference, "kind": a.kind, "due_at": labels.iso(a.due_at), "from_stage": a.from_stage, "to_stage": a.to_stage}
            for a in report.applied
        ]})  # fmt: skip
        return
    for item in report.applied:
        spec = service.spec_for(service.get(item.reference))
        moves = (item.from_stage, item.to_stage)
        line = sentences.applied_line(
            item.reference, item.kind, item.due_at, moves, service.words, spec
        )
        out.print(escape(line))
    out.print(f"{len(report.applied)} item{'s' if len(report.applied) != 1 else ''} applied.")
