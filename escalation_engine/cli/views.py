"""Rich renderables built from the read model (``readmodel.py``), in direct and client mode alike.

Everything here reads plain JSON: a client prints an escalation without the workflow files, the
configuration or the database layer.
"""

from __future__ import annotations

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


#: What a list says of an escalation new to the person, or changed since they last saw it.
_UNSEEN = {"new": "\nnew to you", "changed": "\nchanged since you looked"}


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
        if shown.get("handling"):
            who += f"\n{shown['handling']} is on it"
        table.add_row(
            Text(f"{item['reference']}\n{', '.join(item['case_refs'])}").append(
                _UNSEEN.get(item.get("unseen") or "", "")
            ),
            Text(shown["category"]),
            Text(stage + who),
            Text(f"{shown['due']}\n")
            .append_text(status(shown))
            .append(f"\n{shown['standing']}" if shown.get("standing", "-") != "-" else ""),
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
            f"{shown['what']}\n{escape(shown['move'])}\n[dim]{shown['entry']}[/dim]",
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
        ("Stage", stage), ("Being handled by", shown.get("handling")),
    ):  # fmt: skip
        if value:
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
    if spec.get("may"):
        said = "; ".join(f"{m['command']}: {m['who']}" for m in spec["may"])
        lines.append(f"Who may: {escape(said)}.")
    lines.append("\n```mermaid\n" + escape(spec["mermaid"]) + "\n```")
    return lines
