"""The permission matrix, generated from the shipped workflows: every action a stage offers, at
every stage, awaiting a response and responded to, with the team's managers present and away,
tried by people in every relation to the alert (its raiser, another IRO, the IRO manager, the
child's team, its line of management, another team, someone away, the stand-in), on both
databases. Each cell is decided by the rules as written below, independently of the engine's own
code, and the engine must agree: allowed cells are taken for real and rolled back (``dry_run``),
refused ones are refused and write nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from escalation_engine.clock import FakeClock
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.machine import machine_for
from escalation_engine.domain.people import Person
from escalation_engine.errors import EscalationError
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import load_settings
from escalation_engine.spec.loader import load_workflow
from escalation_engine.spec.model import WorkflowSpec
from escalation_engine.trail import audit
from tests.support.shipped import MONDAY, ROOT

EXTRA_PEOPLE = (
    "  - {username: kay, name: Kay Ross, roles: [team_manager], team: south, manager: lena}\n"
    "  - {username: sol, name: Sol Amin, roles: [duty_manager], team: south, manager: lena}\n"
    "  - {username: lena, name: Lena Ward, roles: [service_manager], team: south, manager: helen}\n"
    "  - {username: ivy, name: Ivy Cole, roles: [iro, team_manager], team: north, manager: mark}\n"
    "  - {username: zara, name: Zara Hale, roles: [iro], team: iro_service, manager: priya}\n"
)
#: Everyone an alert about a child in north reaches: north and its line of management, and the
#: raiser's own line (for aisha, the IRO manager; sam's is north's).
NORTH = {"sam", "ellie", "jo", "dev", "mark", "ivy", "helen", "ruth", "david"}
REACH = {"aisha": NORTH | {"aisha", "priya"}, "sam": NORTH}
#: Who tries each cell (zara is only ever the IRO an alert is reallocated to).
ACTORS = ("aisha", "tom", "priya", "ivy", "sam", "ellie", "jo", "dev", "mark", "helen", "ruth",
          "david", "kay", "sol", "lena")  # fmt: skip
#: Stage actions that only people the alert reaches may take in a stage role.
REACHED = {"respond", "accept", "reject", "escalate", "extend"}
#: Actions by which a raiser answers, judges or closes their own alert (only as its raiser).
OWN = {"respond", "accept", "reject", "withdraw", "supersede"}
ALERT = {"dispute_resolution": "practice_alert", "case_alert": "case_alert",
         "rag_rating": "rag_concern", "professional_concern": "concern"}  # fmt: skip
#: Who raises each workflow's alert: an IRO, or (the process run the other way) a social worker.
RAISER = {"professional_concern": "sam"}


def relation(name: str, esc: Escalation, people: dict[str, Person]) -> str:
    person = people[name]
    if name == esc.raised_by:
        return "own alert"
    if "iro_manager" in person.roles:
        return "IRO manager"
    if person.away:
        return "away"
    if "iro" in person.roles and "team_manager" not in person.roles:
        return "another IRO's alert"
    if name in esc.with_people and not set(person.roles) & set(esc.with_roles) - {"duty_manager"}:
        return "stand-in"
    return "own team or line" if name in REACH[esc.raised_by] else "another team"


def permitted(spec: WorkflowSpec, action: str, person: Person, esc: Escalation) -> bool:
    """The rules as the protocol states them."""
    stage = spec.stage(esc.stage) if esc.stage in spec.stage_names else None
    roles = set(spec.roles_for(action, esc.stage))
    if action == "respond" and person.username in esc.with_people:
        roles |= set(esc.with_roles)  # whoever it was routed to may answer it
    filled = roles & set(person.roles)
    if "raiser" in roles and person.username == esc.raised_by:
        filled.add("raiser")
    if not filled:
        return False
    if person.username == esc.raised_by:
        return "raiser" in filled if action in OWN else True
    iro_roles = set(spec.alert_type(esc.alert_type).raised_by)
    others = spec.separation.others_alerts
    if others is not None and filled <= iro_roles and not set(person.roles) & set(others):
        return False  # a peer's alert: reallocate it first
    return not (
        action in REACHED
        and stage is not None
        and stage.scope == "team"
        and person.username not in esc.with_people
        and person.username not in REACH[esc.raised_by]
    )


def possible(spec: WorkflowSpec, action: str, esc: Escalation) -> bool:
    """Whether the escalation's state lets the action be taken by anyone at all."""
    if action == "respond":
        return esc.status not in ("responded", "holding")
    if action in ("accept", "reject"):
        return esc.status in ("responded", "holding")
    if action == "extend":
        return esc.stage_due_at is not None
    return action != "rate" or spec.rag is not None


@dataclass
class Matrix:
    service: EscalationService
    spec: WorkflowSpec
    clock: FakeClock
    cells: int = 0

    @property
    def raiser(self) -> str:
        return RAISER.get(self.spec.name, "aisha")

    def raise_one(self, **extra: object) -> Escalation:
        alert = ALERT[self.spec.name]
        fields: dict[str, object] = {
            "username": self.raiser, "workflow": self.spec.name, "alert_type": alert,
            "case_refs": ["CLA-100234"], "category": "drift_and_delay", "team": "north",
            "summary": "No permanence plan.", **extra,
        }  # fmt: skip
        if self.spec.name == "case_alert":
            fields["dates"] = {"review_date": self.service.calendar.local_day(self.clock.now())}
        return self.service.raise_alert(**fields)  # type: ignore[arg-type]

    def at(self, stage: str) -> Escalation:
        """A fresh alert, moved up by its clocks (or bypassed) to ``stage``."""
        esc = self.raise_one()
        while (
            esc.stage != stage
            and esc.stage_due_at is not None
            and esc.stage in self.spec.stage_names
        ):
            if self.spec.stage(esc.stage).on_timeout is None:
                break
            self.clock.set(esc.stage_due_at + timedelta(minutes=1))
            self.service.tick()
            esc = self.service.get(esc.reference)
        if esc.stage != stage:
            esc = self.service.act(esc.reference, self.raiser, "bypass", target=stage,
                                   consulted="priya", note="To the stage under test")  # fmt: skip
        return esc

    def arguments(self, action: str, esc: Escalation) -> dict[str, object]:
        later = (esc.stage_due_at or self.clock.now()) + timedelta(days=14)
        stages = machine_for(self.spec).targets(esc.stage, action)
        ratings = self.spec.rag.names if self.spec.rag else ()
        return {
            "bypass": {"target": stages[-1] if stages else None, "consulted": "priya"},
            "extend": {"until": self.service.calendar.local_day(later)},
            "rate": {"target": next((r for r in ratings if r != esc.rag), None)},
            "reallocate": {"target": "zara"},
            "reopen": {"target": None},
            "meeting": {
                "held_on": self.service.calendar.local_day(self.clock.now()),
                "attendees": ("iro",),
                "outcome": "Agreed.",
            },
        }.get(action, {})

    def check(self, esc: Escalation) -> list[str]:
        """Every cell at ``esc`` as it stands; the cells where the engine disagrees."""
        people = self.service.people_now()
        before = len(audit.entries(self.service.engine, esc.reference))
        wrong = []
        for action in machine_for(self.spec).allowed_actions(esc.stage):
            for name in ACTORS:
                expected = possible(self.spec, action, esc) and permitted(
                    self.spec, action, people[name], esc
                )
                try:
                    self.service.act(esc.reference, name, action, note="Matrix cell.",
                                     dry_run=True, **self.arguments(action, esc))  # type: ignore[arg-type]  # fmt: skip
                    allowed, why = True, ""
                except EscalationError as exc:
                    allowed, why = False, str(exc)
                self.cells += 1
                if allowed != expected:
                    wrong.append(
                        f"{esc.stage}/{esc.status}: {action} by {name}"
                        f" ({relation(name, esc, people)}): engine {'allowed' if allowed else 'refused'}"
                        f"{' (' + why + ')' if why else ''}, rules say {'allowed' if expected else 'refused'}"
                    )
        assert len(audit.entries(self.service.engine, esc.reference)) == before
        return wrong


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
            wrong += matrix.check(service.get(away.reference))
            for name in ("ellie", "jo", "ivy"):
                service.mark("mark", name, away=False)
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
