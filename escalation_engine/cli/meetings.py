"""Recording a dispute resolution meeting: ``escalate meeting``.

Councils hold meetings between the tiers and report how many were held and what they decided; the
record goes into the escalation's trail like every other action.
"""

from __future__ import annotations

from typing import Annotated

import typer

from escalation_engine.cli.acting import run_action
from escalation_engine.cli.common import AsUser, Force, IfVersion, Json, Note, Ref, app


@app.command()
def meeting(
    reference: Ref,
    held: Annotated[str, typer.Option("--held", help="The day it was held, YYYY-MM-DD.")],
    attendee: Annotated[
        list[str],
        typer.Option(
            "--attendee", help="A role that attended (repeat for each), e.g. team_manager."
        ),
    ],
    outcome: Annotated[str, typer.Option("--outcome", help="What the meeting decided.")],
    next_step: Annotated[
        str, typer.Option("--next-step", help="What happens next, and who does it.")
    ] = "",
    note: Note = "",
    as_user: AsUser = None,
    if_version: IfVersion = None,
    force: Force = False,
    as_json: Json = False,
) -> None:
    """Record a dispute resolution meeting: when, who attended by role, what it decided, and the
    next step.

    Example: escalate meeting ESC-2026-0042 --held 2026-03-02 --attendee iro --attendee team_manager --outcome "Permanence meeting set for 12 March" --next-step "Team manager to confirm the date"
    """
    run_action(
        reference, "meeting", as_user, as_json, note=note, expected_version=if_version,
        force=force, held_on=held, attendees=attendee, outcome=outcome, next_step=next_step,
    )  # fmt: skip
