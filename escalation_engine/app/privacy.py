"""The privacy notice of one running service, written from its own config.yaml: what it records,
where, who can read each kind of record (by role, with how many people hold it now), and how
long it is kept. A data protection officer attaches it to the DPIA; it changes when config.yaml
does, so it is made afresh rather than copied."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

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


@dataclass(frozen=True, slots=True)
class Section:
    """A heading with its paragraphs, bullet points and table rows (the first row heads it)."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    points: list[str] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)


def sections(settings: Settings) -> list[Section]:
    """The notice, section by section, as both the desk and the command line show it."""
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
    return [
        Section("What is recorded", points=[
            "Each escalation an Independent Reviewing Officer raises about a looked-after child:"
            " the child's case reference from the case-record system (never a name), the"
            " category of concern, the team, the deadlines, and what happened at each stage.",
            "The free text people write: the summary, notes, meeting records. These may hold"
            " names and sensitive facts about the child and their family.",
            "Who did what and when (the audit trail), and who looked at each escalation and when"
            " (the access log).",
            "The staff who use it: username, name, role, team, manager and work email"
            f" ({len(settings.people)} people listed now), the notifications sent to them, and"
            " for local accounts a password hash (Argon2id) and failed sign-ins.",
        ]),
        Section("Where it is kept", paragraphs=[
            f"In {_where(settings)}. Entries are chained and signed with the service's key,"
            f" which is kept outside the database. {anchored} Notification emails carry the"
            f" concern's text only where the council chooses: here the text is {summary}.",
        ]),
        Section("Who can read each kind of record", rows=[
            ("Record", "Who can read it (people holding the role now)"),
            ("Every escalation and its trail", _holders(settings, SEE_ALL)),
            ("An escalation they raised, were copied on, or that concerns a child on their"
             " caseload, or that was with them or reached their tier in their line of"
             " management", _holders(settings, tuple(others))),
            ("The access log (who looked at what)", _holders(settings, (_AUDITOR,))),
            ("The annual report's figures", _holders(settings, SEE_ALL)),
            ("A child's subject-access export", _holders(settings, (DATA_PROTECTION,))),
        ], paragraphs=[
            "Anyone else who asks for an escalation is told that none by that reference exists"
            " for them, and the attempt is recorded in the access log.",
        ]),
        Section("How long it is kept", paragraphs=_kept(settings)),
        Section("Asking for your records", paragraphs=[
            "A child, or the adult they became, may ask the council for every record about"
            " them. The data protection officer exports them: every escalation about the case, in"
            " plain words, with other children's references left out; the export itself is"
            " recorded in the access log.",
        ]),
    ]  # fmt: skip


TITLE = "Privacy notice: IRO escalations"


def _kept(settings: Settings) -> list[str]:
    schedule, words = settings.retention, settings.words
    if not schedule.set:
        return [
            "No retention schedule is set in config.yaml: the engine keeps every record, and its"
            " audit trail and access log cannot be edited or deleted through it. The council's"
            " records-management schedule applies to the database and its backups."
        ]
    rules = [f"{years} years after it closes" for years in [schedule.years] if years is not None]
    rules += [f"{years} years for {name.replace('_', ' ')} escalations"
              for name, years in sorted(schedule.workflows.items())]  # fmt: skip
    rules += [f"{years} years for those about {words.category(key).lower()}"
              for key, years in sorted(schedule.categories.items())]  # fmt: skip
    return [
        "The text people wrote about an escalation (its summary, notes and meeting records) is"
        f" kept {'; '.join(rules)}; where several apply, the longest. Dates, stages, outcomes,"
        " categories and ratings are kept for good, so that past years' reports do not change."
        " The worker removes the text daily once its time has run out, each removal recorded;"
        " 'escalate retention plan' shows what falls due when.",
    ]


def notice(settings: Settings) -> str:
    """The notice as Markdown."""
    lines = [f"# {TITLE}", ""]
    for section in sections(settings):
        lines += [f"## {section.heading}", ""]
        lines += [f"- {point}" for point in section.points] + ([""] if section.points else [])
        if section.rows:
            head, *rest = section.rows
            lines += [f"| {head[0]} | {head[1]} |", "| --- | --- |"]
            lines += [f"| {record} | {who} |" for record, who in rest] + [""]
        for paragraph in section.paragraphs:
            lines += [paragraph, ""]
    return "\n".join(lines)
