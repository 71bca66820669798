"""Marking people away and back: ``escalate away`` and ``escalate back``.

Their open escalations move at once to whoever stands in (and back again), and each move is an
entry in that escalation's trail, saying who was marked and why it went where it went.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .common import (
    AsUser,
    Json,
    Note,
    acting_user,
    app,
    emit_json,
    escape,
    open_service,
    out,
    parse_day,
)

if TYPE_CHECKING:
    from ..escalation import Escalation
    from ..service import EscalationService

Person = Annotated[
    str | None, typer.Argument(help="Username of the person away (leave out to list who is away).")
]


def _report(
    service: EscalationService, person: str, moved: list[Escalation], as_json: bool
) -> None:
    if as_json:
        emit_json([{"reference": e.reference, "with": list(e.with_people)} for e in moved])
        return
    stands = service.people_now()[person]
    until = f" until {stands.away_until:%a %-d %b %Y}" if stands.away_until else ""
    out.print(f"{person} is {'away' + until if stands.away else 'back'}.", soft_wrap=True)
    if not moved:
        out.print("No open escalation needed to move.")
    for esc in moved:
        who = escape(service.words.people(esc.with_people)) or "nobody (check config.yaml)"
        out.print(f"  {esc.reference}: now with {who}")


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
    service = open_service()
    if person is None:
        gone = [p for p in service.people_now().values() if p.away]
        if as_json:
            emit_json([
                {"username": p.username, "until": p.away_until.isoformat() if p.away_until else None}
                for p in gone
            ])  # fmt: skip
            return
        if not gone:
            out.print("Nobody is marked away.")
        for p in gone:
            until_text = f" until {p.away_until:%a %-d %b %Y}" if p.away_until else ""
            out.print(f"{escape(p.name)} ({p.username}) is away{until_text}.")
        return
    day = parse_day(until, "--until") if until else None
    moved = service.mark(acting_user(as_user, service), person, away=True, until=day, note=note)
    _report(service, person, moved, as_json)


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
    service = open_service()
    moved = service.mark(acting_user(as_user, service), person, away=False, note=note)
    _report(service, person, moved, as_json)
