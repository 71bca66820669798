"""Checkpoints: when they fall due, what they record, and checking a folder of them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from escalation_engine import checkpoints
from escalation_engine.clock import FakeClock
from escalation_engine.config import EmailSettings, NotifySettings, Settings
from escalation_engine.delivery import mail_checkpoint
from escalation_engine.errors import ConfigError, InvalidInput
from escalation_engine.service import EscalationService

from .test_service import practice_alert
from .test_signing import signed
from .worker_support import free_port, start_smtp

AT = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _point(seq: int, at: datetime = AT) -> checkpoints.Checkpoint:
    return checkpoints.Checkpoint(seq=seq, head="h", count=seq, at=at)


@pytest.mark.parametrize(
    ("previous", "seq", "now", "due"),
    [
        (None, 0, AT, False),  # nothing to anchor yet
        (None, 1, AT, True),
        (_point(5), 9, AT + timedelta(hours=1), False),
        (_point(5), 10, AT + timedelta(hours=1), True),  # every 5 entries
        (_point(5), 5, AT + timedelta(hours=23), False),
        (_point(5), 5, AT + timedelta(days=1), True),  # at least daily, even with nothing new
    ],
)
def test_a_checkpoint_falls_due_every_so_many_entries_and_daily(
    previous: checkpoints.Checkpoint | None, seq: int, now: datetime, due: bool
) -> None:
    assert checkpoints.due(previous, seq, 5, now) is due


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
    assert anchored.checkpoint_if_due() is None  # an empty trail
    esc = practice_alert(anchored)
    first = anchored.checkpoint_if_due()
    assert first is not None
    assert checkpoints.read(first).seq == 1
    anchored.act(esc.reference, "jo", "respond", note="Booked.")
    assert anchored.checkpoint_if_due() is None  # one entry since, not three
    clock.advance(days=1)
    assert anchored.checkpoint_if_due() is not None  # a day since
    report = anchored.check_checkpoints()
    assert report.ok
    assert report.checked == 2


def test_a_file_that_is_not_a_checkpoint_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "checkpoint-000000000001-x.json"
    bad.write_text("{not json")
    with pytest.raises(InvalidInput, match="is not a checkpoint file"):
        checkpoints.read(bad)


def test_an_empty_folder_given_on_the_command_line_is_a_failure_not_a_pass(
    anchored: EscalationService, tmp_path: Path
) -> None:
    practice_alert(anchored)
    (tmp_path / "empty").mkdir()
    report = anchored.check_checkpoints(tmp_path / "empty")
    assert not report.ok
    assert "no checkpoint files" in str(report.problem)
    assert anchored.check_checkpoints().ok  # the configured folder may have none yet


def test_an_unsigned_service_cannot_write_checkpoints(
    service: EscalationService, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="no audit.public_key"):
        service.checkpoint(tmp_path)


def _mailing(settings: Settings, port: int) -> Settings:
    email = EmailSettings(host="127.0.0.1", port=port, starttls=False, sender="iro@example.org")
    return dataclasses.replace(settings, notifications=NotifySettings(email=email))


def test_a_checkpoint_is_emailed_to_the_auditors(
    anchored: EscalationService, tmp_path: Path
) -> None:
    practice_alert(anchored)
    path = anchored.checkpoint_if_due()
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
