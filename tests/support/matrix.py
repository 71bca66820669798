"""The permission matrix: every action a stage offers, tried by people in every relation to the
alert, each cell decided by the rules as a protocol writes them (here, independently of the
engine's own code) and compared with what the engine does. Allowed cells are taken for real and
rolled back (``dry_run``); refused ones must write nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from escalation_engine.clock import FakeClock
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.machine import machine_for
from escalation_engine.domain.people import Person
from escalation_engine.errors import EscalationError
from escalation_engine.service import EscalationService
from escalation_engine.spec.model import WorkflowSpec
from escalation_engine.trail import audit

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
REACHED = {"respond", "handle", "accept", "reject", "escalate", "extend"}
#: Actions by which a raiser answers, judges or closes their own alert (only as its raiser).
OWN = {"respond", "handle", "accept", "reject", "withdraw", "supersede"}
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
    if action in ("respond", "handle") and person.username in esc.with_people:
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
    if action == "handle":
        return esc.status != "responded"
    if action == "extend":
        return esc.stage_due_at is not None
    return action != "rate" or spec.rag is not None


@dataclass
class Matrix:
    service: EscalationService
    spec: WorkflowSpec
    clock: FakeClock
    cells: int = 0
    #: What to give actions the matrix does not know (an action registered by a test).
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The actions tried at least once.
    tried: set[str] = field(default_factory=set)

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
            # An IRO's alert goes to another IRO; a professional's concern to another professional.
            "reallocate": {"target": "ellie" if self.raiser == "sam" else "zara"},
            "reopen": {"target": None},
            "meeting": {
                "held_on": self.service.calendar.local_day(self.clock.now()),
                "attendees": ("iro",),
                "outcome": "Agreed.",
            },
        }.get(action, self.extra.get(action, {}))

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
                self.tried.add(action)
                if allowed != expected:
                    wrong.append(
                        f"{esc.stage}/{esc.status}: {action} by {name}"
                        f" ({relation(name, esc, people)}): engine {'allowed' if allowed else 'refused'}"
                        f"{' (' + why + ')' if why else ''}, rules say {'allowed' if expected else 'refused'}"
                    )
        assert len(audit.entries(self.service.engine, esc.reference)) == before
        return wrong
