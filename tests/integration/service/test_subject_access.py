"""A child's subject-access export, and the retention plan: every escalation about the case and every entry of each,
nothing about any other child, who looked, the export itself recorded; for the data protection
officer alone, and a refusal writes nothing."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select

from escalation_engine.app import operations
from escalation_engine.clock import FakeClock
from escalation_engine.domain.calendar import LONDON
from escalation_engine.errors import InvalidInput, PermissionDenied
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import Settings
from escalation_engine.settings.retention import Retention
from escalation_engine.store.tables import AccessRow, AuditRow
from tests.support.scenarios import practice_alert

CHILD, SIBLING, STRANGER = "CLA-100001", "CLA-100002", "CLA-200001"


def _export(service: EscalationService, who: str = "dana", **params: str) -> dict[str, object]:
    return operations.run(service, who, "subject_access", {"case": CHILD.lower()}, params)  # type: ignore[no-any-return]


def _written(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        looks = connection.execute(select(func.count()).select_from(AccessRow)).scalar_one()
        entries = connection.execute(select(func.count()).select_from(AuditRow)).scalar_one()
    return looks, entries


@pytest.fixture
def case(service: EscalationService) -> list[str]:
    """Two escalations about the child (one also about a sibling) and one about another child."""
    alone = practice_alert(service, case_refs=[CHILD]).reference
    service.act(alone, "jo", "respond", note="Social worker allocated.")
    service.act(alone, "aisha", "accept", note="Satisfied.")
    both = practice_alert(service, case_refs=[CHILD, SIBLING], category="contact").reference
    practice_alert(service, case_refs=[STRANGER], summary="About someone else entirely.")
    service.view(both, "jo", "show")
    return [alone, both]


def test_the_export_holds_every_entry_about_the_case_and_nothing_about_another_child(
    service: EscalationService, engine: Engine, case: list[str]
) -> None:
    export = _export(service)
    escalations = export["escalations"]
    assert isinstance(escalations, list)
    assert [e["reference"] for e in escalations] == case
    for one in escalations:
        trail = service.trail(one["reference"])
        assert [step["note"] for step in one["timeline"]] == [row.note for row in trail]
    assert [e["other_children"] for e in escalations] == [0, 1]
    written = json.dumps(export)
    for elsewhere in (SIBLING, STRANGER, "someone else entirely"):
        assert elsewhere not in written
    assert escalations[1]["looks"] == [
        {"when": escalations[1]["looks"][0]["when"], "who": "Jo Bennett", "how": "Opened its page"}
    ]
    looks = list(service.viewing.access_log("amir", viewer="dana"))
    assert [(look.view, look.references) for look in looks] == [("subject_access", tuple(case))]


def test_people_can_be_named_by_their_role_instead(
    service: EscalationService, case: list[str]
) -> None:
    written = json.dumps(_export(service, names="roles"))
    for name in ("Jo Bennett", "Aisha Khan", "Ellie Ward", "jo", "aisha"):
        assert f'"{name}' not in written
        assert f", {name}" not in written
    assert '"who": "Team manager"' in written
    assert '"raised_by": "IRO"' in written


@pytest.mark.parametrize(
    ("who", "params", "error", "named"),
    [
        ("amir", {}, PermissionDenied, "data protection officer role"),
        ("priya", {}, PermissionDenied, "data_protection_officer"),
        ("dana", {"names": "initials"}, InvalidInput, "people .* or roles"),
    ],
)  # fmt: skip
def test_a_refused_export_writes_nothing(
    service: EscalationService, engine: Engine, case: list[str], who: str,
    params: dict[str, str], error: type[Exception], named: str,
) -> None:  # fmt: skip
    before = _written(engine)
    with pytest.raises(error, match=named):
        _export(service, who, **params)
    assert _written(engine) == before


def test_an_unknown_case_is_named_and_nothing_is_written(
    service: EscalationService, engine: Engine, case: list[str]
) -> None:
    before = _written(engine)
    with pytest.raises(InvalidInput, match="No escalation is about case CLA-100009"):
        operations.run(service, "dana", "subject_access", {"case": "CLA-100009"}, {})
    assert _written(engine) == before


def test_the_retention_plan_lists_closed_escalations_by_the_day_their_text_falls_due(
    settings: Settings, engine: Engine, clock: FakeClock
) -> None:
    schedule = Retention(years=10, categories={"contact": 30})
    service = EscalationService(dataclasses.replace(settings, retention=schedule), engine, clock)
    clock.set(datetime(2024, 2, 29, 10, tzinfo=LONDON))
    closed = practice_alert(service, case_refs=[CHILD]).reference
    service.act(closed, "jo", "respond", note="Allocated.")
    service.act(closed, "aisha", "accept", note="Satisfied.")
    contact = practice_alert(service, case_refs=[SIBLING], category="contact").reference
    service.act(contact, "aisha", "withdraw", note="Resolved at the review.")
    practice_alert(service, case_refs=[STRANGER])  # open: kept while open
    found = operations.run(service, "dana", "retention_plan")
    assert [(d["reference"], d["closed_on"], d["years"], d["remove_on"]) for d in found["due"]] == [
        (closed, "2024-02-29", 10, "2034-02-28"),
        (contact, "2024-02-29", 30, "2054-02-28"),
    ]
    assert operations.run(service, "priya", "retention_plan") == found
    with pytest.raises(PermissionDenied, match="read the retention plan"):
        operations.run(service, "jo", "retention_plan")
