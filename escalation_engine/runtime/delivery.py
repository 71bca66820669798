"""Delivering the outbox: email over SMTP and a JSON webhook, with retries and backoff.

Delivery is at least once: a notification is leased before it is sent and marked sent after, so
a crash between the two sends it again when the lease runs out rather than losing it. Every
attempt and its result is recorded.
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import Engine

from escalation_engine.service.outbox import Claimed, claim_due, settle
from escalation_engine.settings.config import EmailSettings, Settings
from escalation_engine.settings.keys import Signer

log = logging.getLogger("escalation_engine.runtime.delivery")


def send_email(config: EmailSettings, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds) as smtp:
        # TLS unless the council has said starttls: false, so a password never crosses in clear.
        if config.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if config.username:
            smtp.login(config.username, config.password)
        smtp.send_message(message)


def post_webhook(url: str, claimed: Claimed, timeout: float = 10.0) -> None:
    # Teams and Slack incoming webhooks both accept {"text": ...}; the rest is for other tools.
    payload = {
        "text": f"{claimed.subject}\n{claimed.body}",
        "reference": claimed.reference,
        "event": claimed.event,
        "subject": claimed.subject,
        "body": claimed.body,
    }
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if response.status >= 300:
            raise OSError(f"webhook answered HTTP {response.status}")


def _without_secrets(text: str, settings: Settings) -> str:
    """An error as it may be logged and stored: never with the webhook URL or SMTP password."""
    secrets = [settings.notifications.webhook_url]
    if settings.notifications.email is not None:
        secrets.append(settings.notifications.email.password)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[secret]")
    return text


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_due(
    engine: Engine, settings: Settings, now: datetime, *, signer: Signer | None, batch: int = 50,
    stop: Callable[[], bool] | None = None,
) -> DeliveryReport:  # fmt: skip
    """Try every notification that is due, each attempt's record signed by ``signer`` (the
    trail's key, where the service signs its trail); never raises for a delivery failure. When ``stop``
    says so (the worker is stopping), the rest wait: their leases run out and the next worker
    sends them, so a stop is prompt and nothing is lost."""
    report = DeliveryReport()
    for claimed in claim_due(engine, now, batch=batch):
        if stop is not None and stop():
            break
        error: str | None = None
        try:
            if claimed.channel == "email" and settings.notifications.email is not None:
                send_email(
                    settings.notifications.email, claimed.address, claimed.subject, claimed.body
                )
            elif claimed.channel == "webhook" and settings.notifications.webhook_url:
                post_webhook(settings.notifications.webhook_url, claimed)
            else:
                error = f"channel {claimed.channel!r} is not configured"
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            error = _without_secrets(f"{type(exc).__name__}: {exc}", settings)
        status = settle(engine, settings, claimed, now, error, signer)
        if error is None:
            report.sent += 1
            log.info("sent %s to %s: %s", claimed.channel, claimed.address, claimed.subject)
        else:
            report.failed += 1
            report.errors.append(error)
            log.warning(
                "could not send %s to %s (%s); %s", claimed.channel, claimed.address, error, status
            )
    return report


def mail_checkpoint(settings: Settings, name: str, text: str) -> list[str]:
    """Email a checkpoint file to every auditor with an address, so that a copy lives in their
    mailboxes, out of reach of anyone who can write to the database. Returns the addresses it
    could not reach (the next checkpoint tries again); nothing is sent without email settings."""
    email = settings.notifications.email
    if email is None:
        return []
    failed = []
    for person in settings.people.values():
        if "auditor" not in person.roles or not person.email:
            continue
        body = (
            "A signed checkpoint of the escalation audit trail. Keep this message: 'escalate audit"
            " verify --checkpoints FOLDER', with this file saved in FOLDER, proves the trail still"
            f" holds everything it records.\n\n{name}:\n{text}"
        )
        try:
            send_email(email, person.email, f"Audit trail checkpoint {name}", body)
        except (OSError, smtplib.SMTPException) as exc:
            log.error("could not email the audit checkpoint to %s: %s", person.email, exc)
            failed.append(person.email)
    return failed
