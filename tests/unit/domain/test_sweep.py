"""What the engine applies when something falls due: a timeout moves the escalation on (or, at
the top, records a breach and keeps reminding), the overall limit is noted once, and reminders
go to whoever it is with."""

from __future__ import annotations

from datetime import datetime, timedelta

from escalation_engine.domain import events, sweep
from tests.support import shipped
from tests.support.shipped import LONDON, MONDAY

DRP = shipped.workflow("dispute_resolution")


def _due(esc: object, keeper: object, due_at: datetime, now: datetime | None = None) -> sweep.Due:
    return sweep.Due(keeper, DRP, esc, due_at, now or due_at, now or due_at)  # type: ignore[arg-type]


def test_a_timeout_moves_it_up_with_the_next_clock_from_when_it_was_due() -> None:
    esc, keeper = shipped.entered(DRP)
    due_at = esc.stage_due_at
    assert due_at is not None
    late = due_at + timedelta(days=3)  # the engine was down: it still climbs as it would have
    event, note = sweep.timeout(_due(esc, keeper, due_at, late))
    assert isinstance(event, events.TimedOut)
    assert esc.stage == "service_manager"
    assert esc.stage_entered_at == due_at
    assert esc.stage_due_at == datetime(2026, 1, 19, 17, tzinfo=LONDON)
    assert (
        note == "No satisfactory response within 5 working days at Stage 1: team manager; moved on"
    )
    assert event.data()["due_at"] == due_at.isoformat()
    assert event.data()["applied_at"] == late.isoformat()


def test_a_timeout_at_the_top_records_a_breach_and_reminds_on_the_cadence() -> None:
    esc, keeper = shipped.entered(DRP, stage="director")
    due_at = esc.stage_due_at
    assert due_at is not None
    event, note = sweep.timeout(_due(esc, keeper, due_at))
    assert isinstance(event, events.StageBreached)
    assert (esc.stage, esc.stage_due_at, esc.stage_breached_at) == ("director", None, due_at)
    assert esc.remind_at == due_at + timedelta(days=2)  # two working days (Mon -> Wed)
    assert note.endswith("reminders continue")


def test_the_overall_limit_is_noted_once() -> None:
    esc, keeper = shipped.entered(DRP)
    assert esc.overall_due_at is not None
    event, note = sweep.breach(_due(esc, keeper, esc.overall_due_at))
    assert isinstance(event, events.OverallBreached)
    assert esc.overall_breached_at == esc.overall_due_at
    assert note == "The overall limit of 20 working days has passed"


def test_a_reminder_goes_to_whoever_it_is_with_and_is_not_repeated() -> None:
    esc, keeper = shipped.entered(DRP)
    assert esc.remind_at is not None
    event, note = sweep.remind(_due(esc, keeper, esc.remind_at))
    assert isinstance(event, events.Reminded)
    assert event.to == ("ellie", "jo")
    assert esc.remind_at is None  # ahead of a deadline: once
    assert note == "Stage 1: team manager: a response is awaited from ellie, jo"


def test_a_reminder_due_with_its_deadline_leaves_the_saying_to_the_timeout() -> None:
    esc, keeper = shipped.entered(DRP)
    assert esc.stage_due_at is not None
    event, note = sweep.remind(_due(esc, keeper, esc.stage_due_at))
    assert (event, note) == (None, "")


def test_reminders_on_a_cadence_after_a_long_gap_come_once_with_the_next_one_ahead() -> None:
    esc, keeper = shipped.entered(DRP, stage="director")
    esc.stage_due_at, esc.status = None, "holding"
    esc.remind_at = MONDAY + timedelta(days=2)
    now = MONDAY + timedelta(days=30)
    event, _ = sweep.remind(_due(esc, keeper, esc.remind_at, now))
    assert isinstance(event, events.Reminded)
    assert esc.remind_at is not None
    assert now < esc.remind_at <= now + timedelta(days=4)
