"""Services in the states the tests start from: an alert raised, a service that signs its trail,
a service with a second team (south)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import Engine

from escalation_engine.clock import FakeClock
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.people import Person
from escalation_engine.service import EscalationService
from escalation_engine.settings import keys
from escalation_engine.settings.config import AuditSettings, Settings, load_settings


def practice_alert(service: EscalationService, **overrides: object) -> Escalation:
    fields: dict[str, object] = {
        "username": "aisha", "workflow": "dispute_resolution", "alert_type": "practice_alert",
        "case_refs": ["CLA-100234"], "category": "drift_and_delay", "team": "north",
        "summary": "No permanence plan four months after the second review.",
    }  # fmt: skip
    fields.update(overrides)
    return service.raise_alert(**fields)  # type: ignore[arg-type]


def signed(settings: Settings, folder: Path) -> Settings:
    """``settings`` with a new key pair in ``folder``, as ``escalate init`` makes one."""
    key_file, public = keys.write_key_pair(folder)
    audit_settings = AuditSettings(public_key=public, signing_key_file=key_file)
    return dataclasses.replace(settings, audit=audit_settings)


KIM = Person(
    username="kim", name="Kim Doyle", roles=("team_manager",), team="south", manager="mark"
)


@pytest.fixture
def svc(settings: Settings, engine: Engine, clock: FakeClock) -> EscalationService:
    with_south = dataclasses.replace(settings, people=settings.people | {"kim": KIM})
    return EscalationService(with_south, engine, clock)


SOUTH = (
    "  - {username: kay, name: Kay Ross, roles: [team_manager], team: south,"
    " email: kay.ross@example.org, manager: lena}\n"
    "  - {username: sol, name: Sol Amin, roles: [duty_manager], team: south,"
    " email: sol.amin@example.org, manager: lena}\n"
    "  - {username: lena, name: Lena Ward, roles: [service_manager], team: south,"
    " email: lena.ward@example.org, manager: helen}\n"
)


def with_team_south(
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
