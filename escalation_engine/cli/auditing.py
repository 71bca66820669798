"""``escalate access-log``: the auditors' review of who looked at which escalation, and when."""

from __future__ import annotations

import csv
import sys
from datetime import datetime
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
    fields = ("seq", "at", "viewer", "reference", "view")
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(fields)
        for row in rows:
            writer.writerow([row[field] for field in fields])
        return
    if as_json:
        emit_json([{field: row[field] for field in fields} for row in rows])
        return
    for row in rows:
        when = datetime.fromisoformat(row["at"])
        name = escape(row["viewer_name"])
        out.print(f"{when:%d %b %Y %H:%M}  {name} looked at {row['reference']} ({row['view']})")
    out.print(f"{len(rows)} look{'s' if len(rows) != 1 else ''}.")
