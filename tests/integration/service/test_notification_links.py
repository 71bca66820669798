"""Emails and webhooks name the escalation's page on the desk, where the person signs in."""

from __future__ import annotations

from dataclasses import replace

from escalation_engine.service import EscalationService, outbox
from escalation_engine.trail import audit
from tests.support.scenarios import practice_alert


def _body(service: EscalationService, url: str | None) -> str:
    esc = practice_alert(service)
    settings = replace(service.settings, server=replace(service.settings.server, url=url))
    entry = audit.entries(service.engine, esc.reference)[-1]
    _, body = outbox.message(settings, service.spec_for(esc), esc, entry)  # type: ignore[arg-type]
    return body


def test_a_message_links_to_the_escalations_page_at_the_servers_public_address(
    service: EscalationService,
) -> None:
    body = _body(service, "https://escalations.example.gov.uk/")
    assert "Open it: https://escalations.example.gov.uk/escalations/ESC-2026-0001\n" in body


def test_without_a_public_address_a_message_names_the_command_only(
    service: EscalationService,
) -> None:
    body = _body(service, None)
    assert "Open it" not in body
    assert "See: escalate show ESC-2026-0001" in body
