"""Rich renderables built from the read model (``readmodel.py``), in direct and client mode alike.

Everything here reads plain JSON: a client prints an escalation without the workflow files, the
configuration or the database layer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

_LONDON = ZoneInfo("Europe/London")
_STYLES = {"closed": "dim", "overdue": "bold red", "waiting": "yellow", "done": "green"}


def status(shown: dict[str, Any]) -> Text:
    return Text(shown["status"], style=_STYLES.get(shown["status_style"], ""))


def escalation_table(items: list[dict[str, Any]], title: str) -> Table:
    """Escalations in four columns that stay readable at 80 columns: each cell wraps on words."""
    table = Table(title=title, title_justify="left", expand=False, show_lines=True)
    table.add_column("Escalation", no_wrap=True)
    table.add_column("Category", ratio=2, min_width=10)
    table.add_column("Stage, and who it is with", ratio=3, min_width=14)
    table.add_column("Due", min_width=12)
    for item in items:
        shown = item["shown"]
        stage = shown["stage"] + (f" (RAG: {shown['rating']})" if shown["rating"] else "")
        who = f"\nwith {shown['with']}" if shown["with"] else ""
        table.add_row(
            Text(f"{item['reference']}\n{', '.join(item['case_refs'])}"),
            Text(shown["category"]),
            Text(stage + who),
            Text(f"{shown['due']}\n").append_text(status(shown)),
        )
    return table


def timeline(entries: list[dict[str, Any]], *, across: bool = False) -> Table:
    """The audit trail in columns that stay readable at 80 columns; ``across`` escalations, with
    each entry's escalation and child beside it."""
    table = Table(expand=True, show_edge=False, show_lines=True)
    table.add_column("When, and who", no_wrap=True)
    if across:
        table.add_column("Escalation", no_wrap=True)
    table.add_column("What happened", ratio=2)
    table.add_column("Note", ratio=3)
    for item in entries:
        shown = item["shown"]
        which = [f"{item['reference']}\n{escape(', '.join(item['case_refs']))}"] if across else []
        table.add_row(
            f"{shown['when']}\n{escape(shown['who'])}",
            *which,
            f"{shown['what']}\n{escape(shown['move'])}",
            escape(shown["note"]),
        )
    return table


def escalation_panel(item: dict[str, Any]) -> RenderableType:
    """One escalation: its facts, what happens next, and its timeline."""
    shown = item["shown"]
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column()
    stage = shown["stage"] + (f"  RAG: {shown['rating']}" if shown["rating"] else "")
    for label, value in (
        ("Case", shown["case"]), ("Workflow", shown["workflow"]), ("Category", shown["category"]),
        ("Team", shown["team"]), ("Concern", item["summary"]), ("Raised", shown["raised"]),
        ("Stage", stage),
    ):  # fmt: skip
        facts.add_row(label, Text(value))
    return Panel(
        Group(
            facts,
            Text(""),
            Text("What happens next", style="bold"),
            Text("\n".join(item.get("next", []))),
            Text(""),
            Text("Timeline", style="bold"),
            timeline(item.get("timeline", [])),
        ),
        title=item["reference"],
        title_align="left",
    )


#: A line to print, and whether it reports a problem (printed to standard error).
Line = tuple[bool, str]


def local(moment: str | None) -> str:
    """An ISO time from the read model as people read it, in UK time."""
    if not moment:
        return "-"
    return datetime.fromisoformat(moment).astimezone(_LONDON).strftime("%a %d %b %Y %H:%M")


def workflow_lines(items: list[dict[str, Any]]) -> list[str]:
    lines = []
    for spec in items:
        lines += [
            f"[bold]{escape(spec['name'])}[/bold] v{spec['version']}: {escape(spec['title'])}",
            f"  stages: {escape(' → '.join(spec['stages']))}",
            f"  alert types: {escape(', '.join(spec['alert_types']))}",
        ]
    return lines


def workflow_text(spec: dict[str, Any]) -> list[str]:
    """A workflow told in sentences, stage by stage, then its Mermaid diagram."""
    lines = [
        f"[bold]{escape(spec['title'])}[/bold] ({escape(spec['label'])})\n{escape(spec['description'])}\n"
    ]
    for stage in spec["stages"]:
        lines.append(
            f"[bold]{escape(stage['title'])}[/bold]: {escape(stage['sentence'])};"
            f" not satisfied → {escape(stage['not_satisfied'])}.\n  "
            + escape("; ".join(stage["facts"]))
        )
    if spec["overall_limit"]:
        lines.append(f"Overall limit: {escape(spec['overall_limit'])}.")
    lines.append("\n```mermaid\n" + escape(spec["mermaid"]) + "\n```")
    return lines


def status_lines(report: dict[str, Any]) -> list[Line]:
    """``escalate status``: the worker, the sweeps, the workflow files and the backlogs."""
    lines: list[Line] = []
    worker = report["worker"]
    if report["worker_alive"] and worker:
        lines.append((False, f"Worker: [green]running[/green] (pid {worker['pid']} on"
                             f" {escape(worker['host'])}, last seen {worker['heartbeat_at']})"))  # fmt: skip
    elif worker:
        lines.append((True, f"Worker: [red]not running[/red] (last seen {worker['heartbeat_at']},"
                            f" pid {worker['pid']} on {escape(worker['host'])})"))  # fmt: skip
    else:
        lines.append((True, "Worker: [red]never started[/red]; start one with 'escalate run'."))
    if report["sweeps_failing_since"]:
        lines.append((True, f"Sweeps: [red]failing[/red] since {local(report['sweeps_failing_since'])}:"
                            f" {escape(report['sweep_error'])}"))  # fmt: skip
    for path, problem in report["broken_workflow_files"].items():
        lines.append((True, f"Workflow file [red]not loaded[/red]: {escape(problem)}"))
        lines.append((True, f"  ({escape(path)} is left out until fixed; 'escalate workflows"
                            " validate' lists its problems.)"))  # fmt: skip
    lines.append((False, f"Next deadline: {local(report['next_deadline'])}"))
    lines.append((False, f"Overdue (due but not yet applied): {report['overdue']}"))
    if report["notifications_configured"]:
        lines.append((False, f"Undelivered notifications: {report['undelivered_notifications']}"))
    else:
        lines.append((True, "Notifications: [red]none configured[/red]: nobody is being notified."
                            " Add an email or webhook under notifications in config.yaml."))  # fmt: skip
    return lines


def verify_lines(report: dict[str, Any]) -> list[Line]:
    """``escalate audit verify``: the first problem found, or what was checked."""
    looks, replayed, anchored = report["access"], report["replay"], report["checkpoints"]
    if report["problem"] is not None:  # the chain's own problem (the other parts have theirs)
        return [(True, f"[red]Audit trail broken[/red]: {escape(str(report['problem']))}.")]
    for part, title in ((looks, "Access log broken"), (replayed, "Escalation and trail disagree"),
                        (anchored, "Checkpoint not matched")):  # fmt: skip
        if part is not None and not part["ok"]:
            return [(True, f"[red]{title}[/red]: {escape(str(part['problem']))}.")]
    counted = report.get("tallies")
    if counted is not None and not counted["ok"]:
        return [(True, f"[red]Report counts disagree with the trail[/red]:"
                       f" {escape(str(counted['problem']))}. The trail is intact and is what"
                       " counts: 'escalate db recount' counts the report afresh from it.")]  # fmt: skip
    after = f" after entry {report['since']}" if report["since"] else ""
    signed = (
        "every signature checked"
        if report["signed"]
        else "[yellow]not signed[/yellow] (config.yaml names no audit.public_key: anyone"
        " who can write to the database could rewrite it consistently)"
    )
    lines: list[Line] = [(False, f"[green]Audit trail verified[/green]: {report['entries']} entries"
                                 f"{after}, {signed}, head {report['head'][:16]}…")]  # fmt: skip
    if looks is not None:
        lines.append((False, f"Access log verified: {looks['entries']} looks at escalations."))
    if replayed is not None:
        lines.append(
            (False, f"Every escalation ({replayed['escalations']}) matches its replayed trail.")
        )
    if counted is not None:
        lines.append((False, "The report's counts agree with the trail."))
    if anchored is not None and anchored["latest"] is None:
        lines.append((False, "No checkpoint has been written yet: the worker writes one every"
                             f" {report['checkpoint_every']:,} entries and daily, or run"
                             " 'escalate audit checkpoint'."))  # fmt: skip
    if anchored is not None and anchored["latest"] is not None:
        checked = anchored["checked"]
        lines.append((False, f"{checked} checkpoint{'s' if checked != 1 else ''} still part of the"
                             f" trail; the latest is {escape(anchored['latest']['described'])}."))  # fmt: skip
    return lines
