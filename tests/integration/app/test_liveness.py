"""The engine watches itself: deadlines passed with no engine move (a lagging worker) and
notices failing or overdue make ``status`` unhealthy, and ``/health``'s problems say how many."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from escalation_engine.app.health import status
from escalation_engine.app.oversight import status_lines
from escalation_engine.clock import FakeClock
from escalation_engine.service import EscalationService, outbox
from escalation_engine.settings.config import EmailSettings, Settings
from escalation_engine.store import notifications
from tests.support.scenarios import practice_alert, signed


def _notifying(settings: Settings, engine: Engine, clock: FakeClock) -> EscalationService:
    told = dataclasses.replace(
        settings.notifications, webhook_url="http://127.0.0.1:9/hook", max_attempts=2
    )
    return EscalationService(dataclasses.replace(settings, notifications=told), engine, clock)


def test_a_deadline_passed_some_sweeps_ago_with_no_engine_move_is_worker_lag(
    service: EscalationService, clock: FakeClock
) -> None:
    esc = practice_alert(service)
    assert esc.remind_at is not None
    clock.set(esc.remind_at + timedelta(seconds=30))
    assert status(service).lagging == 0  # due, but within a few sweeps
    clock.set(esc.remind_at + timedelta(hours=1))
    lagging = status(service)
    assert lagging.lagging == 1
    assert not lagging.healthy
    assert lagging.problems()["deadlines_lagging"] == 1
    service.tick()
    assert status(service).lagging == 0


def test_notices_overdue_retrying_and_given_up_are_each_counted(
    settings: Settings, engine: Engine, clock: FakeClock
) -> None:
    notifying = _notifying(settings, engine, clock)
    practice_alert(notifying)
    assert status(notifying).notices == {"given_up": 0, "retrying": 0, "overdue": 0, "held_back": 0}
    clock.advance(hours=1)
    overdue = status(notifying).notices["overdue"]
    assert overdue > 0
    claimed = outbox.claim_due(engine, clock.now(), batch=1)[0]
    outbox.settle(engine, notifying.settings, claimed, clock.now(), "connection refused", None)
    assert status(notifying).notices["retrying"] == 1
    clock.advance(hours=2)
    again = next(c for c in outbox.claim_due(engine, clock.now()) if c.id == claimed.id)
    outbox.settle(engine, notifying.settings, again, clock.now(), "connection refused", None)
    trouble = status(notifying)
    assert trouble.notices["given_up"] == 1
    assert trouble.problems()["notices_given_up"] == 1
    assert not trouble.healthy


def test_a_notice_held_back_further_than_any_retry_is_counted(
    settings: Settings, engine: Engine, clock: FakeClock
) -> None:
    notifying = _notifying(settings, engine, clock)
    practice_alert(notifying)
    with engine.begin() as connection:  # as someone with the application's database role may
        connection.execute(
            text("UPDATE notification SET next_attempt_at = :later WHERE id = (SELECT MIN(id)"
                 " FROM notification)"), {"later": clock.now() + timedelta(days=365)},
        )  # fmt: skip
    held = status(notifying)
    assert held.notices["held_back"] == 1
    assert held.problems()["notices_held_back"] == 1
    assert any("held back" in said for bad, said in status_lines(held.as_dict()) if bad)
    # What the worker does as it looks: the notice is due now, and goes with the next sweep.
    furthest = notifying.anchoring.furthest_due
    assert notifications.release_held(engine, clock.now(), furthest) == 1
    assert status(notifying).notices["held_back"] == 0
    assert outbox.claim_due(engine, clock.now())  # due again


def test_checkpoints_kept_in_the_service_folder_are_said_to_roll_back_with_it(
    settings: Settings, engine: Engine, clock: FakeClock, tmp_path_factory: pytest.TempPathFactory
) -> None:
    keyed = signed(settings, settings.path.parent / "keys")
    elsewhere = tmp_path_factory.mktemp("auditors")  # outside the service's folder
    for folder, beside in ((settings.path.parent / "checkpoints", True), (elsewhere, False)):
        audit = dataclasses.replace(keyed.audit, checkpoint_folder=folder)
        service = EscalationService(dataclasses.replace(keyed, audit=audit), engine, clock)
        practice_alert(service, case_refs=[f"CLA-{100 + beside}"])
        service.anchoring.checkpoint(folder)
        report = status(service)
        assert report.checkpoints_beside_database is beside
        assert report.checkpoint_at == clock.now()
        said = " ".join(text for _, text in status_lines(report.as_dict()))
        assert ("kept beside the database" in said) is beside


def test_checkpoints_beside_the_database_are_not_the_only_ones_when_copies_go_out(
    settings: Settings, engine: Engine, clock: FakeClock
) -> None:
    keyed = signed(settings, settings.path.parent / "keys")
    inside = dataclasses.replace(
        keyed.audit, checkpoint_folder=settings.path.parent / "checkpoints"
    )
    syslogged = dataclasses.replace(inside, checkpoint_syslog="udp://127.0.0.1:514")
    email = EmailSettings(host="127.0.0.1", port=9, starttls=False)
    mailed = dataclasses.replace(keyed.notifications, email=email)
    assert any("auditor" in p.roles and p.email for p in settings.people.values())
    for changed, beside in (
        ({"audit": inside}, True),
        ({"audit": syslogged}, False),  # a syslog server that only appends
        ({"audit": inside, "notifications": mailed}, False),  # emailed to the auditors
    ):
        service = EscalationService(dataclasses.replace(keyed, **changed), engine, clock)
        assert status(service).checkpoints_beside_database is beside


def test_a_service_that_notifies_nobody_is_not_healthy(
    service: EscalationService, settings: Settings, engine: Engine, clock: FakeClock
) -> None:
    silent = status(service)
    assert not silent.notifying
    assert silent.problems()["notifications_not_configured"] == 1
    assert not silent.healthy
    told = status(_notifying(settings, engine, clock))
    assert "notifications_not_configured" not in told.problems()
