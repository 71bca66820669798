"""Setting up and looking around: init, the workflows, the working-day calendar, the demo."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from escalation_engine.cli.common import (
    STATE,
    Json,
    app,
    calendar_app,
    current_settings,
    db_app,
    emit_json,
    err,
    escape,
    make_clock,
    open_service,
    out,
    parse_day,
    workflows_app,
)
from escalation_engine.cli.users import PasswordStdin, new_password
from escalation_engine.errors import ConfigError, EscalationError

if TYPE_CHECKING:
    from escalation_engine.service import EscalationService
    from escalation_engine.spec.model import WorkflowSpec


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder to set up (default: here).")] = Path(
        "."
    ),
    training: Annotated[
        bool,
        typer.Option(
            "--training",
            help="A database for training and rehearsal: it may run on a pretended clock (ESCALATE_FAKE_NOW), and every entry says it is training.",
        ),
    ] = False,
    admin: Annotated[
        str | None,
        typer.Option(
            "--admin",
            metavar="USERNAME",
            help="The first administrator: someone listed under people as an administrator (or"
            " the IRO manager). Asks for their password and gives them a local account, from"
            " which they add everyone else's with 'escalate user add'.",
        ),
    ] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create config.yaml and workflows/ (if missing) and set up the database; with --admin,
    the first administrator's account.

    Example: escalate init | escalate init --admin priya | escalate init --training my-folder
    """
    from escalation_engine.app import skeleton
    from escalation_engine.service import EscalationService
    from escalation_engine.service.accounts import check_first_administrator
    from escalation_engine.settings.config import find_config, load_settings
    from escalation_engine.settings.database import safe_url
    from escalation_engine.store import create_schema, make_engine

    directory = directory.resolve()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new folder: its owner's alone
    config = directory / skeleton.CONFIG
    if not config.exists():
        skeleton.write_config(directory, training=training)
        out.print(f"Created {config} (edit people, categories and closure days).")
    if not (directory / skeleton.WORKFLOWS).exists():
        skeleton.copy_workflows(directory)
        out.print(f"Copied the shipped workflows to {directory / skeleton.WORKFLOWS}.")
    if not (directory / skeleton.EXAMPLES).exists():
        skeleton.copy_examples(directory)
        out.print(f"Copied the examples to {directory / skeleton.EXAMPLES}.")
    settings = load_settings(config if STATE.config is None else find_config(STATE.config))
    if admin is not None:  # checked before the database is touched or a password asked for
        check_first_administrator(settings, admin)
    engine = make_engine(settings.database_url)
    create_schema(engine)
    clock = make_clock(training=True)
    service = EscalationService(settings, engine, clock)
    sealed = service.anchoring.record_installation(training=training, now=clock.now())
    if not sealed and settings.audit.public_key is not None:
        out.print(
            "The installation record is not sealed: the signing key could not be read here. Run"
            " 'escalate db upgrade --seal' where it can, before relying on 'escalate audit verify'."
        )
    kind = " for training: every entry says so" if training else ""
    out.print(f"Database ready{kind}: {safe_url(settings.database_url)}")
    _first_administrator(service, admin, password_stdin)
    if not settings.notifications.configured:
        out.print(
            "Nobody will be notified yet: config.yaml has no notifications (email or webhook)."
            " Add one before going live; see 'Notifications' in the README."
        )
    anchors = settings.audit.checkpoint_folder
    if anchors is not None and anchors.is_relative_to(directory):
        out.print(
            f"Checkpoints go to {anchors}, inside this folder: they roll back with the database."
            " Before going live, point audit.checkpoints.folder somewhere the database's writers"
            " cannot reach (another account's folder, or a share only the auditors can change),"
            " or send copies to syslog (audit.checkpoints.syslog)."
        )
    out.print("Next: escalate workflows list, then escalate raise --help")


@workflows_app.command("list")
def workflows_list(as_json: Json = False) -> None:
    """List the workflows in the workflows folder.

    Example: escalate workflows list
    """
    from escalation_engine.cli import views
    from escalation_engine.cli.backend import remote

    server = remote()
    if server is not None:
        items = server.call("workflows")
    else:
        from escalation_engine.app.readmodel import workflow_summary

        service = open_service(need_schema=False)
        for path, problem in service.registry.failures.items():
            err.print(f"[red]✗[/red] {escape(str(problem))}")
            err.print(f"  ({path} is left out until fixed; the other workflows work as usual.)")
        items = [workflow_summary(spec) for spec in service.workflows.values()]
    if as_json:
        emit_json(items)
        return
    for line in views.workflow_lines(items):
        out.print(line)


@workflows_app.command("validate")
def workflows_validate(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Files to check (default: the workflows folder).")
    ] = None,
) -> None:
    """Check workflow files and report every problem; exit 1 if any has one.

    Example: escalate workflows validate workflows/my_council.yaml
    """
    from escalation_engine.spec.loader import load_workflow

    paths = files or sorted(current_settings().workflows_dir.glob("*.y*ml"))
    failed = 0
    loaded = []
    for path in paths:
        try:
            spec = load_workflow(path)
        except EscalationError as exc:
            failed += 1
            err.print(f"[red]✗[/red] {escape(str(exc))}")
        else:
            loaded.append(spec)
            out.print(
                f"[green]✓[/green] {path}: {spec.name} v{spec.version}, {len(spec.stages)} stages"
            )
    failed += _check_reach(loaded, given=bool(files))
    raise typer.Exit(1 if failed else 0)


def _check_reach(specs: list[WorkflowSpec], *, given: bool) -> int:
    """Print every stage x team x role nobody in reach holds, with config.yaml's people; return
    how many would stall an escalation."""
    from escalation_engine.domain.coverage import gaps

    try:
        people = current_settings().people
    except ConfigError:
        if not given:
            raise
        out.print(
            "Who each stage reaches was not checked: no config.yaml here names the people"
            " (run it in the service's folder, or give --config)."
        )
        return 0
    stalls = 0
    for spec in specs:
        for gap in gaps(spec, people):
            stalls += gap.stalls
            mark = "[red]✗[/red]" if gap.stalls else "[yellow]![/yellow]"
            (err if gap.stalls else out).print(f"{mark} {escape(gap.said())}")
    return stalls


@workflows_app.command("schema")
def workflows_schema() -> None:
    """Print the JSON Schema of the workflow format, for editors that offer completion.

    Example: escalate workflows schema > workflow.schema.json
    """
    from escalation_engine.spec import schema

    sys.stdout.write(schema.text())


@workflows_app.command("show")
def workflows_show(
    name: Annotated[str, typer.Argument(help="Workflow name.")],
    mermaid: Annotated[
        bool, typer.Option("--mermaid", help="Print only the Mermaid diagram.")
    ] = False,
    as_json: Json = False,
) -> None:
    """Show a workflow's stages, clocks and rules, with a Mermaid diagram.

    Example: escalate workflows show dispute_resolution --mermaid
    """
    from escalation_engine.cli import views
    from escalation_engine.cli.backend import remote

    server = remote()
    if server is not None:
        spec = server.call("workflow", {"name": name})
    else:
        from escalation_engine.app.readmodel import workflow

        service = open_service(need_schema=False)
        spec = workflow(service, service.workflow(name))
    if as_json:
        emit_json(spec)
    elif mermaid:
        sys.stdout.write(spec["mermaid"] + "\n")
    else:
        for line in views.workflow_text(spec):
            out.print(line)


@calendar_app.command("due")
def calendar_due(
    start: Annotated[str, typer.Argument(help="The day the clock starts, YYYY-MM-DD.")],
    working_days: Annotated[
        int,
        typer.Option("--working-days", min=1, max=1000, metavar="N", help="How many working days."),
    ],
    as_json: Json = False,
) -> None:
    """When N working days from a date end (close of business), and which days were skipped.

    Example: escalate calendar due 2022-09-15 --working-days 3 --json
    """
    from escalation_engine.domain import labels
    from escalation_engine.domain.calendar import WorkingCalendar
    from escalation_engine.settings.config import CONFIG_ENV, find_config, load_settings

    try:
        found = find_config(STATE.config)
    except ConfigError:
        if STATE.config or os.environ.get(CONFIG_ENV):
            raise  # the config.yaml named is not there: say so
        found = None  # no service here: the nation's calendar alone, said so below
    # A config.yaml that cannot be read is refused (as every command does), never passed over:
    # its closures would be dropped and the deadline printed wrong.
    calendar = load_settings(found).calendar if found is not None else WorkingCalendar()
    day = parse_day(start, "DATE")
    deadline = calendar.working_days_after(
        datetime.combine(day, datetime.min.time(), calendar.tz), working_days
    )
    if as_json:
        emit_json(deadline.explain())
        return
    out.print(
        f"Due: [bold]{labels.local(deadline.due)}[/bold] ({deadline.rule} after {day:%a %d %b %Y})"
    )
    for skip in deadline.skipped:
        out.print(f"  skipped {skip.day:%a %d %b %Y}: {skip.reason}")
    if found is None:
        out.print("(No config.yaml here: England & Wales bank holidays only, no council closures.)")


def _first_administrator(
    service: EscalationService, admin: str | None, password_stdin: bool
) -> None:
    """Give ``admin`` the service's first account, or say how where nobody has one yet."""
    accounts = service.accounts
    if admin is None:
        if service.settings.server.oidc is None and not accounts.any_account():
            out.print(
                "Nobody can sign in yet. Name the first administrator (someone listed under"
                " people as an administrator, or the IRO manager): escalate init --admin USERNAME."
                " They then add everyone else with 'escalate user add USERNAME'."
            )
        return
    accounts.add_account(admin, admin, new_password(password_stdin))
    out.print(
        f"{escape(service.words.person(admin))} can now sign in as {admin}, and add everyone"
        " else's account with 'escalate user add USERNAME'."
    )


@app.command()
def demo(
    keep: Annotated[
        Path | None, typer.Option("--keep", help="Keep the demo's folder and database here.")
    ] = None,
) -> None:
    """Run a short demonstration on a fresh SQLite database with a simulated clock.

    Example: escalate demo
    """
    from escalation_engine.cli.demo import run_demo

    run_demo(out.console, keep)


@db_app.command("upgrade")
def db_upgrade(
    seal: Annotated[
        bool,
        typer.Option(
            "--seal",
            help="Also seal chains that have no seal yet (after an upgrade that could not read the signing key).",
        ),
    ] = False,
) -> None:
    """Bring the database to the current schema, keeping all its data.

    Example: escalate db upgrade
    """
    from escalation_engine.settings.database import safe_url
    from escalation_engine.store import create_schema, make_engine, migrate

    settings = current_settings()
    _refuse_unreached()
    engine = make_engine(settings.database_url)
    before = migrate.current(engine)
    create_schema(engine)
    after = migrate.current(engine)
    if before == after:
        out.print(f"{safe_url(settings.database_url)} is already at the current schema ({after}).")
    else:
        out.print(
            f"{safe_url(settings.database_url)} upgraded from {before or 'empty'} to {after}."
        )
    if before is not None and before < "0026" <= (after or ""):
        from escalation_engine.store import head

        seq, _ = head(engine)
        out.print(
            f"Personal text (notes, meeting records) is kept apart from its entry from entry"
            f" {seq + 1} on, so it can be redacted; entries 1 to {seq} keep theirs inside them"
            " and verify as before."
        )
    if seal or (before is not None and any(before < r <= (after or "") for r in _SEALS)):
        _seal_upgraded()


def _refuse_unreached() -> None:
    """Upgrading for a configuration whose stages would reach nobody only moves the stall."""
    from escalation_engine.app.coverage import refusal, stalls_in
    from escalation_engine.spec.loader import read_workflows_dir

    settings = current_settings()
    stalls = stalls_in(read_workflows_dir(settings.workflows_dir).specs.values(), settings.people)
    if stalls:
        raise refusal("upgrade the database", stalls, {})


#: The revisions that added seals only the signing key can write: the chains', the installation's,
#: the delivery records', and seals at an empty chain's start.
_SEALS = ("0011", "0017", "0019")


def _seal_upgraded() -> None:
    """Seal the chains of a database that had entries before seals existed, at their ends as
    found now, and its installation record (a migration cannot sign; this command runs where
    the signing key is)."""
    service = open_service()
    try:
        sealed = service.anchoring.seal_ends()
    except ConfigError as exc:
        raise ConfigError(
            f"The schema is upgraded, but the chains could not be sealed: {exc} Run"
            " 'escalate db upgrade --seal' where the signing key can be read."
        ) from None
    for chain in sealed:
        out.print(
            "Sealed the installation record: 'escalate audit verify' now notices it changed."
            if chain == "the installation record"
            else f"Sealed {chain} at its end: 'escalate audit verify' now notices entries cut off it."
        )


@db_app.command("current")
def db_current(as_json: Json = False) -> None:
    """Say which schema revision the database is at, and whether that is the newest.

    Example: escalate db current --json
    """
    from escalation_engine.settings.database import safe_url
    from escalation_engine.store import make_engine, migrate

    settings = current_settings()
    revision = migrate.current(make_engine(settings.database_url))
    head = migrate.head()
    if as_json:
        emit_json({"database": safe_url(settings.database_url), "current": revision, "head": head,
                   "up_to_date": revision == head})  # fmt: skip
        return
    state = (
        "up to date" if revision == head else f"behind: run 'escalate db upgrade' to reach {head}"
    )
    out.print(f"{safe_url(settings.database_url)}: revision {revision or 'none (empty)'}, {state}.")


@db_app.command("recount")
def db_recount() -> None:
    """Count the report's figures afresh from the audit trail.

    The report reads counts kept as each entry is written; 'escalate audit verify' checks them
    against the trail. Run this on the service host when it says they disagree.

    Example: escalate db recount
    """
    service = open_service()
    counts = service.anchoring.recount()
    out.print(f"Counted the report afresh from the trail: {counts:,} counts by day and kind.")
