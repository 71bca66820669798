"""``escalate import FILE``: a legacy spreadsheet (CSV or XLSX) of finished escalations, checked
row by row and imported whole or not at all, on the service host."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from escalation_engine.cli.common import AsUser, acting_user, app, err, escape, open_service, out
from escalation_engine.errors import InvalidInput

if TYPE_CHECKING:
    from escalation_engine.legacy.files import Sheet
    from escalation_engine.legacy.mapping import Mapping
    from escalation_engine.legacy.rows import LegacyRow
    from escalation_engine.service import EscalationService

#: Problems printed before the rest are counted (all are found; the file is mended in one go).
SHOWN = 200


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="The spreadsheet: a .csv (UTF-8) or .xlsx file.")],
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            metavar="FILE",
            help="A YAML file: which column holds which field, defaults, and the old system's words.",
        ),
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--column",
            metavar="FIELD=HEADER",
            help="The column holding a field, e.g. --column case='Child ID' (repeat it).",
        ),
    ] = None,
    default: Annotated[
        list[str] | None,
        typer.Option(
            "--default",
            metavar="FIELD=VALUE",
            help="A value for every row without one, e.g. --default team=north.",
        ),
    ] = None,
    workflow: Annotated[
        str,
        typer.Option(
            "--workflow", metavar="NAME", help="The workflow of rows that do not name one."
        ),
    ] = "dispute_resolution",
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet", metavar="NAME", help="The sheet of an XLSX workbook (default: the first)."
        ),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Check every row and report; import nothing.")
    ] = False,
    case_dates: Annotated[
        bool,
        typer.Option(
            "--case-dates",
            help="The file holds each case's retention date from the case-record system"
            " (columns case, keep_until), not escalations (the data protection officer).",
        ),
    ] = False,
    as_user: AsUser = None,
) -> None:
    """Import finished escalations from a legacy spreadsheet (the IRO manager or an administrator).

    Every row is checked first and every problem is listed with its row number; if there is
    one, nothing is imported. Otherwise all rows go in one transaction, keeping their dates
    (references keep their year), each marked as imported with the file's digest and row.
    Importing the same file again imports nothing. Fields: legacy_id, case, workflow,
    alert_type, category, team, raised_by, raised_on, summary, stage (the highest reached),
    outcome, closed_on, outcome_reason, rating.

    With --case-dates, the file instead gives the day each child's records may be removed from
    (e.g. a looked-after child's 75th birthday, worked out by the case-record system): the
    retention plan keeps every escalation about the case at least until then.

    Example: escalate import escalations-2019-2024.xlsx --mapping legacy_mapping.yaml
    """
    from escalation_engine.legacy import files
    from escalation_engine.legacy.mapping import from_options

    service = open_service()
    username = acting_user(as_user, service)
    if case_dates:
        _import_dates(service, username, files.read(file, sheet), check)
        return
    service.importing.require_importer(username)
    chosen = from_options(mapping, column or [], default or [])
    read = files.read(file, sheet)
    rows = _checked(service, read, chosen, workflow)
    if check:
        out.print(
            f"{read.name}: all {len(rows):,} rows are ready to import; nothing was imported (--check)."
        )
        return
    _import(service, username, read, rows)


def _import_dates(service: EscalationService, username: str, read: Sheet, check: bool) -> None:
    if check:
        raise InvalidInput(
            "--check is for escalations: case dates are checked as they are imported."
        )
    held = service.retaining.import_dates(username, read)
    out.print(
        f"{escape(read.name)}: held the case record's date for {held:,} case{'s' if held != 1 else ''};"
        " the retention plan keeps every escalation about each at least until then."
    )


def _checked(
    service: EscalationService, read: Sheet, chosen: Mapping, workflow: str
) -> list[LegacyRow]:
    """Every row of ``read``, checked; or each problem printed (the first few) and a refusal."""
    from escalation_engine.errors import InvalidInput
    from escalation_engine.legacy.rows import Checker

    today = service.calendar.local_day(service.clock.now())
    checker = Checker(service.settings, service.workflows, chosen, today, workflow)
    rows, problems = checker.rows(read)
    if problems:
        for problem in problems[:SHOWN]:
            err.print(escape(problem), soft_wrap=True)
        more = len(problems) - SHOWN
        if more > 0:
            err.print(f"... and {more:,} more.")
        raise InvalidInput(
            f"{read.name}: {len(problems):,} problem{'s' if len(problems) != 1 else ''} in"
            f" {len(read.rows):,} rows; nothing was imported. Mend them and import it again."
        )
    return rows


def _import(service: EscalationService, username: str, read: Sheet, rows: list[LegacyRow]) -> None:
    """Import ``rows``, with progress at a terminal, and say what was done."""
    from rich.progress import Progress

    with Progress(console=err.console, transient=True) as progress:
        task = progress.add_task("Importing", total=len(rows))
        done = service.importing.import_rows(
            username, read, rows, lambda n: progress.update(task, completed=n)
        )
    if done.before is not None:
        when = done.before.imported_at.astimezone(service.calendar.tz)
        out.print(
            f"{read.name} was imported on {when:%d %b %Y %H:%M} by {escape(service.words.person(done.before.imported_by))}"
            f" ({done.before.rows:,} rows, {done.before.first_reference} to {done.before.last_reference});"
            " nothing was imported again.",
            soft_wrap=True,
        )
        return
    out.print(
        f"Imported {done.rows:,} escalations from {escape(read.name)}: {done.first} to {done.last}."
    )
