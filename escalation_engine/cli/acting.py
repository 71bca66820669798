"""The commands that change things: raise an alert and act on one.

Each parses its options, calls one service command, and prints the result in a sentence or two.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from escalation_engine.cli.common import (
    AsUser,
    Force,
    IfVersion,
    Json,
    Note,
    OutcomeReason,
    Ref,
    app,
    bare,
    emit_json,
    escape,
    out,
)
from escalation_engine.domain.action_table import PERSON


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
            teams = service.teams_receiving(workflow, alert_type, rating)
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


def run_action(
    reference: str, action: str, as_user: str | None, as_json: bool, **params: Any
) -> None:
    from escalation_engine.cli.backend import connect

    result = connect(as_user).call("act", {"reference": reference, "action": action}, **params)
    if as_json:
        emit_json(bare(result))
        return
    out.print(escape(result["said"]))
    for line in result["next"][:2]:
        out.print("  " + escape(line))


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
    if_version: IfVersion = None,
    force: Force = False,
    as_json: Json = False,
) -> None:
    """Respond to an escalation that is with you.

    Example: escalate respond ESC-2026-0042 --note "Permanence planning meeting booked for 12 March"
    """
    run_action(
        reference,
        "respond",
        as_user,
        as_json,
        expected_version=if_version,
        force=force,
        note=note,
        holding=holding,
        follow_up=follow_up,
    )


def _note_only_command(name: str, action: str, summary: str, example: str) -> None:
    def command(
        reference: Ref,
        note: Note = "",
        outcome_reason: OutcomeReason = None,
        as_user: AsUser = None,
        if_version: IfVersion = None,
        force: Force = False,
        as_json: Json = False,
    ) -> None:
        run_action(
            reference, action, as_user, as_json, note=note, expected_version=if_version,
            force=force, reason=outcome_reason,
        )  # fmt: skip

    command.__name__ = action
    command.__doc__ = f'{summary}\n\nExample: escalate {name} ESC-2026-0042 --note "{example}"'
    app.command(name)(command)


for _action in PERSON:
    if _action.note_only:
        _note_only_command(_action.command, _action.name, _action.summary, _action.example)


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
    if_version: IfVersion = None,
    force: Force = False,
    as_json: Json = False,
) -> None:
    """Skip to a stage, with a reason (and, where required, after consulting someone).

    Example: escalate bypass ESC-2026-0042 --to director --consulted priya --note "Serious risk"
    """
    run_action(
        reference,
        "bypass",
        as_user,
        as_json,
        expected_version=if_version,
        force=force,
        note=note,
        target=to,
        consulted=consulted,
        until=due,
    )


@app.command()
def extend(
    reference: Ref,
    until: Annotated[str, typer.Option("--until", help="The new deadline, YYYY-MM-DD.")],
    note: Note = "",
    as_user: AsUser = None,
    if_version: IfVersion = None,
    force: Force = False,
    as_json: Json = False,
) -> None:
    """Extend the current stage's deadline (a named manager, with a reason).

    Example: escalate extend ESC-2026-0042 --until 2026-03-20 --note "Awaiting court date"
    """
    run_action(
        reference,
        "extend",
        as_user,
        as_json,
        expected_version=if_version,
        force=force,
        note=note,
        until=until,
    )


@app.command()
def reopen(
    reference: Ref,
    note: Note = "",
    to: Annotated[
        str | None, typer.Option("--to", help="Stage to reopen at (default: the workflow's rule).")
    ] = None,
    as_user: AsUser = None,
    if_version: IfVersion = None,
    force: Force = False,
    as_json: Json = False,
) -> None:
    """Reopen a closed escalation; its history is kept.

    Example: escalate reopen ESC-2026-0042 --note "Agreed actions not carried out"
    """
    run_action(
        reference,
        "reopen",
        as_user,
        as_json,
        expected_version=if_version,
        force=force,
        note=note,
        target=to,
    )


@app.command()
def rate(
    reference: Ref,
    rating: Annotated[
        str, typer.Option("--rating", help="The RAG rating, e.g. red, amber, green.")
    ],
    note: Note = "",
    outcome_reason: OutcomeReason = None,
    as_user: AsUser = None,
    if_version: IfVersion = None,
    force: Force = False,
    as_json: Json = False,
) -> None:
    """Give a RAG rating (it may move the escalation, as the workflow says).

    Example: escalate rate ESC-2026-0042 --rating green --note "Plan back on track"
    """
    run_action(
        reference,
        "rate",
        as_user,
        as_json,
        expected_version=if_version,
        force=force,
        note=note,
        target=rating,
        reason=outcome_reason,
    )


@app.command()
def reallocate(
    reference: Ref,
    to: Annotated[str, typer.Option("--to", help="Username of the IRO taking it over.")],
    note: Note = "",
    as_user: AsUser = None,
    if_version: IfVersion = None,
    force: Force = False,
    as_json: Json = False,
) -> None:
    """Move the escalation to another IRO (the raiser is leaving, or the case was reallocated).

    Example: escalate reallocate ESC-2026-0042 --to tom --note "Aisha's caseload reallocated"
    """
    run_action(
        reference,
        "reallocate",
        as_user,
        as_json,
        expected_version=if_version,
        force=force,
        note=note,
        target=to,
    )
