"""Safe defaults: the team is asked for when more than one could receive an alert, nobody is told
silently that they were notified, secrets stay out of rows and logs, SMTP uses TLS, and a broken
workflow file stops nothing but itself."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from escalation_engine.errors import InvalidInput
from escalation_engine.runtime.delivery import deliver_due
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import load_settings
from escalation_engine.store import NotificationRow
from tests.support.worker import (
    Inbox,
    free_port,
)


def _append(project: Path, text: str) -> None:
    with (project / "config.yaml").open("a") as config:
        config.write(text)


def test_an_alert_two_teams_could_receive_needs_the_team(service: EscalationService) -> None:
    settings = service.settings
    south = dataclasses.replace(settings.people["jo"], username="kay", name="Kay Lee", team="south")
    with_south = dataclasses.replace(settings, people=settings.people | {"kay": south})
    service = EscalationService(with_south, service.engine, service.clock)
    assert service.raising.teams_receiving("dispute_resolution", "practice_alert", None) == [
        "north",
        "south",
    ]
    with pytest.raises(InvalidInput, match=r"Say which team the child is with \(--team\)"):
        service.raise_alert(username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
                            case_refs=["CLA-1234"], category="pep", summary="s")  # fmt: skip
    esc = service.raise_alert(username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
                              case_refs=["CLA-1234"], category="pep", summary="s", team="south")  # fmt: skip
    assert esc.with_people == ("kay",)


def test_with_one_receiving_team_the_alert_goes_to_that_team(service: EscalationService) -> None:
    esc = service.raise_alert(username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
                              case_refs=["CLA-1234"], category="pep", summary="s")  # fmt: skip
    assert esc.team == "north"


def test_the_webhook_url_never_reaches_a_row(project: Path, service: EscalationService) -> None:
    url = "https://hooks.example.org/services/T000/B000/very-secret-token"
    _append(project, f"notifications:\n  webhook_url: {url}\n")
    notify = load_settings(project / "config.yaml").notifications
    service = EscalationService(
        dataclasses.replace(service.settings, notifications=notify), service.engine, service.clock
    )
    service.raise_alert(username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
                        case_refs=["CLA-1234"], category="pep", summary="s", team="north")  # fmt: skip
    with Session(service.engine) as session:
        rows = list(session.exec(select(NotificationRow)))
    assert [r.address for r in rows if r.channel == "webhook"] == ["webhook"]
    assert not any("very-secret-token" in f"{r.address} {r.body} {r.subject}" for r in rows)


def test_smtp_uses_tls_unless_told_not_to(project: Path, service: EscalationService) -> None:
    port = free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        _append(project, f"notifications:\n  email: {{host: 127.0.0.1, port: {port}}}\n")
        notify = load_settings(project / "config.yaml").notifications
        assert notify.email is not None
        assert notify.email.starttls is True
        service = EscalationService(
            dataclasses.replace(service.settings, notifications=notify),
            service.engine,
            service.clock,
        )
        service.raise_alert(username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
                            case_refs=["CLA-1234"], category="pep", summary="s", team="north")  # fmt: skip
        report = deliver_due(
            service.engine, service.settings, service.clock.now(), signer=service.ctx.signer
        )
    finally:
        controller.stop()
    assert report.sent == 0
    assert report.failed > 0
    assert all("STARTTLS" in error for error in report.errors), report.errors
    assert inbox.messages == []
