"""``escalate report``: the escalation figures of the annual report for a period, at a terminal
or as Markdown, CSV, JSON, HTML (with charts) or XLSX; ``--explain`` names what is behind one.

The figures are worked out where the database is (the server, in client mode) and arrive as the
report's JSON; everything here only prints them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from escalation_engine.cli.common import AsUser, app, emit_json, err, escape, out

FORMATS = ("table", "markdown", "csv", "json", "html", "xlsx")
#: Formats that are files, not text for a terminal.
_FILES = ("html", "xlsx")


def _option(help: str, metavar: str, *names: str) -> Any:
    return typer.Option(*names, help=help, metavar=metavar)


@app.command("report")
def report(
    year: Annotated[
        str | None,
        _option("A financial year, e.g. 2025-26 (default: the last whole one).", "YEAR", "--year"),
    ] = None,
    start: Annotated[str | None, _option("From this day (YYYY-MM-DD).", "DAY", "--from")] = None,
    end: Annotated[
        str | None, _option("To this day, inclusive (YYYY-MM-DD).", "DAY", "--to")
    ] = None,
    by: Annotated[
        str, _option("Group raised escalations by month or quarter.", "month|quarter", "--by")
    ] = "month",
    output: Annotated[
        str,
        _option("table, markdown, csv, json, html (with charts) or xlsx.", "FORMAT", "--format"),
    ] = "table",
    path: Annotated[
        Path | None,
        _option(
            "Write to this file (needed for html and xlsx at a terminal).", "FILE", "--output", "-o"
        ),
    ] = None,
    explain: Annotated[
        str | None,
        _option(
            "List the escalations and entries behind a figure (e.g. summary.raised.this), or every figure of a table or row.",
            "FIGURE",
            "--explain",
        ),
    ] = None,
    as_user: AsUser = None,
) -> None:
    """The escalation figures for the annual report (the IRO manager and auditors).

    Counts escalations raised in the period (good-practice alerts apart) by category, workflow,
    team, IRO, month and workflow version, against the period before; RAG ratings; the highest
    stage reached and resolution at each stage; working days to resolution; timeliness at each
    stage; Cafcass referrals; outcomes and their reasons; what was open at the period's end.

    Examples: escalate report --year 2025-26 | escalate report --format html -o report.html |
    escalate report --explain summary.cafcass.this
    """
    from escalation_engine.cli.backend import connect
    from escalation_engine.errors import InvalidInput

    if output not in FORMATS:
        raise InvalidInput(f"--format {output[:20]!r} is not one of {', '.join(FORMATS)}.")
    if explain is None and output in _FILES and path is None and sys.stdout.isatty():
        raise InvalidInput(
            f"--format {output} writes a file: add --output FILE, e.g. --output report.{output}."
        )
    if path is not None:
        ready(path)  # before the work, not after it
    params = {"year": year, "from": start, "to": end, "by": by}
    backend = connect(as_user)
    # Counting a year takes a few seconds (longer over years of history): said while it runs,
    # at a terminal only (a pipe or a file gets the report and nothing else).
    with err.console.status("Counting the period's escalations from the audit trail…"):
        if explain is not None:
            found = backend.call("report_explain", **params, figure=explain)
        else:
            data = backend.call("report", **params)
    if explain is not None:
        _explained(found, output)
        return
    _write(data, output, path)


def ready(path: Path) -> None:
    """Make the folder ``path`` goes into (``-o reports/2025-26.html`` in a new folder), or say
    why it cannot be written there; nothing is worked out first."""
    from escalation_engine.errors import InvalidInput

    if path.is_dir():
        raise InvalidInput(
            f"--output {path} is a folder: give a file's name, e.g. {path / 'report.html'}."
        )
    blocking = next((p for p in path.parents if p.exists()), None)
    if blocking is not None and not blocking.is_dir():
        raise InvalidInput(
            f"--output {path}: {blocking} is a file, not a folder. Choose another place."
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(
            f"--output {path}: its folder {path.parent} cannot be made ({exc.strerror}). Choose"
            " a folder you can write to."
        ) from None
    if not os.access(path.parent, os.W_OK):
        raise InvalidInput(
            f"--output {path}: you cannot write into {path.parent}. Choose a folder you can write to."
        )


def _write(data: dict[str, Any], output: str, path: Path | None) -> None:
    from escalation_engine.reports import text

    if output == "table":
        _print(data)
        return
    if output in ("markdown", "csv", "json"):
        if output == "markdown":
            written = text.markdown(data)
        elif output == "json":
            import json

            written = json.dumps(data, indent=2)
        else:
            import io

            buffer = io.StringIO(newline="")
            text.write_csv(data, buffer)
            written = buffer.getvalue()
        if path is None:
            sys.stdout.write(written if written.endswith("\n") else written + "\n")
        else:
            path.write_text(written, encoding="utf-8", newline="")
        return
    if output == "html":
        from escalation_engine.reports.html import page

        blob = page(data).encode("utf-8")
    else:
        from escalation_engine.reports.xlsx import workbook

        blob = workbook(data)
    if path is None:
        sys.stdout.buffer.write(blob)
    else:
        path.write_bytes(blob)
        out.print(f"Wrote {escape(str(path))} ({len(blob):,} bytes).")


def _print(data: dict[str, Any]) -> None:
    from rich.table import Table

    from escalation_engine.reports.glance import points
    from escalation_engine.reports.text import heading, rows

    out.print(f"[bold]{escape(heading(data))}[/bold]")
    for point in points(data):
        out.print(f"  • {escape(point.text)}")
    for table in data["tables"]:
        printed = list(rows(table))
        shown = Table(title=escape(table["title"]), title_justify="left", caption=escape(table["note"]),
                      caption_justify="left")  # fmt: skip
        shown.add_column(escape(printed[0][0]))
        for title in printed[0][1:]:
            shown.add_column(escape(title), justify="right")
        for row in printed[1:]:
            shown.add_row(*(escape(cell) for cell in row))
        out.print(shown)
    out.print(
        "Trace a figure: escalate report --explain summary.raised.this (names in --format json)."
    )


def _explained(found: list[dict[str, Any]], output: str) -> None:
    if output == "json":
        emit_json(found)
        return
    if output == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(["figure", "value", "reference", "entry"])
        for figure in found:
            for item in figure["evidence"]:
                writer.writerow(
                    [figure["figure"], figure["value"], item["reference"], item["entry"]]
                )
        return
    for figure in found:
        evidence = figure["evidence"]
        out.print(
            f"[bold]{figure['figure']}[/bold] = {figure['value']}: {len(evidence):,} entr{'ies' if len(evidence) != 1 else 'y'}"
        )
        for item in evidence:
            out.print(f"  {item['reference']}  entry {item['entry']}")
