"""Each trouble the engine finds in itself is also a notice to the IRO managers: told once a
day while it lasts, naming no child, and queued like any other notice."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, text

from escalation_engine.app.health import raise_alarms, status
from escalation_engine.app.oversight import status_lines
from escalation_engine.clock import FakeClock
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import EmailSettings, Settings
from tests.support.scenarios import practice_alert, signed


def _telling(settings: Settings, engine: Engine, clock: FakeClock) -> EscalationService:
    email = EmailSettings(host="127.0.0.1", port=9, starttls=False)
    told = dataclasses.replace(settings.notifications, email=email)
    return EscalationService(dataclasses.replace(settings, notifications=told), engine, clock)


def _alarms(engine: Engine, kind: str) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return [
            (row.recipient, row.body)
            for row in connection.execute(
                text("SELECT recipient, body FROM notification WHERE event = :event ORDER BY id"),
                {"event": f"alarm:{kind}"},
            )
        ]


def _kinds(service: EscalationService) -> list[str]:
    return [alarm.kind for alarm in raise_alarms(service)]


def test_a_lagging_worker_is_told_to_each_iro_manager_once_a_day_while_it_lasts(
    settings: Settings, engine: Engine, clock: FakeClock
) -> None:
    service = _telling(settings, engine, clock)
    esc = practice_alert(service)
    assert raise_alarms(service) == []  # nothing wrong yet
    assert esc.remind_at is not None
    clock.set(esc.remind_at + timedelta(hours=1))  # a deadline passed, and no worker moved it
    assert "deadlines_lagging" in _kinds(service)  # (and the notices nobody sent: overdue)
    managers = sorted(p.username for p in settings.people.values() if "iro_manager" in p.roles)
    alarms = _alarms(engine, "deadlines_lagging")
    assert sorted(recipient for recipient, _ in alarms) == managers
    assert "1 deadline(s) passed with no move by the engine" in alarms[0][1]
    assert esc.reference not in alarms[0][1]  # counts only: the details are in status
    clock.advance(hours=2)
    assert _kinds(service) == []  # still lagging, told already today
    clock.advance(days=1)
    assert "deadlines_lagging" in _kinds(service)
    assert len(_alarms(engine, "deadlines_lagging")) == 2 * len(managers)
    service.tick()  # the engine catches up: nothing more to tell
    clock.advance(days=2)
    assert "deadlines_lagging" not in status(service).problems()
    assert "deadlines_lagging" not in _kinds(service)


def test_notices_given_up_raise_an_alarm_and_the_verify_still_holds(
    settings: Settings, engine: Engine, clock: FakeClock
) -> None:
    service = _telling(settings, engine, clock)
    practice_alert(service)
    clock.advance(hours=2)  # the notices were due to go long ago, and nothing sent them
    assert "notices_overdue" in _kinds(service)
    assert service.verify_all().ok  # an alarm is owed by no entry, and breaks nothing


def test_a_checkpoint_over_two_days_old_is_a_trouble_shown_and_alarmed(
    settings: Settings, engine: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    folder = tmp_path / "checkpoints"
    audit = dataclasses.replace(signed(settings, tmp_path / "keys").audit, checkpoint_folder=folder)
    told = dataclasses.replace(
        settings.notifications, email=EmailSettings(host="127.0.0.1", port=9, starttls=False)
    )
    service = EscalationService(
        dataclasses.replace(settings, audit=audit, notifications=told), engine, clock
    )
    service.anchoring.record_installation(training=False, now=clock.now())
    practice_alert(service)
    service.anchoring.checkpoint()
    assert not status(service).checkpoint_overdue
    clock.advance(days=3)
    late = status(service)
    assert late.checkpoint_overdue
    assert late.problems()["checkpoint_overdue"] == 1
    lines = [said for problem, said in status_lines(late.as_dict()) if problem]
    assert any("over two days old" in said for said in lines)
    assert "checkpoint_overdue" in _kinds(service)
