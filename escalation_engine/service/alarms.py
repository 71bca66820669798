"""Alarms: what the engine finds wrong with itself, told to the IRO manager as well as shown.

``status``, ``/health`` and the desk show the engine's own troubles, but nobody reads a status
page at 3 a.m. So the worker looks every few minutes, and each kind of trouble present is also a
notice to every IRO manager, once a day while it lasts (not at every look). The notice counts
and names no child: the details are in ``escalate status`` and on the oversight page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from escalation_engine import store
from escalation_engine.service.context import Context
from escalation_engine.service.outbox import WEBHOOK
from escalation_engine.settings.config import Settings

#: While a trouble lasts, its alarm is told again after this long.
AGAIN_AFTER = timedelta(days=1)
#: Who is told.
ROLE = "iro_manager"
#: The troubles that raise an alarm, each in words for the notice ({n}: how many). The worker
#: not running cannot be told by the worker; notices retrying after one failure are not yet one.
SAID = {
    "sweeps_failing": "the worker's sweeps are failing",
    "broken_workflow_files": "{n} workflow file(s) do not load: escalations under them wait",
    "stages_reaching_nobody": "{n} workflow stage(s) would reach nobody",
    "escalations_reaching_nobody": (
        "{n} open escalation(s) have nobody in the right role to act on them (waiting on nobody,"
        " or held by a fallback)"
    ),
    "clocks_disagreeing_with_trail": "{n} escalation(s) have clocks that disagree with the trail",
    "deadlines_lagging": "{n} deadline(s) passed with no move by the engine: the worker is behind",
    "notices_given_up": "{n} notice(s) about open escalations could not be delivered",
    "notices_overdue": "{n} notice(s) are overdue: nobody has been told",
    "notices_held_back": "{n} notice(s) are held back further than any retry puts them",
    "checkpoint_overdue": "no checkpoint of the audit trail has been written for over two days",
}


@dataclass(frozen=True, slots=True)
class Alarm:
    kind: str
    said: str

    @property
    def event(self) -> str:
        return f"alarm:{self.kind}"


class Alarms:
    """Each trouble present, told to the IRO managers once a day while it lasts."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def raise_for(self, problems: dict[str, int], now: datetime) -> list[Alarm]:
        """Queue a notice to every IRO manager (and the webhook) for each trouble in
        ``problems`` (kind → how many) not told in the last day; the alarms told now."""
        alarms = [
            Alarm(kind, SAID[kind].format(n=count))
            for kind, count in sorted(problems.items())
            if count and kind in SAID
        ]
        told = []
        with store.unit_of_work(self.ctx.engine) as session:
            for alarm in alarms:
                last = store.notifications.last_of(session, alarm.event)
                if last is not None and now - last < AGAIN_AFTER:
                    continue
                rows = self._rows(alarm, now)
                if rows:
                    store.queue_notifications(session, rows)
                    told.append(alarm)
        return told

    def _rows(self, alarm: Alarm, now: datetime) -> list[dict[str, object]]:
        url = self.ctx.settings.server.url
        where = f"Open {url.rstrip('/')}/oversight, or run" if url else "Run"
        subject = f"Escalation engine alarm: {alarm.said}"
        body = f"{alarm.said[0].upper()}{alarm.said[1:]}.\n\n{where} 'escalate status' for the details.\n"
        return rows_for(self.ctx.settings, ROLE, alarm.event, subject, body, now)


def rows_for(
    settings: Settings, role: str, event: str, subject: str, body: str, now: datetime
) -> list[dict[str, object]]:
    """The outbox rows of a notice owed by no entry (the engine's own news) to everyone with
    ``role`` who has an email address, and to the webhook."""
    rows: list[dict[str, object]] = []

    def add(channel: str, recipient: str, address: str) -> None:
        rows.append({
            "reference": "", "audit_seq": 0, "event": event, "channel": channel,
            "recipient": recipient, "address": address, "subject": subject, "body": body,
            "status": "pending", "attempts": 0, "last_error": "", "next_attempt_at": now,
            "created_at": now,
        })  # fmt: skip

    if settings.notifications.email is not None:
        for person in settings.people.values():
            if role in person.roles and person.email:
                add("email", person.username, person.email)
    if settings.notifications.webhook_url:
        add("webhook", "", WEBHOOK)
    return rows
