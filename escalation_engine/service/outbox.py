"""Notifications as rows: written with the change that causes them, claimed and settled later.

Writing the message in the same transaction as the audit entry means a change is never made
without its notice, and a mail server that is down never blocks or loses a change: the worker
delivers from here with retries and backoff. Message bodies carry the reference, the case
reference, the stage and the deadline; the free text of the concern only if the council opts in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from escalation_engine import store
from escalation_engine.domain.actions import catalogue
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.events import Told
from escalation_engine.domain.labels import local
from escalation_engine.settings.config import Settings
from escalation_engine.spec.model import WorkflowSpec
from escalation_engine.trail.audit import Entry

LEASE = timedelta(minutes=2)
#: What a webhook notification's row names as its address.
WEBHOOK = "webhook"


def recipients(settings: Settings, escalation: Escalation, entry: Entry, told: Told) -> list[str]:
    """Who hears of ``entry``: whoever it is with now, the people copied, the watchers, the
    raiser's manager where the stage says so, and the raiser; never the person who acted."""
    names = [*escalation.with_people, *told.addressed, *told.copy, *told.watchers]
    names += [*told.raisers_manager, escalation.raised_by]
    if entry.action == "reminder":
        names = list(escalation.with_people) or [escalation.raised_by]
    return [
        name for name in dict.fromkeys(names) if name != entry.actor and name in settings.people
    ]


def message(
    settings: Settings, spec: WorkflowSpec, escalation: Escalation, entry: Entry
) -> tuple[str, str]:
    words = settings.words
    said = catalogue.words(entry.action)
    headline = said[1] if said else entry.action.replace("_", " ")
    subject = f"{escalation.reference} ({', '.join(escalation.case_refs)}): {headline}"
    lines = [
        f"Escalation {escalation.reference} for case {', '.join(escalation.case_refs)}: {headline}.",
        f"Workflow: {spec.title}",
        f"Stage: {words.stage(spec, escalation.stage)}",
    ]
    if escalation.with_people:
        lines.append(f"Now with: {words.people(escalation.with_people)}")
    if escalation.stage_due_at:
        lines.append(f"Deadline: {local(escalation.stage_due_at)}")
    if settings.notifications.include_summary:
        lines += [f"Concern: {escalation.summary}", f"Note: {entry.note}"]
    if settings.server.url:  # the page it is on, where the person signs in and acts
        lines.append(
            f"Open it: {settings.server.url.rstrip('/')}/escalations/{escalation.reference}"
        )
    lines.append(f"See: escalate show {escalation.reference}")
    return subject, "\n".join(lines) + "\n"


def enqueue(
    session: Connection,
    settings: Settings,
    spec: WorkflowSpec,
    escalation: Escalation,
    entry: Entry,
    told: Told,
) -> int:
    """Queue the notifications for ``entry`` inside the caller's transaction; return how many."""
    channels = settings.notifications
    if channels.email is None and not channels.webhook_url:
        return 0  # nobody to tell: no message to build
    subject, body = message(settings, spec, escalation, entry)
    rows: list[dict[str, object]] = []

    def add(channel: str, recipient: str, address: str) -> None:
        rows.append({
            "reference": escalation.reference, "audit_seq": entry.seq or 0, "event": entry.action,
            "channel": channel, "recipient": recipient, "address": address, "subject": subject,
            "body": body, "status": "pending", "attempts": 0, "last_error": "",
            "next_attempt_at": entry.at, "created_at": entry.at,
        })  # fmt: skip

    if channels.email is not None:
        for username in recipients(settings, escalation, entry, told):
            person = settings.people[username]
            if person.email:
                add("email", username, person.email)
    if channels.webhook_url:
        add("webhook", "", WEBHOOK)  # the URL is a secret: read from config when delivering
    store.queue_notifications(session, rows)
    return len(rows)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    channel: str
    address: str
    subject: str
    body: str
    reference: str
    event: str
    attempts: int


def claim_due(engine: Engine, now: datetime, *, batch: int = 50) -> list[Claimed]:
    """Take up to ``batch`` pending notifications for delivery, leasing them so that another
    deliverer does not take them too; a lease that is never settled (a crash) runs out."""
    rows = store.lease_notifications(engine, now, now + LEASE, batch)
    claimed = [
        Claimed(row.id, row.channel, row.address, row.subject, row.body, row.reference,
                row.event, row.attempts)
        for row in rows
    ]  # fmt: skip
    return claimed


def settle(
    engine: Engine, settings: Settings, claimed: Claimed, now: datetime, error: str | None
) -> str:
    """Record one delivery attempt; return the notification's new status."""
    policy = settings.notifications
    attempts = claimed.attempts + 1
    if error is None:
        values: dict[str, object] = {
            "status": "sent",
            "sent_at": now,
            "attempts": attempts,
            "last_error": "",
        }
    else:
        delay = min(policy.retry_base_seconds * 2 ** (attempts - 1), policy.retry_max_seconds)
        status = "failed" if attempts >= policy.max_attempts else "pending"
        values = {"status": status, "attempts": attempts, "last_error": error[:500],
                  "next_attempt_at": now + timedelta(seconds=delay)}  # fmt: skip
    store.settle_notification(engine, claimed.id, values, now, error or "")
    return str(values["status"])


def undelivered(engine: Engine) -> int:
    return store.undelivered(engine)
