"""Separation of duties: nobody answers, judges or closes an alert they raised in another
capacity, and one IRO does not act on another IRO's alert without the role for it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from escalation_engine.clock import FakeClock
from escalation_engine.errors import EscalationNotFound, PermissionDenied
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import load_settings
from escalation_engine.trail import audit
from tests.support.scenarios import practice_alert

KIM = (
    "  - {username: kim, name: Kim Lee, roles: [iro, team_manager], team: north,"
    " email: kim.lee@example.org, manager: mark}\n"
)


def _with(project: Path, engine: Engine, clock: FakeClock, people: str = "", **workflow: str):  # type: ignore[no-untyped-def]
    """A service whose config.yaml lists ``people`` too and whose dispute_resolution workflow
    has ``workflow`` text appended."""
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("people:\n", "people:\n" + people, 1))
    for name, extra in workflow.items():
        path = project / "workflows" / f"{name}.yaml"
        path.write_text(path.read_text() + extra)
    return EscalationService(load_settings(config), engine, clock)


def test_a_raiser_who_is_also_a_team_manager_may_not_respond_to_their_own_alert(
    project: Path, engine: Engine, clock: FakeClock
) -> None:
    service = _with(project, engine, clock, KIM)
    esc = practice_alert(service, username="kim")
    with pytest.raises(PermissionDenied, match="kim\\) raised ESC-2026-0001, so may not respond"):
        service.act(esc.reference, "kim", "respond", note="All in hand.")
    assert [e.action for e in audit.entries(engine, esc.reference)] == ["raise"]
    service.act(esc.reference, "jo", "respond", note="Meeting booked.")
    assert service.act(esc.reference, "kim", "accept", note="Satisfied.").stage == "resolved"


def test_a_raiser_who_is_also_the_second_judge_counts_once(
    service: EscalationService,
) -> None:
    esc = practice_alert(service, username="priya", alert_type="management_alert")
    service.act(esc.reference, "priya", "escalate", note="Needs senior attention.")
    service.act(esc.reference, "ruth", "respond", note="Funding agreed.")
    esc = service.act(esc.reference, "priya", "accept", note="Satisfied.")
    assert esc.stage == "assistant_director"
    assert esc.satisfied == ("raiser",)


@pytest.mark.parametrize(
    ("action", "extra"),
    [("refer_cafcass", {}), ("bypass", {"target": "director", "consulted": "priya"})],
)
def test_another_iro_may_not_act_on_an_alert_they_did_not_raise(
    service: EscalationService, engine: Engine, action: str, extra: dict[str, str]
) -> None:
    esc = practice_alert(service)
    with pytest.raises(EscalationNotFound):  # another IRO's, about another child: not there
        service.act(esc.reference, "tom", action, note="Serious risk.", **extra)
    practice_alert(service, username="tom")  # the same child: now on his caseload, he reads it
    with pytest.raises(PermissionDenied, match="aisha raised it") as refused:
        service.act(esc.reference, "tom", action, note="Serious risk.", **extra)
    assert "or reallocating it to tom first" in str(refused.value)
    assert [e.action for e in audit.entries(engine, esc.reference)] == ["raise"]


def test_the_iro_manager_may_act_on_another_iros_alert_and_reallocation_hands_it_over(
    service: EscalationService,
) -> None:
    esc = practice_alert(service)
    esc = service.act(esc.reference, "priya", "refer_cafcass", note="Rights at risk.")
    assert esc.cafcass_referred_at is not None
    other = practice_alert(service, case_refs=["CLA-100999"])
    service.act(other.reference, "priya", "reallocate", target="tom", note="Aisha has left.")
    moved = service.act(
        other.reference, "tom", "bypass", target="director", note="Serious.", consulted="priya"
    )
    assert moved.stage == "director"


def test_another_iro_may_not_rate_green_and_close_an_alert(service: EscalationService) -> None:
    esc = service.raise_alert(
        username="aisha", workflow="rag_rating", alert_type="rag_concern", rating="red",
        case_refs=["CLA-100452"], category="health_assessment", summary="Health assessment overdue.",
    )  # fmt: skip
    with pytest.raises(EscalationNotFound):
        service.act(esc.reference, "tom", "rate", target="green", note="Looks fine.")
    assert service.get(esc.reference).stage == "line_manager"


def test_a_workflow_may_let_peers_act_and_the_raiser_answer_in_another_role(
    project: Path, engine: Engine, clock: FakeClock
) -> None:
    service = _with(
        project, engine, clock, KIM,
        dispute_resolution="\nseparation:\n  raiser_only_as_raiser: false\n  others_alerts: any\n",
    )  # fmt: skip
    esc = practice_alert(service, username="kim")
    assert service.act(esc.reference, "kim", "respond", note="In hand.").status == "responded"
    esc = practice_alert(service, case_refs=["CLA-100777"])
    esc = service.act(esc.reference, "tom", "refer_cafcass", note="Rights at risk.")
    assert esc.stage == "referred_to_cafcass"
