"""``escalate audit`` without a reference: the trail across escalations, filtered, as a timeline
at a terminal or as CSV or JSON, a page at a time so that memory stays flat however long it is.

The filters are the API's ``search`` parameters; the same pages come from the server in client
mode. Every escalation shown to someone other than its raiser is recorded as an export.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from typing import Any

from escalation_engine.cli.backend import Backend
from escalation_engine.reports import trail_csv

FORMATS = ("table", "csv", "json")


def pages(backend: Backend, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every entry the filters keep, fetched a page at a time."""
    after = 0
    while True:
        page = backend.call("search", **params, after=after)
        yield from page["entries"]
        if page["next"] is None:
            return
        after = page["next"]


def write_csv(entries: Iterator[dict[str, Any]]) -> None:
    csv.writer(sys.stdout).writerows(trail_csv.rows(entries))


def write_json(entries: Iterator[dict[str, Any]]) -> None:
    """A JSON array written as it is read, one entry a line."""
    separator = ""
    sys.stdout.write("[")
    for item in entries:
        sys.stdout.write(separator + "\n" + json.dumps(item, default=str))
        separator = ","
    sys.stdout.write("\n]\n")


def write_timeline(entries: Iterator[dict[str, Any]], print_: Any) -> int:
    """The timeline in tables of a page each, so that nothing waits for the end."""
    from escalation_engine.cli import views

    count, page = 0, []
    for item in entries:
        page.append(item)
        count += 1
        if len(page) == 200:
            print_(views.timeline(page, across=True))
            page = []
    if page:
        print_(views.timeline(page, across=True))
    return count


def search(as_user: str | None, params: dict[str, Any], output: str) -> None:
    """Print the trail the filters keep, in ``output`` (table, csv or json)."""
    from escalation_engine.cli.backend import connect
    from escalation_engine.cli.common import out
    from escalation_engine.errors import InvalidInput

    if output not in FORMATS:
        raise InvalidInput(f"--format {output[:20]!r} is not one of {', '.join(FORMATS)}.")
    entries = pages(connect(as_user), params)
    if output == "csv":
        write_csv(entries)
    elif output == "json":
        write_json(entries)
    else:
        count = write_timeline(entries, out.print)
        out.print(f"{count:,} entr{'ies' if count != 1 else 'y'}.")
