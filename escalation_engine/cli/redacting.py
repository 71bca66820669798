"""``escalate redact`` and ``escalate correct``: the data protection officer removing personal
text from an entry, or saying it again, corrected; each is an entry of its own in the trail."""

from __future__ import annotations

from typing import Annotated

import typer

from escalation_engine.cli.common import AsUser, Json, Ref, app, emit_json, escape, out

Entry = Annotated[
    int,
    typer.Option(
        "--entry",
        metavar="N",
        help="The entry's number (as the case's subject-access export numbers them).",
    ),
]
Field = Annotated[
    str,
    typer.Option(
        "--field",
        metavar="FIELD",
        help="note (the entry's note, or an alert's summary), outcome or next_step (a meeting's).",
    ),
]
Reason = Annotated[
    str,
    typer.Option(
        "--reason", metavar="TEXT", help="Why, without personal details: it stays in the trail."
    ),
]


@app.command("redact")
def redact(
    reference: Ref, entry: Entry, field: Field = "note", reason: Reason = "",
    as_user: AsUser = None, as_json: Json = False,
) -> None:  # fmt: skip
    """Remove the text of one field of an entry (the data protection officer only). The entry,
    its signature and the chain stay whole; 'escalate audit verify' names the redaction; the
    text leaves the database's files. Report figures do not change.

    Example: escalate redact ESC-2026-0001 --entry 3 --field note --reason "Names a sibling"
    """
    from escalation_engine.cli.backend import connect

    found = connect(as_user).call(
        "redact", {"reference": reference}, entry=entry, field=field, reason=reason
    )
    if as_json:
        emit_json(found)
        return
    out.print(
        f"Redacted the {escape(field)} of entry {entry} of {escape(found['reference'])}"
        f" (recorded as entry {found['entry']})."
    )


@app.command("correct")
def correct(
    reference: Ref, entry: Entry,
    text: Annotated[str, typer.Option("--text", metavar="TEXT", help="The text as it should read.")],
    field: Field = "note", reason: Reason = "", as_user: AsUser = None, as_json: Json = False,
) -> None:  # fmt: skip
    """Say the text of one field of an entry again, corrected (the data protection officer
    only): a new entry linked to the one it corrects, shown beside it; the entry corrected is
    kept. Correcting an alert's first entry's note corrects its summary.

    Example: escalate correct ESC-2026-0001 --entry 1 --text "Plan overdue" --reason "Wrong date"
    """
    from escalation_engine.cli.backend import connect

    found = connect(as_user).call(
        "correct", {"reference": reference}, entry=entry, field=field, text=text, reason=reason
    )
    if as_json:
        emit_json(found)
        return
    out.print(
        f"Corrected the {escape(field)} of entry {entry} of {escape(found['reference'])}"
        f" (recorded as entry {found['entry']})."
    )
