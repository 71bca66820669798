"""``escalate raise``: an alert raised, asking at a terminal for what is missing.

It parses its options, calls one operation, and prints the result in a sentence. The actions
taken on an escalation once raised are generated from their definitions (``cli/actions.py``).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from escalation_engine.cli.common import (
    AsUser,
    Json,
    app,
    bare,
    emit_json,
    escape,
    out,
)


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
    tell_my_manager: Annotated[
        bool,
        typer.Option(
            "--tell-my-manager", help="Tell your own manager too, where the alert type allows."
        ),
    ] = False,
    as_user: AsUser = None,
    as_json: Json = False,
) -> None:
    """Raise an alert. Asks for anything missing when run at a terminal.

    Example: escalate raise --type practice_alert --case CLA-100234 --category drift_and_delay --summary "No permanence plan 4 months after the second review"
    """
    from escalation_engine.cli.backend import Local, connect

    backend = connect(as_user)  # before any question is asked
    if isinstance(backend, Local):
        service = backend.service
        spec = service.workflow(workflow)
        alert_type = _ask(alert_type, "--type", "Alert type", [a.name for a in spec.alert_types])
        case = case or [_ask(None, "--case", "Child's case reference (never a name)")]
        category = _ask(category, "--category", "Category", list(service.settings.categories))
        summary = _ask(summary, "--summary", "What is the concern?")
        if not team:
            teams = service.raising.teams_receiving(workflow, alert_type, rating)
            if len(teams) > 1:
                team = _ask(None, "--team", "Which team is the child with?", teams)
    named = {}
    for item in dates or []:
        name, _, value = item.partition("=")
        named[name.strip()] = value.strip()
    result = backend.call(
        "raise", workflow=workflow, alert_type=alert_type, case_refs=case, category=category,
        summary=summary, team=team, looked_after=not not_looked_after, rating=rating, due=due,
        dates=named, tell_my_manager=tell_my_manager,
    )  # fmt: skip
    if as_json:
        emit_json(bare(result))
        return
    out.print(escape(result["said"]))
