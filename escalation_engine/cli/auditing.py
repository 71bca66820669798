"""``escalate access-log``: the auditors' review of who looked at which escalation, and when."""

from __future__ import annotations

import csv
import sys
from datetime import date, datetime, time, timedelta
from typing import Annotated

import typer

from .common import AsUser, Json, acting_user, app, emit_json, escape, open_service, out, parse_day


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
    service = open_service()
    calendar = service.settings.calendar
    first = parse_day(start, "--from") if start else None
    last = parse_day(end, "--to") if end else None

    def moment(day: date | None) -> datetime | None:
        return None if day is None else datetime.combine(day, time(), tzinfo=calendar.tz)

    rows = service.access_log(
        acting_user(as_user, service), viewer=viewer, reference=reference, start=moment(first),
        end=moment(last + timedelta(days=1)) if last else None,
    )  # fmt: skip
    fields = ("seq", "at", "viewer", "reference", "view")
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(fields)
        for row in rows:
            writer.writerow([row.seq, row.at.isoformat(), row.viewer, row.reference, row.view])
        return
    if as_json:
        emit_json([{"seq": r.seq, "at": r.at.isoformat(), "viewer": r.viewer,
                    "reference": r.reference, "view": r.view} for r in rows])  # fmt: skip
        return
    count = 0
    for row in rows:
        count += 1
        when = row.at.astimezone(calendar.tz)
        name = escape(service.words.person(row.viewer))
        out.print(f"{when:%d %b %Y %H:%M}  {name} looked at {row.reference} ({row.view})")
    out.print(f"{count} look{'s' if count != 1 else ''}.")
