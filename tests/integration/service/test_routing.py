"""Who an escalation is with and who may act on it: the child's team and its line of management,
the team's own stand-in when its managers are away, and the reason recorded in the trail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from escalation_engine.clock import FakeClock
from escalation_engine.errors import EscalationNotFound
from escalation_engine.service import EscalationService
from escalation_engine.trail import audit
from tests.support.scenarios import practice_alert, with_team_south


def test_a_team_manager_of_another_team_may_not_respond(
    project: Path, engine: Engine, clock: FakeClock
) -> None:
    service = with_team_south(project, engine, clock)
    esc = practice_alert(service)
    assert esc.with_people == ("ellie", "jo")
    with pytest.raises(EscalationNotFound):  # another team's: it reads as not there
        service.act(esc.reference, "kay", "respond", note="Meeting booked.")
    assert [e.action for e in audit.entries(engine, esc.reference)] == ["raise"]
    assert service.act(esc.reference, "jo", "respond", note="Booked.").status == "responded"


def test_when_the_teams_managers_are_away_it_goes_to_that_teams_duty_manager_and_says_why(
    project: Path, engine: Engine, clock: FakeClock
) -> None:
    service = with_team_south(project, engine, clock, away=("jo", "ellie"))
    esc = practice_alert(service)
    assert esc.with_people == ("dev",)
    raised = json.loads(audit.entries(engine, esc.reference)[0].data)
    assert raised["routed"] == "ellie and jo are away: with dev, duty manager for north"
    # South's duty manager stands in for south, not north: it is not routed to them.
    with pytest.raises(EscalationNotFound):  # not routed to him: it reads as not there
        service.act(esc.reference, "sol", "respond", note="Covering.")
    assert service.act(esc.reference, "dev", "respond", note="Covering.").status == "responded"


def test_with_no_stand_in_in_the_team_it_goes_to_the_away_managers_own_manager(
    project: Path, engine: Engine, clock: FakeClock
) -> None:
    service = with_team_south(project, engine, clock, away=("kay", "sol"))
    esc = practice_alert(service, team="south")
    assert esc.with_people == ("lena",)
    raised = json.loads(audit.entries(engine, esc.reference)[0].data)
    assert raised["routed"] == "kay is away: with lena, the manager"
    assert service.act(esc.reference, "lena", "respond", note="Booked.").status == "responded"


def test_a_stage_may_reach_the_whole_service(
    project: Path, engine: Engine, clock: FakeClock
) -> None:
    service = with_team_south(
        project, engine, clock, away=("jo", "ellie"), stage="    scope: service\n"
    )
    esc = practice_alert(service)
    assert esc.with_people == ("kay",)
    assert service.act(esc.reference, "kay", "respond", note="Booked.").status == "responded"


def test_the_iro_manager_watches_through_the_raisers_line(service: EscalationService) -> None:
    esc = practice_alert(service)
    entry = json.loads(audit.entries(service.engine, esc.reference)[0].data)
    assert entry["watchers"] == ["priya"]
    assert entry["with"] == ["ellie", "jo"]
    assert "routed" not in entry
