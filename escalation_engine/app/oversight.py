"""The worker's status and the trail's check, as the lines a person reads: ``escalate status``
and ``escalate audit verify`` print them with their colours, the desk's oversight page without.

Each line says whether it reports a problem, so the terminal prints problems to standard error
and the desk marks them. They read the JSON the ``status`` and ``verify`` operations return.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from rich.markup import escape

from escalation_engine.domain.labels import local_text
from escalation_engine.reports.cells import inert

#: A line to print, and whether it reports a problem (printed to standard error).
Line = tuple[bool, str]


def _how(desk: bool, command: str, words: str) -> str:
    """What to do about a problem: the command to type at a terminal, or on the desk (where
    nobody types commands) who does it, in words."""
    return words if desk else command


def status_lines(report: dict[str, Any], desk: bool = False) -> list[Line]:
    """``escalate status``: the worker, the sweeps, the workflow files and the backlogs
    (``desk``: as the oversight page says them, with no commands)."""
    lines: list[Line] = []
    worker = report["worker"]
    if report["worker_alive"] and worker:
        lines.append((False, f"Worker: [green]running[/green] (pid {worker['pid']} on"
                             f" {escape(worker['host'])}, last seen {local_text(worker['heartbeat_at'])})"))  # fmt: skip
    elif worker:
        lines.append((True, f"Worker: [red]not running[/red] (last seen {local_text(worker['heartbeat_at'])},"
                            f" pid {worker['pid']} on {escape(worker['host'])})"))  # fmt: skip
    else:
        start = _how(desk, "start one with 'escalate run'",
                     "the service's administrator starts it on the server")  # fmt: skip
        lines.append((True, f"Worker: [red]never started[/red]; {start}."))
    if report["sweeps_failing_since"]:
        lines.append((True, f"Sweeps: [red]failing[/red] since {local_text(report['sweeps_failing_since'])}:"
                            f" {escape(report['sweep_error'])}"))  # fmt: skip
    for path, problem in report["broken_workflow_files"].items():
        lines.append((True, f"Workflow file [red]not loaded[/red]: {escape(problem)}"))
        listed = _how(desk, "'escalate workflows validate' lists its problems",
                      "the service's administrator can list its problems")  # fmt: skip
        lines.append((True, f"  ({escape(path)} is left out until fixed; {listed}.)"))
    for said in report.get("stages_reaching_nobody", []):
        lines.append((True, f"Stage [red]reaching nobody[/red]: {escape(said)}"))
    for ref, where in report.get("escalations_reaching_nobody", {}).items():
        lines.append((True, f"Escalation [red]{escape(ref)}[/red] {escape(where)}."))
    for ref, how in report.get("clocks_disagreeing_with_trail", {}).items():
        lines.append((True, f"Clock [red]moved without an entry[/red]: {escape(ref)}: {escape(how)}"
                            " (the worker puts it back and tells the IRO manager)."))  # fmt: skip
    if report.get("deadlines_lagging"):
        lines.append((True, f"Worker [red]lagging[/red]: {report['deadlines_lagging']} deadlines"
                            " passed some sweeps ago with no engine move."))  # fmt: skip
    trouble = report.get("notices_in_trouble", {})
    for kind, words in (("given_up", "given up on (escalation still open)"),
                        ("retrying", "retrying after a failed delivery"),
                        ("overdue", "overdue (not yet tried)"),
                        ("held_back", "held back further than any retry puts them")):  # fmt: skip
        if trouble.get(kind):
            lines.append((True, f"Notices [red]{words}[/red]: {trouble[kind]}"))
    if report.get("checkpoints_beside_database"):
        away = _how(desk, "point audit.checkpoints.folder somewhere its writers cannot reach,"
                    " or send copies to syslog (audit.checkpoints.syslog)",
                    "the service's administrator should keep them where the database's writers"
                    " cannot reach, or send copies to the council's log server")  # fmt: skip
        lines.append((False, "Checkpoints: [yellow]kept beside the database[/yellow] (in the"
                             f" service's folder, they roll back with it): {away}."))  # fmt: skip
    if report.get("newest_checkpoint_at"):
        overdue = bool(report.get("checkpoint_overdue"))
        late = " [red]over two days old[/red]: is the worker running and its folder writable?"
        lines.append((overdue, f"Newest checkpoint: {local_text(report['newest_checkpoint_at'])}"
                               f"{late if overdue else ''}"))  # fmt: skip
    lines.append((False, f"Next deadline: {local_text(report['next_deadline'])}"))
    lines.append((False, f"Overdue (due but not yet applied): {report['overdue']}"))
    if report["notifications_configured"]:
        lines.append((False, f"Undelivered notifications: {report['undelivered_notifications']}"))
    else:
        add = _how(desk, "Add an email or webhook under notifications in config.yaml",
                   "The service's administrator adds an email server or webhook to its settings")  # fmt: skip
        lines.append((True, "Notifications: [red]none configured[/red]: nobody is being notified."
                            f" {add}."))  # fmt: skip
    return lines


def verify_lines(report: dict[str, Any], desk: bool = False) -> list[Line]:
    """``escalate audit verify``: the first problem found, or what was checked (``desk``: as
    the oversight page says them, with no commands)."""
    looks, replayed, anchored = report["access"], report["replay"], report["checkpoints"]
    anchored_problem = anchored is not None and not anchored["ok"]
    if report.get("undecided") and not anchored_problem:
        return [(True, f"[yellow]Cannot tell[/yellow]: {escape(str(report['problem']))}.")]
    if report["problem"] is not None and not report.get("undecided"):  # the chain's own
        return [(True, f"[red]Audit trail broken[/red]: {escape(str(report['problem']))}.")]
    told = report.get("notices")
    for part, title in ((looks, "Access log broken"), (replayed, "Escalation and trail disagree"),
                        (told, "Notice not kept"), (anchored, "Checkpoint not matched")):  # fmt: skip
        if part is not None and not part["ok"]:
            return [(True, f"[red]{title}[/red]: {escape(str(part['problem']))}.")]
    counted = report.get("tallies")
    if counted is not None and not counted["ok"]:
        again = _how(desk, "'escalate db recount' counts the report afresh from it",
                     "the service's administrator can count the report afresh from it")  # fmt: skip
        return [(True, f"[red]Report counts disagree with the trail[/red]:"
                       f" {escape(str(counted['problem']))}. The trail is intact and is what"
                       f" counts: {again}.")]  # fmt: skip
    if report.get("leftover"):
        return [(True, f"[red]Audit trail broken[/red]: {escape(str(report['leftover']))}.")]
    after = f" after entry {report['since']}" if report["since"] else ""
    signed = (
        "every signature checked"
        if report["signed"]
        else "[yellow]not signed[/yellow] ("
        + _how(desk, "config.yaml names no audit.public_key", "the service has no signing key")
        + ": anyone who can write to the database could rewrite it consistently)"
    )
    lines: list[Line] = [(False, f"[green]Audit trail verified[/green]: {report['entries']} entries"
                                 f"{after}, {signed}, head {report['head'][:16]}…")]  # fmt: skip
    if looks is not None:
        lines.append((False, f"Access log verified: {looks['entries']} looks at escalations."))
    if replayed is not None:
        lines.append(
            (False, f"Every escalation ({replayed['escalations']}) matches its replayed trail.")
        )
    if told is not None:
        lines.append((False, "Every notice the trail owes is in the outbox as it was written;"
                             f" {told['records']} delivery records verified."))  # fmt: skip
    if counted is not None:
        lines.append((False, "The report's counts agree with the trail."))
    lines += _redacted(report)
    if anchored is not None and anchored["latest"] is None:
        now = _how(desk, "run 'escalate audit checkpoint'",
                   "the service's administrator can write one now")  # fmt: skip
        lines.append((False, "No checkpoint has been written yet: the worker writes one every"
                             f" {report['checkpoint_every']:,} entries and daily, or {now}."))  # fmt: skip
    if anchored is not None and anchored["latest"] is not None:
        checked = anchored["checked"]
        lines.append((False, f"{checked} checkpoint{'s' if checked != 1 else ''} still part of the"
                             f" trail; the latest is {escape(anchored['latest']['described'])}."))  # fmt: skip
    return lines


#: How many redactions ``audit verify`` names one by one before it counts the rest.
NAMED = 20


def _redacted(report: dict[str, Any]) -> list[Line]:
    """Where personal text is kept apart from entries, and each redaction checked."""
    lines: list[Line] = []
    if report.get("committed_from"):
        lines.append((False, "Personal text (notes, meeting outcomes) is kept apart from its"
                             f" entry from entry {report['committed_from']} on."))  # fmt: skip
    redacted = report.get("redacted") or []
    if redacted:
        lines.append((False, f"{len(redacted)} field{'s' if len(redacted) != 1 else ''} of text"
                             " redacted, each recorded and signed:"))  # fmt: skip
        lines += [(False, f"  {escape(said)}") for said in redacted[:NAMED]]
        if len(redacted) > NAMED:
            lines.append((False, f"  and {len(redacted) - NAMED:,} more."))
    return lines


#: How each way of looking reads in the access log.
VIEW_WORDS = {
    "show": "opened its page",
    "list": "saw it in a list",
    "audit": "read its trail",
    "export": "saw it in a search of the trail or a download",
    "watch": "watched it",
    "report": "saw it behind a report figure",
    "refused": "was refused it (not found or not theirs)",
    "subject_access": "exported it for a subject-access request",
}


def grouped_looks(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The access log's rows as an auditor reads them: the escalations one person saw at one
    moment through one view (a page of a list, a download) as one look naming them all, in the
    order given, with the view in words."""
    looks: list[dict[str, Any]] = []
    for row in rows:
        last = looks[-1] if looks else None
        if last is not None and (last["at"], last["viewer"], last["view"]) == (
            row["at"],
            row["viewer"],
            row["view"],
        ):
            last["references"].append(row["reference"])
            continue
        looks.append({
            "at": row["at"], "when": local_text(row["at"]), "viewer": row["viewer"],
            "viewer_name": row["viewer_name"], "view": row["view"],
            "how": VIEW_WORDS.get(row["view"], row["view"]), "references": [row["reference"]],
        })  # fmt: skip
    return looks


#: The access log's columns in a CSV download, whichever door it comes through.
ACCESS_FIELDS = ("seq", "at", "viewer", "reference", "view")


def access_csv(rows: list[dict[str, Any]]) -> str:
    """The access log's ``rows`` as CSV, one line per escalation looked at, cells made inert."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(ACCESS_FIELDS)
    writer.writerows([inert(str(row[name])) for name in ACCESS_FIELDS] for row in rows)
    return buffer.getvalue()
