"""``escalate subject-access``: everything held about one child's case reference, for the data
protection officer answering a subject-access request, as a readable HTML or PDF file, or as JSON."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from escalation_engine.cli.common import AsUser, app, emit_json, escape, out

FORMATS = ("html", "pdf", "json")


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
