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
        title = f"{workflow['title']}: {workflow['open']} open"
        out.print(_counts(title, "Stage", workflow["stages"]))
    if found["teams"]:
        out.print(_counts("By team", "Team", found["teams"]))


def _counts(title: str, what: str, rows: list[dict[str, Any]]) -> Any:
    """A table of open and overdue counts, a row for each of ``rows`` (by its title)."""
    from rich.table import Table

    table = Table(title=escape(title), title_justify="left")
    table.add_column(what)
    table.add_column("Open", justify="right")
    table.add_column("Overdue", justify="right")
    for row in rows:
        table.add_row(escape(row["title"]), str(row["open"]), str(row["overdue"]))
    return table
