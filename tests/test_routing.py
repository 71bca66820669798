"""Who an escalation is with and who may act on it: the child's team and its line of management,
the team's own stand-in when its managers are away, and the reason recorded in the trail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from escalation_engine import audit
from escalation_engine.clock import FakeClock
from escalation_engine.config import load_settings
from escalation_engine.errors import DefinitionError, PermissionDenied
from escalation_engine.service import EscalationService
from escalation_engine.spec.loader import load_workflow_text

from .test_service import practice_alert

SOUTH = (
    "  - {username: kay, name: Kay Ross, roles: [team_manager], team: south,"
    " email: kay.ross@example.org, manager: lena}\n"
    "  - {username: sol, name: Sol Amin, roles: [duty_manager], team: south,"
    " email: sol.amin@example.org, manager: lena}\n"
    "  - {username: lena, name: Lena Ward, roles: [service_manager], team: south,"
    " email: lena.ward@example.org, manager: helen}\n"
)


def _service(
    project: Path, engine: Engine, clock: FakeClock, *, away: tuple[str, ...] = (), stage: str = ""
) -> EscalationService:
    """config.yaml with team south added and ``away`` marked away; ``stage`` is added to the
    dispute_resolution workflow's first stage."""
    config = project / "config.yaml"
    lines = config.read_text().replace("people:\n", "people:\n" + SOUTH, 1).splitlines()
    for n, line in enumerate(lines):
        if any(f"username: {name}," in line for name in away):
            lines[n] = line.rstrip("}") + ", away: true}"
    config.write_text("\n".join(lines) + "\n")
    if stage:
        path = project / "workflows" / "dispute_resolution.yaml"
        path.write_text(path.read_text().replace("    stand_in: [duty_manager]\n", stage, 1))
    return EscalationService(load_settings(config), engine, clock)


def test_a_team_manager_of_another_team_may_not_respond(
    project: Path, engine: Engine, clock: FakeClock
) -> None:
    service = _service(project, engine, clock)
    esc = practice_alert(service)
    assert esc.with_people == ("ellie", "jo")
    with pytest.raises(PermissionDenied, match="about a child in north; it is with ellie, jo"):
        service.act(esc.reference, "kay", "respond", note="Meeting booked.")
    assert [e.action for e in audit.entries(engine, esc.reference)] == ["raise"]
    assert service.act(esc.reference, "jo", "respond", note="Booked.").status == "responded"


def test_when_the_teams_managers_are_away_it_goes_to_that_teams_duty_manager_and_says_why(
    project: Path, engine: Engine, clock: FakeClock
) -> None:
    service = _service(project, engine, clock, away=("jo", "ellie"))
    esc = practice_alert(service)
    assert esc.with_people == ("dev",)
    raised = json.loads(audit.entries(engine, esc.reference)[0].data)
    assert raised["routed"] == "ellie and jo are away: with dev, duty manager for north"
    with pytest.raises(PermissionDenied, match="it is with dev"):
        service.act(esc.reference, "sol", "respond", note="Covering.")
    assert service.act(esc.reference, "dev", "respond", note="Covering.").status == "responded"


def test_with_no_stand_in_in_the_team_it_goes_to_the_away_managers_own_manager(
    project: Path, engine: Engine, clock: FakeClock
) -> None:
    service = _service(project, engine, clock, away=("kay", "sol"))
    esc = practice_alert(service, team="south")
    assert esc.with_people == ("lena",)
    raised = json.loads(audit.entries(engine, esc.reference)[0].data)
    assert raised["routed"] == "kay is away: with lena, the manager"
    assert service.act(esc.reference, "lena", "respond", note="Booked.").status == "responded"


def test_a_stage_may_reach_the_whole_service(
    project: Path, engine: Engine, clock: FakeClock
) -> None:
    service = _service(project, engine, clock, away=("jo", "ellie"), stage="    scope: service\n")
    esc = practice_alert(service)
    assert esc.with_people == ("kay",)
    assert service.act(esc.reference, "kay", "respond", note="Booked.").status == "responded"


def test_the_iro_manager_watches_through_the_raisers_line(service: EscalationService) -> None:
    esc = practice_alert(service)
    entry = json.loads(audit.entries(service.engine, esc.reference)[0].data)
    assert entry["watchers"] == ["priya"]
    assert entry["with"] == ["ellie", "jo"]
    assert "routed" not in entry


def test_an_unknown_scope_is_refused(project: Path) -> None:
    text = (project / "workflows" / "dispute_resolution.yaml").read_text()
    bad = text.replace("    stand_in: [duty_manager]\n", "    scope: council\n", 1)
    with pytest.raises(DefinitionError, match="scope: 'council': must be team"):
        load_workflow_text(bad)
