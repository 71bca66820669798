"""Checkpoints: when they fall due, what they record, and checking a folder of them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import Engine

from escalation_engine.clock import FakeClock
from escalation_engine.errors import ConfigError
from escalation_engine.runtime.delivery import mail_checkpoint
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import EmailSettings, NotifySettings, Settings
from escalation_engine.trail import checkpoints
from tests.support.scenarios import practice_alert, signed
from tests.support.worker import free_port, start_smtp


@pytest.fixture
def anchored(
    settings: Settings, engine: Engine, clock: FakeClock, tmp_path: Path
) -> EscalationService:
    keyed = signed(settings, tmp_path / "keys")
    audit_settings = dataclasses.replace(
        keyed.audit, checkpoint_folder=tmp_path / "points", checkpoint_every=3
    )
    return EscalationService(dataclasses.replace(keyed, audit=audit_settings), engine, clock)


def test_the_worker_check_writes_one_when_due_and_the_folder_then_verifies(
    anchored: EscalationService, clock: FakeClock, tmp_path: Path
) -> None:
    assert anchored.anchoring.checkpoint_if_due() is None  # an empty trail
    esc = practice_alert(anchored)
    first = anchored.anchoring.checkpoint_if_due()
    assert first is not None
    assert checkpoints.read(first).seq == 1
    anchored.act(esc.reference, "jo", "respond", note="Booked.")
    assert anchored.anchoring.checkpoint_if_due() is None  # one entry since, not three
    clock.advance(days=1)
    assert anchored.anchoring.checkpoint_if_due() is not None  # a day since
    report = anchored.anchoring.check_checkpoints()
    assert report.ok
    assert report.checked == 2


def test_an_empty_folder_given_on_the_command_line_is_a_failure_not_a_pass(
    anchored: EscalationService, tmp_path: Path
) -> None:
    practice_alert(anchored)
    (tmp_path / "empty").mkdir()
    report = anchored.anchoring.check_checkpoints(tmp_path / "empty")
    assert not report.ok
    assert "no checkpoint files" in str(report.problem)
    assert anchored.anchoring.check_checkpoints().ok  # the configured folder may have none yet


def test_an_unsigned_service_cannot_write_checkpoints(
    service: EscalationService, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="no audit.public_key"):
        service.anchoring.checkpoint(tmp_path)


def _mailing(settings: Settings, port: int) -> Settings:
    email = EmailSettings(host="127.0.0.1", port=port, starttls=False, sender="iro@example.org")
    return dataclasses.replace(settings, notifications=NotifySettings(email=email))


def test_a_checkpoint_is_emailed_to_the_auditors(
    anchored: EscalationService, tmp_path: Path
) -> None:
    practice_alert(anchored)
    path = anchored.anchoring.checkpoint_if_due()
    assert path is not None
    port = free_port()
    controller, inbox = start_smtp(port)
    try:
        assert mail_checkpoint(_mailing(anchored.settings, port), path.name, path.read_text()) == []
    finally:
        controller.stop()
    [(to, message)] = inbox.messages
    assert to == ["amir.hussain@example.org"]  # the auditor, and only them
    assert path.name in message
    assert checkpoints.read(path).head in message


def test_a_mail_server_that_is_down_is_reported_not_raised(anchored: EscalationService) -> None:
    unreachable = _mailing(anchored.settings, free_port())
    assert mail_checkpoint(unreachable, "checkpoint-x.json", "{}") == ["amir.hussain@example.org"]
