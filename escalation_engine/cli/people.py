"""Marking people away and back: ``escalate away`` and ``escalate back``.

Their open escalations move at once to whoever stands in (and back again), and each move is an
entry in that escalation's trail, saying who was marked and why it went where it went.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from escalation_engine.cli.common import AsUser, Json, Note, app, emit_json, escape, out

Person = Annotated[
    str | None, typer.Argument(help="Username of the person away (leave out to list who is away).")
]


def _report(marked: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json([{"reference": e["reference"], "with": e["with"]} for e in marked["moved"]])
        return
    until = ""
    if marked["until"]:
        until = f" until {date.fromisoformat(marked['until']):%a %-d %b %Y}"
    state = "away" + until if marked["away"] else "back"
    out.print(f"{marked['person']} is {state}.", soft_wrap=True)
    if not marked["moved"]:
        out.print("No open escalation needed to move.")
    for esc in marked["moved"]:
        who = escape(esc["with_names"]) or "nobody (check config.yaml)"
        out.print(f"  {esc['reference']}: now with {who}")


@app.command()
def away(
    person: Person = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="The last day they are away, YYYY-MM-DD (inclusive)."),
    ] = None,
    note: Note = "",
    as_user: AsUser = None,
    as_json: Json = False,
) -> None:
    """Mark someone away: what is with them goes at once to the stand-in for their team, else
    their manager. Without a name, list who is away.

    Example: escalate away jo --until 2026-12-04 --note "Annual leave"
    """
    from escalation_engine.cli.backend import connect

    backend = connect(as_user)
    if person is None:
        gone = backend.call("away_list")
        if as_json:
            emit_json([{"username": p["username"], "until": p["until"]} for p in gone])
            return
        if not gone:
            out.print("Nobody is marked away.")
        for p in gone:
            until_text = (
                f" until {date.fromisoformat(p['until']):%a %-d %b %Y}" if p["until"] else ""
            )
            out.print(f"{escape(p['name'])} ({p['username']}) is away{until_text}.")
        return
    _report(backend.call("away", {"person": person}, until=until, note=note), as_json)


@app.command()
def back(
    person: Annotated[str, typer.Argument(help="Username of the person back at work.")],
    note: Note = "",
    as_user: AsUser = None,
    as_json: Json = False,
) -> None:
    """Mark someone back: what the stage's own responders should have returns to them.

    Example: escalate back jo
    """
    from escalation_engine.cli.backend import connect

    _report(connect(as_user).call("back", {"person": person}, note=note), as_json)
