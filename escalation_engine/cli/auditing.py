"""``escalate access-log``: the auditors' review of who looked at which escalation, and when."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from escalation_engine.cli.common import AsUser, Json, app, emit_json, escape, out


@app.command("access-log")
def access_log(
    viewer: Annotated[
        str | None, typer.Option("--viewer", metavar="USERNAME", help="Looks by this person.")
    ] = None,
    reference: Annotated[
        str | None, typer.Option("--reference", metavar="REF", help="Looks at this escalation.")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", metavar="YYYY-MM-DD", help="From this day on.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", metavar="YYYY-MM-DD", help="Up to and including this day.")
    ] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="Write CSV to standard output.")] = False,
    as_user: AsUser = None,
    as_json: Json = False,
) -> None:
    """Review the access log: every look at an escalation by someone other than its raiser
    (auditors only).

    Example: escalate access-log --viewer jo --from 2026-04-01 --csv > looks.csv
    """
    from escalation_engine.cli.backend import connect

    rows = connect(as_user).call(
        "access_log", viewer=viewer, reference=reference, **{"from": start, "to": end}
    )
    from escalation_engine.app.oversight import ACCESS_FIELDS, access_csv, grouped_looks

    if as_csv:
        sys.stdout.write(access_csv(rows))
        return
    if as_json:
        emit_json([{field: row[field] for field in ACCESS_FIELDS} for row in rows])
        return

    looks = grouped_looks(rows)
    for look in looks:
        seen = ", ".join(look["references"])
        out.print(f"{look['when']}  {escape(look['viewer_name'])} {look['how']}: {seen}")
    out.print(
        f"{len(looks)} look{'s' if len(looks) != 1 else ''} at {len(rows)}"
        f" escalation{'s' if len(rows) != 1 else ''}."
    )
