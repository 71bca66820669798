"""``escalate subject-access``: everything held about one child's case reference, for the data
protection officer answering a subject-access request, as a readable HTML or PDF file, or as JSON."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from escalation_engine.cli.common import App, AsUser, Group, Json, app, emit_json, escape, out

FORMATS = ("html", "pdf", "json")

retention_app = App(
    cls=Group, help="The retention schedule: what it removes, and when.", no_args_is_help=True
)
app.add_typer(retention_app, name="retention")


@app.command("subject-access")
def subject_access(
    case: Annotated[str, typer.Argument(metavar="CASE-REF", help="The child's case reference.")],
    output: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help="html or pdf (to read), or json.")
    ] = "html",
    path: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to this file."),
    ] = None,
    names: Annotated[
        str,
        typer.Option(
            "--names", metavar="people|roles",
            help="Name people (people), or write their role instead of their name (roles).",
        ),
    ] = "people",
    as_user: AsUser = None,
) -> None:  # fmt: skip
    """Export every escalation about a child's case reference, with what happened, who was
    told and who looked (the data protection officer only). The export is recorded in the
    access log.

    Example: escalate subject-access CLA-123456 --names roles -o CLA-123456.html
    """
    from escalation_engine.cli.backend import connect
    from escalation_engine.cli.reporting import ready
    from escalation_engine.errors import InvalidInput

    if output not in FORMATS:
        raise InvalidInput(f"--format {output[:20]!r} is not one of {', '.join(FORMATS)}.")
    if output != "json" and path is None and sys.stdout.isatty():
        raise InvalidInput(
            f"--format {output} writes a file: add --output FILE, e.g. --output"
            f" {case[:20]}.{output}."
        )
    if path is not None:
        ready(path)
    found = connect(as_user).call("subject_access", {"case": case}, names=names)
    if output == "json" and path is None:
        emit_json(found)
        return
    if output == "json":
        import json

        blob = (json.dumps(found, indent=2) + "\n").encode("utf-8")
    elif output == "pdf":
        from escalation_engine.reports.subject_access_pdf import document

        blob = document(found)
    else:
        from escalation_engine.reports.subject_access import page

        blob = page(found).encode("utf-8")
    if path is None:
        sys.stdout.buffer.write(blob)
        return
    path.write_bytes(blob)
    count = len(found["escalations"])
    out.print(
        f"Wrote {escape(str(path))}: {count} escalation{'s' if count != 1 else ''} about"
        f" {escape(found['case'])}. Read it before sending: notes are as their writers wrote them."
    )


@app.command("privacy-notice")
def privacy_notice(
    path: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to this file (Markdown)."),
    ] = None,
) -> None:
    """Write this service's privacy notice from its config.yaml: what is recorded, where, who
    can read each kind of record, and how long it is kept.

    Example: escalate privacy-notice -o privacy-notice.md
    """
    from escalation_engine.app.privacy import notice
    from escalation_engine.cli.common import current_settings
    from escalation_engine.cli.reporting import ready

    if path is not None:
        ready(path)
    text = notice(current_settings())
    if path is None:
        sys.stdout.write(text)
        return
    path.write_text(text, encoding="utf-8")
    out.print(f"Wrote {escape(str(path))}.")


@retention_app.command("plan")
def retention_plan(
    as_csv: Annotated[bool, typer.Option("--csv", help="Write CSV to standard output.")] = False,
    as_user: AsUser = None,
    as_json: Json = False,
) -> None:
    """When each closed escalation's personal text falls due for removal under the schedule in
    config.yaml (retention:), soonest first (the data protection officer, the IRO manager and
    auditors).

    Example: escalate retention plan --csv > retention.csv
    """
    from escalation_engine.cli.backend import connect

    found = connect(as_user).call("retention_plan")
    if as_json:
        emit_json(found)
        return
    if as_csv:
        from escalation_engine.app.disclosure import plan_csv

        sys.stdout.write(plan_csv(found))
        return
    _print_plan(found)


def _print_plan(found: dict[str, Any]) -> None:
    from rich.table import Table

    schedule = found["schedule"]
    scheduled = schedule["years_after_closure"] or schedule["workflows"] or schedule["categories"]
    if not scheduled and not found["due"]:
        out.print("No retention schedule is set in config.yaml (retention:): every record is kept.")
        return
    shown = Table(title="When each escalation's personal text falls due for removal",
                  title_justify="left")  # fmt: skip
    for column in ("Escalation", "Category", "Closed", "Kept", "Due for removal"):
        shown.add_column(column)
    for due in found["due"]:
        shown.add_row(escape(due["reference"]), escape(due["category_title"]), due["closed_on"],
                      escape(due["kept"]), due["remove_on"])  # fmt: skip
    out.print(shown)
    out.print(
        f"{len(found['due'])} closed escalation{'s' if len(found['due']) != 1 else ''} under the"
        " schedule. Only the text people wrote (summaries, notes, meeting records) is due;"
        " dates, stages, outcomes, categories and ratings are kept, so past reports do not"
        " change. The worker removes the text on the day it falls due."
    )
