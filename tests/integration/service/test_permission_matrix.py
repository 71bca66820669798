"""The permission matrix, generated from the shipped workflows: every action a stage offers, at
every stage, awaiting a response and responded to, with the team's managers present, away and
back again (the stand-in covering, then not), tried by people in every relation to the alert (its raiser, another IRO, the IRO manager, the
child's team, its line of management, another team, someone away, the stand-in), on both
databases. Each cell is decided by the rules as written in ``tests/support/matrix.py``,
independently of the engine's own code, and the engine must agree: allowed cells are taken for
real and rolled back (``dry_run``), refused ones are refused and write nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from escalation_engine.clock import FakeClock
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.people import Person
from escalation_engine.errors import EscalationError
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import load_settings
from escalation_engine.spec.loader import load_workflow
from escalation_engine.trail import audit
from tests.support.matrix import ACTORS, ALERT, EXTRA_PEOPLE, Matrix, permitted
from tests.support.shipped import MONDAY, ROOT


@pytest.fixture
def people_project(project: Path) -> Path:
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("people:\n", "people:\n" + EXTRA_PEOPLE, 1))
    return project


@pytest.mark.slow
@pytest.mark.parametrize("workflow", sorted(ALERT))
def test_every_cell_of_the_permission_matrix(
    workflow: str, people_project: Path, engine: Engine, clock: FakeClock
) -> None:
    service = EscalationService(load_settings(people_project / "config.yaml"), engine, clock)
    matrix = Matrix(service, service.workflow(workflow), clock)
    wrong: list[str] = []
    for stage in matrix.spec.stages:
        esc = matrix.at(stage.name)
        wrong += matrix.check(esc)
        responder = esc.with_people[0]
        wrong += matrix.check(service.act(esc.reference, responder, "respond", note="Done."))
        if stage.stand_in:
            away = matrix.at(stage.name)
            for name in ("ellie", "jo", "ivy"):
                service.mark("mark", name, away=True)
            covered = service.get(away.reference)
            if set(away.with_people) <= {"ellie", "jo", "ivy"}:  # all of them away
                assert "dev" in covered.with_people  # the duty manager stands in
            wrong += matrix.check(covered)
            for name in ("ellie", "jo", "ivy"):
                service.mark("mark", name, away=False)
            # Back from absence: the stand-in covered and no longer does (nobody is away).
            back = service.get(away.reference)
            assert "dev" not in back.with_people
            wrong += matrix.check(back)
    closed = matrix.raise_one()
    wrong += matrix.check(service.act(closed.reference, matrix.raiser, "withdraw", note="Closing."))
    for alert in matrix.spec.alert_types:
        for name in ACTORS:
            may = bool(set(service.settings.people[name].roles) & set(alert.raised_by))
            try:
                matrix.raise_one(username=name, alert_type=alert.name)
                raised = True
            except EscalationError:
                raised = False
            if raised != may:
                wrong.append(f"raise {alert.name} by {name}: engine {raised}, rules {may}")
    assert wrong == []
    assert matrix.cells > 200
    assert audit.verify(engine).ok


def test_the_rules_above_can_refuse() -> None:
    # An oracle that allowed everything would pass the matrix whatever the engine did.
    settings = load_settings(ROOT / "config.yaml")
    spec = load_workflow(ROOT / "workflows" / "dispute_resolution.yaml")
    esc = Escalation(
        reference="ESC-2026-0001", workflow=spec.name, workflow_digest=spec.digest,
        alert_type="practice_alert", category="placement", case_refs=("CLA-100234",), summary="x",
        team="north", looked_after=True, raised_by="aisha", raised_at=MONDAY,
        stage="team_manager", with_roles=("team_manager",), with_people=("jo",),
    )  # fmt: skip
    outsider = Person(username="kay", name="Kay", roles=("team_manager",), team="south")
    assert not permitted(spec, "respond", outsider, esc)
    assert not permitted(spec, "bypass", settings.people["tom"], esc)
    assert not permitted(spec, "respond", settings.people["aisha"], esc)
    assert permitted(spec, "respond", settings.people["jo"], esc)
