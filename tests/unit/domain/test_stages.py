"""Entering, leaving and routing a stage: the deadline with how it was worked out, the first
reminder, the overall limit, who it is with and who else is told."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from escalation_engine.domain.stages import StageKeeper
from escalation_engine.errors import InvalidInput
from escalation_engine.spec.model import Timescale, WorkflowSpec
from tests.support import shipped
from tests.support.shipped import LONDON, MONDAY

DRP = shipped.workflow("dispute_resolution")


def test_entering_a_stage_sets_its_deadline_reminder_overall_limit_and_people() -> None:
    esc, _ = shipped.entered(DRP)
    assert esc.status == "awaiting_response"
    assert esc.stage_due_at == datetime(2026, 1, 12, 17, tzinfo=LONDON)
    assert esc.remind_at == datetime(2026, 1, 9, 9, tzinfo=LONDON)
    assert esc.overall_due_at == datetime(2026, 2, 2, 17, tzinfo=LONDON)
    assert esc.with_people == ("ellie", "jo")
    assert esc.stages_reached == ("team_manager",)


def test_the_entry_account_says_how_each_deadline_was_worked_out_and_who_is_told() -> None:
    keeper = StageKeeper(shipped.calendar(), shipped.settings().people)
    esc = shipped.escalation(DRP)
    entered = keeper.enter(DRP, esc, MONDAY)
    data = entered.data()
    assert data["with"] == ["ellie", "jo"]
    assert data["stage_due"]["due"] == "2026-01-12T17:00:00+00:00"
    assert data["overall_due"]["due"] == "2026-02-02T17:00:00+00:00"
    assert data["copy"] == ["sam"]  # the social worker
    assert data["watchers"] == ["priya"]  # the IRO manager
    assert data["raisers_manager"] == ["priya"]  # aisha's manager, as the stage says
    assert "routed" not in data


def test_the_overall_limit_starts_once_and_is_kept_on_moving_up() -> None:
    esc, keeper = shipped.entered(DRP)
    first_limit = esc.overall_due_at
    esc.stage = "service_manager"
    keeper.enter(DRP, esc, MONDAY + timedelta(days=7))
    assert esc.overall_due_at == first_limit
    assert esc.stages_reached == ("team_manager", "service_manager")


def test_a_stage_whose_responders_are_all_away_goes_to_its_stand_in_saying_why() -> None:
    people = shipped.people(jo={"away": True}, ellie={"away": True})
    esc, _ = shipped.entered(DRP, people=people)
    assert esc.with_people == ("dev",)
    assert esc.with_roles == ("duty_manager",)


def test_closing_clears_the_clocks_and_the_people_and_keeps_where_it_closed_from() -> None:
    esc, keeper = shipped.entered(DRP)
    esc.stage = "resolved"
    keeper.close(esc, "team_manager", MONDAY + timedelta(days=1))
    assert (esc.outcome, esc.last_stage, esc.status) == ("resolved", "team_manager", "closed")
    assert esc.stage_due_at is None
    assert esc.remind_at is None
    assert esc.with_people == ()
    assert esc.with_roles == ()
    assert esc.overall_due_at is not None  # kept, should it be reopened


def _raiser_sets(maximum: Timescale | None) -> WorkflowSpec:
    stage = replace(
        DRP.stage("team_manager"), clock=Timescale(kind="set_by_raiser", maximum=maximum)
    )
    return replace(DRP, stages=(stage, *DRP.stages[1:]))


def test_a_deadline_the_raiser_sets_is_needed_unless_the_stage_has_a_longest() -> None:
    keeper = StageKeeper(shipped.calendar(), shipped.settings().people)
    unbounded = _raiser_sets(None)
    with pytest.raises(InvalidInput, match="timescale the raiser sets"):
        keeper.enter(unbounded, shipped.escalation(unbounded), MONDAY)
    esc = shipped.escalation(unbounded)
    keeper.enter(unbounded, esc, MONDAY, due=date(2026, 1, 7))
    assert esc.stage_due_at == datetime(2026, 1, 7, 17, tzinfo=LONDON)
    bounded = _raiser_sets(Timescale(kind="working_days", amount=3))
    esc = shipped.escalation(bounded)
    keeper.enter(bounded, esc, MONDAY)  # none given: the longest the stage allows
    assert esc.stage_due_at == datetime(2026, 1, 8, 17, tzinfo=LONDON)


def test_preparing_tells_the_escalation_who_must_be_satisfied() -> None:
    keeper = StageKeeper(shipped.calendar(), shipped.settings().people)
    esc = shipped.escalation(DRP, stage="assistant_director")
    keeper.prepare(DRP, esc)
    assert esc.required_satisfied == ("raiser", "iro_manager")
    assert esc.satisfied_mode == "all_of"
