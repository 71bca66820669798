"""``escalate dashboard``: the desk's dashboard at a terminal: what is open at each stage of each
workflow and in each team, how much is late, due today and due this week, and this month's
raised and closed, over the escalations you may see (the whole service for the IRO manager)."""

from __future__ import annotations

from typing import Any

from escalation_engine.cli.common import AsUser, Json, app, emit_json, escape, out


@app.command()
def dashboard(as_user: AsUser = None, as_json: Json = False) -> None:
    """What is open where, how much is late, and this month's comings and goings, over the
    escalations you may see. Each count is what 'escalate list' lists with the filters shown.

    Example: escalate dashboard
    """
    from rich.table import Table

    from escalation_engine.cli.backend import connect

    found: dict[str, Any] = connect(as_user).call("dashboard")
    if as_json:
        emit_json(found)
        return
    counts, month = found["counts"], found["month"]
    out.print(
        f"Open: {counts['all']}; overdue {counts['overdue']}, due today {counts['today']}, due"
        f" this week {counts['week']}  (escalate list --due overdue|today|week)"
    )
    outcomes = "; ".join(f"{title} {n}" for title, n in month["outcomes"].items())
    out.print(
        f"{month['title']} so far: {month['raised']} raised, {month['closed']} closed"
        + (f" ({escape(outcomes)})" if outcomes else "")
    )
    for workflow in found["workflows"]:
        table = Table(title=f"{escape(workflow['title'])}: {workflow['open']} open",
                      title_justify="left")  # fmt: skip
        table.add_column("Stage")
        table.add_column("Open", justify="right")
        table.add_column("Overdue", justify="right")
        for stage in workflow["stages"]:
            table.add_row(escape(stage["title"]), str(stage["open"]), str(stage["overdue"]))
        out.print(table)
    if found["teams"]:
        teams = Table(title="By team", title_justify="left")
        teams.add_column("Team")
        teams.add_column("Open", justify="right")
        teams.add_column("Overdue", justify="right")
        for team in found["teams"]:
            teams.add_row(escape(team["title"]), str(team["open"]), str(team["overdue"]))
        out.print(teams)
