"""Notifications as rows: written with the change that causes them, claimed and settled later.

Writing the message in the same transaction as the audit entry means a change is never made
without its notice, and a mail server that is down never blocks or loses a change: the worker
delivers from here with retries and backoff. Message bodies carry the reference, the case
reference, the stage and the deadline; the free text of the concern only if the council opts in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Connection, Engine

from escalation_engine import store
from escalation_engine.domain.actions import catalogue
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.events import Told
from escalation_engine.domain.labels import local
from escalation_engine.domain.notices import Promise, digest
from escalation_engine.settings.config import Settings
from escalation_engine.settings.keys import Signer
from escalation_engine.spec.model import WorkflowSpec
from escalation_engine.trail import deliveries
from escalation_engine.trail.audit import Entry

LEASE = timedelta(minutes=2)
#: How a message carrying people's text (notifications.include_summary) starts those lines.
CONCERN, NOTE = "Concern: ", "Note: "


def without(body: str, text: str, shown: str) -> str:
    """``body`` with ``text`` replaced by ``shown`` in the lines that carry people's text (the
    concern and the note), and nowhere else."""
    return "\n".join(
        line.replace(text, shown) if line.startswith((CONCERN, NOTE)) else line
        for line in body.split("\n")
    )


#: What a webhook notification's row names as its address.
WEBHOOK = "webhook"


class Cause(Protocol):
    """What a notice says of the entry that causes it (known before the entry is written)."""

    @property
    def action(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def note(self) -> str: ...


def recipients(settings: Settings, escalation: Escalation, entry: Cause, told: Told) -> list[str]:
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
    settings: Settings, spec: WorkflowSpec, escalation: Escalation, entry: Cause
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
        lines += [f"{CONCERN}{escalation.summary}", f"{NOTE}{entry.note}"]
    if settings.server.url:  # the page it is on, where the person signs in and acts
        lines.append(
            f"Open it: {settings.server.url.rstrip('/')}/escalations/{escalation.reference}"
        )
    lines.append(f"See: escalate show {escalation.reference}")
    return subject, "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class Notice:
    """One message an entry owes: over ``channel`` to ``recipient`` at ``address``."""

    channel: str
    recipient: str
    address: str
    subject: str
    body: str

    @property
    def promise(self) -> Promise:
        """What the entry records of it (signed with the entry)."""
        return Promise(self.channel, self.recipient,
                       digest(self.channel, self.recipient, self.address, self.subject, self.body))  # fmt: skip


def compose(
    settings: Settings, spec: WorkflowSpec, escalation: Escalation, cause: Cause, told: Told
) -> list[Notice]:
    """The notices ``cause`` owes, as the escalation stands after it: built before its entry
    is written, so that the entry records them."""
    channels = settings.notifications
    if channels.email is None and not channels.webhook_url:
        return []  # nobody to tell: no message to build
    subject, body = message(settings, spec, escalation, cause)
    notices = []
    if channels.email is not None:
        for username in recipients(settings, escalation, cause, told):
            person = settings.people[username]
            if person.email:
                notices.append(Notice("email", username, person.email, subject, body))
    if channels.webhook_url:  # the URL is a secret: read from config when delivering
        notices.append(Notice("webhook", "", WEBHOOK, subject, body))
    return notices


def enqueue(session: Connection, reference: str, entry: Entry, notices: list[Notice]) -> int:
    """Queue the ``notices`` ``entry`` owes inside the caller's transaction; return how many."""
    rows = [
        {"reference": reference, "audit_seq": entry.seq, "event": entry.action,
         "channel": n.channel, "recipient": n.recipient, "address": n.address,
         "subject": n.subject, "body": n.body, "status": "pending", "attempts": 0,
         "last_error": "", "next_attempt_at": entry.at, "created_at": entry.at}
        for n in notices
    ]  # fmt: skip
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
    audit_seq: int
    recipient: str

    @property
    def digest(self) -> str:
        return digest(self.channel, self.recipient, self.address, self.subject, self.body)


def claim_due(engine: Engine, now: datetime, *, batch: int = 50) -> list[Claimed]:
    """Take up to ``batch`` pending notifications for delivery, leasing them so that another
    deliverer does not take them too; a lease that is never settled (a crash) runs out."""
    rows = store.lease_notifications(engine, now, now + LEASE, batch)
    claimed = [
        Claimed(row.id, row.channel, row.address, row.subject, row.body, row.reference,
                row.event, row.attempts, row.audit_seq, row.recipient)
        for row in rows
    ]  # fmt: skip
    return claimed


def settle(
    engine: Engine, settings: Settings, claimed: Claimed, now: datetime, error: str | None,
    signer: Signer | None,
) -> str:  # fmt: skip
    """Record one delivery attempt and its signed delivery record, together; return the
    notification's new status."""
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
    status = str(values["status"])
    outcome = {"sent": "sent", "failed": "given_up"}.get(status, "retrying")
    with store.unit_of_work(engine) as session:
        store.notifications.settle_in(session, claimed.id, values)
        deliveries.append(
            session, notification_id=claimed.id, audit_seq=claimed.audit_seq,
            message=claimed.digest, outcome=outcome, attempt=attempts, at=now, signer=signer,
        )  # fmt: skip
    return status


def undelivered(engine: Engine) -> int:
    return store.undelivered(engine)
