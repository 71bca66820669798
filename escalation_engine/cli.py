"""The ``escalate`` command: thin Typer commands that parse, call the service, and render.

Errors the engine raises on purpose are printed as one plain sentence (exit 1); misuse of the
command line exits 2. Every read command takes ``--json``.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from . import audit, render
from .clock import Clock, FakeClock, SystemClock
from .config import Settings, find_config, load_settings
from .errors import ConfigError, EscalationError, InvalidInput
from .service import EscalationService
from .spec.loader import load_workflow
from .store import create_schema, make_engine, schema_exists

ROOT = Path(__file__).resolve().parents[1]
FAKE_NOW_ENV = "ESCALATE_FAKE_NOW"

app = typer.Typer(
    name="escalate",
    help="Raise, follow and escalate IRO alerts about looked-after children's care plans.\n\n"
    "Example: escalate raise --type practice_alert --case CLA-100234 --category drift_and_delay"
    " --summary 'Permanence plan has drifted'",
    no_args_is_help=True,
    rich_markup_mode="rich",
    add_completion=False,
)
workflows_app = typer.Typer(help="List, check and draw workflow definitions.", no_args_is_help=True)
calendar_app = typer.Typer(help="Working-day arithmetic (England & Wales).", no_args_is_help=True)
app.add_typer(workflows_app, name="workflows")
app.add_typer(calendar_app, name="calendar")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

AsUser = Annotated[
    str | None,
    typer.Option(
        "--as", envvar="ESCALATE_USER", help="Act as this username (default: your login)."
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
Note = Annotated[
    str, typer.Option("--note", "--reason", "-n", help="What you say: recorded in the audit trail.")
]


@dataclass
class State:
    config: str | None = None


STATE = State()


@app.callback()
def _root(
    config: Annotated[
        str | None, typer.Option("--config", help="Path to config.yaml (default ./config.yaml).")
    ] = None,
) -> None:
    STATE.config = config


def _clock() -> Clock:
    fake = os.environ.get(FAKE_NOW_ENV)
    if fake:
        moment = datetime.fromisoformat(fake)
        if moment.tzinfo is None:
            raise ConfigError(
                f"{FAKE_NOW_ENV}={fake!r} needs a UTC offset, e.g. 2026-01-05T09:00:00+00:00."
            )
        return FakeClock(moment)
    return SystemClock()


def _settings() -> Settings:
    return load_settings(find_config(STATE.config))


def _service(*, need_schema: bool = True) -> EscalationService:
    settings = _settings()
    engine = make_engine(settings.database_url)
    if need_schema and not schema_exists(engine):
        raise ConfigError(
            f"The database at {settings.database_url} is not set up yet; run 'escalate init' first."
        )
    return EscalationService(settings, engine, _clock())


def _user(as_user: str | None) -> str:
    return as_user or getpass.getuser()


def _emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")


def _parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{option} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-14."
        ) from None


def _show(service: EscalationService, reference: str, as_json: bool) -> None:
    esc = service.get(reference)
    spec = service.spec_for(esc)
    allowed = service.allowed_actions(esc)
    rows = audit.entries(service.engine, esc.reference)
    if as_json:
        data = render.escalation_json(esc, allowed)
        data["next"] = render.next_steps(esc, spec, allowed)
        data["timeline"] = [render.audit_json(r) for r in rows]
        _emit_json(data)
    else:
        out.print(render.escalation_panel(esc, spec, allowed, rows))


# -- set-up --------------------------------------------------------------------------------------


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder to set up (default: here).")] = Path(
        "."
    ),
) -> None:
    """Create config.yaml and workflows/ (if missing) and set up the database.

    Example: escalate init
    """
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "config.yaml"
    if not config.exists():
        shutil.copy(ROOT / "config.yaml", config)
        out.print(f"Created {config} (edit people, categories and closure days).")
    if not (directory / "workflows").exists():
        shutil.copytree(ROOT / "workflows", directory / "workflows")
        out.print(f"Copied the shipped workflows to {directory / 'workflows'}.")
    settings = load_settings(config if STATE.config is None else find_config(STATE.config))
    engine = make_engine(settings.database_url)
    create_schema(engine)
    out.print(f"Database ready: {settings.database_url}")
    out.print("Next: escalate workflows list, then escalate raise --help")


# -- raising and acting ----------------------------------------------------------------------------


def _ask(value: str | None, option: str, question: str, choices: list[str] | None = None) -> str:
    if value:
        return value
    if not sys.stdin.isatty():
        raise typer.BadParameter(
            f"missing; give {option} (or run at a terminal to be asked).", param_hint=option
        )
    if choices:
        out.print(f"[bold]{question}[/bold] (one of: {', '.join(choices)})")
    answer: str = typer.prompt(question if not choices else "Choice")
    return answer


@app.command("raise")
def raise_(
    workflow: Annotated[
        str, typer.Option("--workflow", "-w", help="Workflow name.")
    ] = "dispute_resolution",
    alert_type: Annotated[
        str | None, typer.Option("--type", "-t", help="Alert type within the workflow.")
    ] = None,
    case: Annotated[
        list[str] | None,
        typer.Option("--case", "-c", help="Child's case reference (repeat for siblings)."),
    ] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="Category of issue (see config.yaml).")
    ] = None,
    summary: Annotated[
        str | None, typer.Option("--summary", "-s", help="The concern, in a sentence or two.")
    ] = None,
    team: Annotated[
        str, typer.Option("--team", help="The child's social work team (routes the alert).")
    ] = "",
    not_looked_after: Annotated[
        bool, typer.Option("--not-looked-after", help="The child is not in care (no Cafcass).")
    ] = False,
    rating: Annotated[
        str | None, typer.Option("--rating", help="RAG rating, for workflows that use one.")
    ] = None,
    due: Annotated[
        str | None,
        typer.Option("--due", help="Deadline you set, where the stage lets the raiser set it."),
    ] = None,
    dates: Annotated[
        list[str] | None, typer.Option("--date", help="A named date, e.g. review_date=2026-03-02.")
    ] = None,
    as_user: AsUser = None,
    as_json: Json = False,
) -> None:
    """Raise an alert. Asks for anything missing when run at a terminal.

    Example: escalate raise --type practice_alert --case CLA-100234 --category drift_and_delay --summary "No permanence plan 4 months after the second review"
    """
    service = _service()
    spec = service.workflow(workflow)
    alert_type = _ask(alert_type, "--type", "Alert type", [a.name for a in spec.alert_types])
    cases = case or [_ask(None, "--case", "Child's case reference (never a name)")]
    category = _ask(category, "--category", "Category", list(service.settings.categories))
    summary = _ask(summary, "--summary", "What is the concern?")
    named: dict[str, date] = {}
    for item in dates or []:
        name, _, value = item.partition("=")
        named[name.strip()] = _parse_day(value.strip(), f"--date {name}")
    esc = service.raise_alert(
        username=_user(as_user), workflow=workflow, alert_type=alert_type, case_refs=cases,
        category=category, summary=summary, team=team, looked_after=not not_looked_after,
        rating=rating, due=_parse_day(due, "--due") if due else None, dates=named,
    )  # fmt: skip
    if as_json:
        _emit_json(render.escalation_json(esc))
        return
    if esc.is_open:
        out.print(
            f"Raised [bold]{esc.reference}[/bold]: now with {', '.join(esc.with_people) or '-'} "
            f"at {render.stage_title(spec, esc.stage)}, due {render.local(esc.stage_due_at)}."
        )
    else:
        out.print(f"Recorded [bold]{esc.reference}[/bold] ({esc.outcome}); it will not escalate.")


def _act(reference: str, action: str, as_user: str | None, as_json: bool, **kwargs: Any) -> None:
    service = _service()
    esc = service.act(reference, _user(as_user), action, **kwargs)
    if as_json:
        _emit_json(render.escalation_json(esc, service.allowed_actions(esc)))
        return
    spec = service.spec_for(esc)
    where = render.stage_title(spec, esc.stage)
    out.print(
        f"{esc.reference}: {action.replace('_', ' ')} recorded. Now: {escape(where)} ({esc.status.replace('_', ' ')})."
    )
    for line in render.next_steps(esc, spec, service.allowed_actions(esc))[:2]:
        out.print("  " + escape(line))


Ref = Annotated[str, typer.Argument(help="Escalation reference, e.g. ESC-2026-0042.")]


@app.command()
def respond(
    reference: Ref,
    note: Note = "",
    holding: Annotated[
        bool, typer.Option("--holding", help="A holding response: more to follow.")
    ] = False,
    follow_up: Annotated[
        str | None,
        typer.Option("--follow-up", help="With --holding: when the full response will come."),
    ] = None,
    as_user: AsUser = None,
    as_json: Json = False,
) -> None:
    """Respond to an escalation that is with you.

    Example: escalate respond ESC-2026-0042 --note "Permanence planning meeting booked for 12 March"
    """
    fu = _parse_day(follow_up, "--follow-up") if follow_up else None
    _act(reference, "respond", as_user, as_json, note=note, holding=holding, follow_up=fu)


@app.command()
def accept(reference: Ref, note: Note = "", as_user: AsUser = None, as_json: Json = False) -> None:
    """Accept the response as satisfactory (resolves the escalation once everyone needed agrees).

    Example: escalate accept ESC-2026-0042 --note "Plan agreed; date set"
    """
    _act(reference, "accept", as_user, as_json, note=note)


@app.command()
def reject(reference: Ref, note: Note = "", as_user: AsUser = None, as_json: Json = False) -> None:
    """Reject the response as unsatisfactory: the escalation moves up.

    Example: escalate reject ESC-2026-0042 --note "No date for the permanence meeting"
    """
    _act(reference, "reject", as_user, as_json, note=note)


@app.command()
def escalate(
    reference: Ref, note: Note = "", as_user: AsUser = None, as_json: Json = False
) -> None:
    """Move the escalation up one tier now, without waiting for the deadline.

    Example: escalate escalate ESC-2026-0042 --note "Child's placement at risk this week"
    """
    _act(reference, "escalate", as_user, as_json, note=note)


@app.command()
def bypass(
    reference: Ref,
    to: Annotated[str, typer.Option("--to", help="The stage to go to.")],
    note: Note = "",
    consulted: Annotated[
        str | None, typer.Option("--consulted", help="Username of the person you consulted.")
    ] = None,
    due: Annotated[
        str | None, typer.Option("--due", help="Deadline you set, where the stage lets you.")
    ] = None,
    as_user: AsUser = None,
    as_json: Json = False,
) -> None:
    """Skip to a stage, with a reason (and, where required, after consulting someone).

    Example: escalate bypass ESC-2026-0042 --to director --consulted priya --note "Serious risk"
    """
    until = _parse_day(due, "--due") if due else None
    _act(
        reference,
        "bypass",
        as_user,
        as_json,
        note=note,
        target=to,
        consulted=consulted,
        until=until,
    )


@app.command()
def extend(
    reference: Ref,
    until: Annotated[str, typer.Option("--until", help="The new deadline, YYYY-MM-DD.")],
    note: Note = "",
    as_user: AsUser = None,
    as_json: Json = False,
) -> None:
    """Extend the current stage's deadline (a named manager, with a reason).

    Example: escalate extend ESC-2026-0042 --until 2026-03-20 --note "Awaiting court date"
    """
    _act(reference, "extend", as_user, as_json, note=note, until=_parse_day(until, "--until"))


@app.command()
def withdraw(
    reference: Ref, note: Note = "", as_user: AsUser = None, as_json: Json = False
) -> None:
    """Withdraw the escalation.

    Example: escalate withdraw ESC-2026-0042 --note "Raised on the wrong child's record"
    """
    _act(reference, "withdraw", as_user, as_json, note=note)


@app.command()
def supersede(
    reference: Ref, note: Note = "", as_user: AsUser = None, as_json: Json = False
) -> None:
    """Close the escalation as superseded (e.g. by a newer alert).

    Example: escalate supersede ESC-2026-0042 --note "Superseded by ESC-2026-0051"
    """
    _act(reference, "supersede", as_user, as_json, note=note)


@app.command("refer-cafcass")
def refer_cafcass(
    reference: Ref, note: Note = "", as_user: AsUser = None, as_json: Json = False
) -> None:
    """Refer the case to Cafcass (children in care only, where the workflow says so).

    Example: escalate refer-cafcass ESC-2026-0042 --note "Child's right to family life at risk"
    """
    _act(reference, "refer_cafcass", as_user, as_json, note=note)


@app.command()
def reopen(
    reference: Ref,
    note: Note = "",
    to: Annotated[
        str | None, typer.Option("--to", help="Stage to reopen at (default: the workflow's rule).")
    ] = None,
    as_user: AsUser = None,
    as_json: Json = False,
) -> None:
    """Reopen a closed escalation; its history is kept.

    Example: escalate reopen ESC-2026-0042 --note "Agreed actions not carried out"
    """
    _act(reference, "reopen", as_user, as_json, note=note, target=to)


@app.command()
def rate(
    reference: Ref,
    rating: Annotated[
        str, typer.Option("--rating", help="The RAG rating, e.g. red, amber, green.")
    ],
    note: Note = "",
    as_user: AsUser = None,
    as_json: Json = False,
) -> None:
    """Give a RAG rating (it may move the escalation, as the workflow says).

    Example: escalate rate ESC-2026-0042 --rating green --note "Plan back on track"
    """
    _act(reference, "rate", as_user, as_json, note=note, target=rating)


# -- reading -----------------------------------------------------------------------------------


@app.command("list")
def list_(
    mine: Annotated[bool, typer.Option("--mine", help="Ones I raised.")] = False,
    waiting: Annotated[bool, typer.Option("--waiting", help="Ones waiting for me.")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Past a deadline.")] = False,
    child: Annotated[str | None, typer.Option("--child", help="For this case reference.")] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="At this stage.")] = None,
    closed: Annotated[bool, typer.Option("--all", help="Include closed ones.")] = False,
    as_user: AsUser = None,
    as_json: Json = False,
) -> None:
    """List escalations (open ones unless --all).

    Example: escalate list --waiting --as jo
    """
    service = _service()
    now = service.clock.now()
    user = _user(as_user)
    items = [e for e in service.all() if closed or e.is_open]
    if mine:
        items = [e for e in items if e.raised_by == user]
    if waiting:
        items = [e for e in items if user in e.with_people]
    if overdue:
        items = [
            e
            for e in items
            if (e.stage_due_at and e.stage_due_at < now)
            or e.overall_breached_at
            or e.stage_breached_at
        ]
    if child:
        items = [e for e in items if child.upper() in e.case_refs]
    if stage:
        items = [e for e in items if e.stage == stage]
    if as_json:
        _emit_json([render.escalation_json(e) for e in items])
    elif items:
        out.print(
            render.escalation_table(
                items, now, f"{len(items)} escalation{'s' if len(items) != 1 else ''}"
            )
        )
    else:
        out.print("No escalations match.")


@app.command()
def show(reference: Ref, as_json: Json = False) -> None:
    """Show one escalation: its facts, what happens next and when, and its timeline.

    Example: escalate show ESC-2026-0042
    """
    _show(_service(), reference, as_json)


@app.command("audit")
def audit_(
    target: Annotated[
        str, typer.Argument(help="An escalation reference, or 'verify' to check the whole trail.")
    ],
    as_json: Json = False,
) -> None:
    """Show an escalation's audit trail, or verify that nobody has altered the trail.

    Examples: escalate audit ESC-2026-0042 | escalate audit verify
    """
    service = _service()
    if target.lower() == "verify":
        report = audit.verify(service.engine)
        if as_json:
            _emit_json(report.as_dict())
        elif report.ok:
            out.print(
                f"[green]Audit trail verified[/green]: {report.entries} entries, head {report.head[:16]}…"
            )
        else:
            err.print(f"[red]Audit trail broken[/red]: {report.problem}.")
        raise typer.Exit(0 if report.ok else 1)
    esc = service.get(target)
    rows = audit.entries(service.engine, esc.reference)
    if as_json:
        _emit_json([render.audit_json(r) for r in rows])
    else:
        out.print(render.timeline(rows))


@app.command()
def tick(as_json: Json = False) -> None:
    """Apply everything due now (timeouts, breaches, reminders) once, then exit.

    Example: escalate tick
    """
    service = _service()
    report = service.tick()
    if as_json:
        _emit_json({"now": render.iso(report.now), "applied": [
            {"reference": a.reference, "kind": a.kind, "due_at": render.iso(a.due_at), "from_stage": a.from_stage, "to_stage": a.to_stage}
            for a in report.applied
        ]})  # fmt: skip
        return
    for item in report.applied:
        out.print(
            f"{item.reference}: {item.kind.replace('_', ' ')} (due {render.local(item.due_at)}) {item.from_stage} → {item.to_stage}"
        )
    out.print(f"{len(report.applied)} item{'s' if len(report.applied) != 1 else ''} applied.")


# -- workflows and calendar ------------------------------------------------------------------------


@workflows_app.command("list")
def workflows_list(as_json: Json = False) -> None:
    """List the workflows in the workflows folder.

    Example: escalate workflows list
    """
    specs = _service(need_schema=False).workflows
    if as_json:
        _emit_json([{"name": s.name, "version": s.version, "digest": s.digest, "title": s.title, "source": s.source,
                     "stages": list(s.stage_names), "alert_types": [a.name for a in s.alert_types]} for s in specs.values()])  # fmt: skip
        return
    for spec in specs.values():
        out.print(f"[bold]{spec.name}[/bold] v{spec.version}: {spec.title}")
        out.print(f"  stages: {' → '.join(spec.stage_names)}")
        out.print(f"  alert types: {', '.join(a.name for a in spec.alert_types)}")


@workflows_app.command("validate")
def workflows_validate(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Files to check (default: the workflows folder).")
    ] = None,
) -> None:
    """Check workflow files and report every problem; exit 1 if any has one.

    Example: escalate workflows validate workflows/my_council.yaml
    """
    paths = files or sorted(_settings().workflows_dir.glob("*.y*ml"))
    failed = 0
    for path in paths:
        try:
            spec = load_workflow(path)
        except EscalationError as exc:
            failed += 1
            err.print(f"[red]✗[/red] {escape(str(exc))}")
        else:
            out.print(
                f"[green]✓[/green] {path}: {spec.name} v{spec.version}, {len(spec.stages)} stages"
            )
    raise typer.Exit(1 if failed else 0)


@workflows_app.command("schema")
def workflows_schema() -> None:
    """Print the JSON Schema of the workflow format, for editors that offer completion.

    Example: escalate workflows schema > workflow.schema.json
    """
    from importlib import resources

    sys.stdout.write(resources.files("escalation_engine.spec").joinpath("schema.json").read_text())


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
    spec = _service(need_schema=False).workflow(name)
    diagram = render.mermaid(spec)
    if as_json:
        _emit_json({"name": spec.name, "version": spec.version, "digest": spec.digest, "mermaid": diagram,
                    "stages": [{"name": s.name, "title": s.title, "clock": s.clock.describe(), "responders": list(s.responders.roles),
                                "on_timeout": s.on_timeout, "on_unsatisfactory": s.on_unsatisfactory} for s in spec.stages]})  # fmt: skip
        return
    if mermaid:
        sys.stdout.write(diagram + "\n")
        return
    out.print(f"[bold]{escape(spec.title)}[/bold] ({spec.label})\n{escape(spec.description)}\n")
    for stage in spec.stages:
        out.print(
            f"[bold]{escape(stage.title)}[/bold]: {stage.responders.mode.replace('_', ' ')} {', '.join(stage.responders.roles)}; "
            f"{stage.clock.describe()}; timeout → {stage.on_timeout or 'breach + reminders'}; "
            f"unsatisfactory → {stage.on_unsatisfactory or '-'}"
        )
    if spec.overall_limit:
        out.print(
            f"Overall limit: {spec.overall_limit.clock.describe()} (from {spec.overall_limit.starts})."
        )
    out.print("\n```mermaid\n" + diagram + "\n```")


@calendar_app.command("due")
def calendar_due(
    start: Annotated[str, typer.Argument(help="The day the clock starts, YYYY-MM-DD.")],
    working_days: Annotated[
        int, typer.Option("--working-days", min=1, help="How many working days.")
    ],
    as_json: Json = False,
) -> None:
    """When N working days from a date end (close of business), and which days were skipped.

    Example: escalate calendar due 2022-09-15 --working-days 3 --json
    """
    try:
        calendar = _settings().calendar
    except ConfigError:
        from .calendar import WorkingCalendar

        calendar = WorkingCalendar()
    day = _parse_day(start, "DATE")
    deadline = calendar.working_days_after(
        datetime.combine(day, datetime.min.time(), calendar.tz), working_days
    )
    if as_json:
        _emit_json(deadline.explain())
        return
    out.print(
        f"Due: [bold]{render.local(deadline.due)}[/bold] ({deadline.rule} after {day:%a %d %b %Y})"
    )
    for skip in deadline.skipped:
        out.print(f"  skipped {skip.day:%a %d %b %Y}: {skip.reason}")


@app.command()
def demo(
    keep: Annotated[
        Path | None, typer.Option("--keep", help="Keep the demo's folder and database here.")
    ] = None,
) -> None:
    """Run a short demonstration on a fresh SQLite database with a simulated clock.

    Example: escalate demo
    """
    from .demo import run_demo

    run_demo(out, keep)


def main() -> None:
    """Entry point: run the app, turning engine errors into one plain sentence and exit 1.

    Usage errors are Typer's own (exit 2); anything else is a bug and keeps its traceback.
    """
    try:
        app(prog_name="escalate")
    except EscalationError as exc:
        err.print(f"[red]Error:[/red] {escape(str(exc))}")
        sys.exit(1)
