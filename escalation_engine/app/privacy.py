"""The privacy notice of one running service, written from its own config.yaml: what it records,
where, who can read each kind of record (by role, with how many people hold it now), and how
long it is kept. A data protection officer attaches it to the DPIA; it changes when config.yaml
does, so it is made afresh rather than copied."""

from __future__ import annotations

from collections import Counter

from escalation_engine.domain.visibility import DATA_PROTECTION, SEE_ALL
from escalation_engine.settings.config import Settings
from escalation_engine.settings.database import safe_url

_AUDITOR = "auditor"


def _holders(settings: Settings, roles: tuple[str, ...]) -> str:
    """Who holds any of ``roles`` now, by role title with a count."""
    counts = Counter(role for p in settings.people.values() for role in p.roles if role in roles)
    words = settings.words
    held = [f"{words.role(role)} ({counts[role]})" for role in roles if counts[role]]
    return ", ".join(held) if held else "nobody at present"


def _where(settings: Settings) -> str:
    url = settings.database_url
    if url.startswith("sqlite"):
        return f"a SQLite database file on the service host ({safe_url(url)})"
    return f"a PostgreSQL database ({safe_url(url)})"


def notice(settings: Settings) -> str:
    """The notice as Markdown."""
    others = sorted(
        {r for p in settings.people.values() for r in p.roles} - {*SEE_ALL, DATA_PROTECTION}
    )
    summary = (
        "included in the email"
        if settings.notifications.include_summary
        else "left out of the email (it says only that something needs attention, and links to it)"
    )
    checkpoints = settings.audit.checkpoint_folder
    anchored = (
        f"Signed checkpoints of the trail are kept in {checkpoints}."
        if checkpoints is not None
        else "No checkpoint folder is set."
    )
    return "\n".join(
        [
            "# Privacy notice: IRO escalations",
            "",
            "## What is recorded",
            "",
            "- Each escalation an Independent Reviewing Officer raises about a looked-after child:"
            " the child's case reference from the case-record system (never a name; a reference must"
            f" match `{settings.case_reference_pattern}`), the category of concern, the team, the"
            " deadlines, and what happened at each stage.",
            "- The free text people write: the summary, notes, meeting records. These may hold"
            " names and sensitive facts about the child and their family.",
            "- Who did what and when (the audit trail), and who looked at each escalation and when"
            " (the access log).",
            "- The staff who use it: username, name, role, team, manager and work email"
            f" ({len(settings.people)} people listed now), the notifications sent to them, and for"
            " local accounts a password hash (Argon2id) and failed sign-ins.",
            "",
            "## Where it is kept",
            "",
            f"In {_where(settings)}. Entries are chained and signed with the service's key, which is"
            f" kept outside the database. {anchored} Notification emails carry the concern's text"
            f" only where the council chooses: here the text is {summary}.",
            "",
            "## Who can read each kind of record",
            "",
            "| Record | Who can read it |",
            "| --- | --- |",
            f"| Every escalation and its trail | {_holders(settings, SEE_ALL)} |",
            f"| An escalation they raised, were copied on, or that concerns a child on their"
            f" caseload, or that was with them or reached their tier in their line of management |"
            f" {_holders(settings, tuple(others))} |",
            f"| The access log (who looked at what) | {_holders(settings, (_AUDITOR,))} |",
            f"| The annual report's figures | {_holders(settings, SEE_ALL)} |",
            f"| A child's subject-access export | {_holders(settings, (DATA_PROTECTION,))} |",
            "",
            "Anyone else who asks for an escalation is told that none by that reference exists for"
            " them, and the attempt is recorded in the access log.",
            "",
            "## How long it is kept",
            "",
            "No retention schedule is set in config.yaml: the engine keeps every record, and its"
            " audit trail and access log cannot be edited or deleted through it. Apply the council's"
            " records-management schedule to the database and its backups.",
            "",
            "## Asking for your records",
            "",
            "A child, or the adult they became, may ask the council for every record about them. The"
            " data protection officer exports them with `escalate subject-access CASE-REF`: every"
            " escalation about the case, in plain words, with other children's references left out;"
            " the export itself is recorded in the access log.",
            "",
        ]
    )
