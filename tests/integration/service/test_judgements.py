"""One judgement per judge per response, nothing judged before there is a response, and ratings
that confirm a level leave the escalation where it is."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine

from escalation_engine.clock import FakeClock
from escalation_engine.domain.escalation import Escalation
from escalation_engine.errors import InvalidInput
from escalation_engine.service import EscalationService
from escalation_engine.trail import audit
from tests.support.scenarios import practice_alert
from tests.support.shipped import LONDON


def _unchanged(service: EscalationService, engine: Engine, before: Escalation) -> None:
    after = service.get(before.reference)
    assert (after.version, after.stage, after.status) == (
        before.version,
        before.stage,
        before.status,
    )
    assert len(audit.entries(engine, before.reference)) == before.version + 1


@pytest.mark.parametrize("action", ["accept", "reject"])
def test_judging_before_any_response_is_refused_and_writes_nothing(
    service: EscalationService, engine: Engine, action: str
) -> None:
    esc = practice_alert(service)
    with pytest.raises(InvalidInput, match=f"no response to {action} yet") as refused:
        service.act(esc.reference, "aisha", action, note="Nothing heard.")
    assert "'escalate'" in str(refused.value)
    assert "'withdraw'" in str(refused.value)
    _unchanged(service, engine, service.get(esc.reference))
    assert service.get(esc.reference).stage == "team_manager"


def test_escalating_early_is_still_open_to_the_raiser_without_a_response(
    service: EscalationService,
) -> None:
    esc = practice_alert(service)
    esc = service.act(esc.reference, "aisha", "escalate", note="Placement at risk this week.")
    assert esc.stage == "service_manager"


def test_a_judge_who_accepted_is_no_longer_awaited_and_may_not_accept_again(
    service: EscalationService, engine: Engine, clock: FakeClock
) -> None:
    esc = practice_alert(service, alert_type="management_alert")
    service.act(esc.reference, "aisha", "escalate", note="Needs senior attention.")
    esc = service.act(esc.reference, "ruth", "respond", note="Funding agreed.")
    assert "aisha" in esc.with_people
    esc = service.act(esc.reference, "aisha", "accept", note="Satisfied.")
    assert esc.stage == "assistant_director"
    assert "aisha" not in esc.with_people
    assert esc.with_roles == ("iro_manager",)
    with pytest.raises(InvalidInput, match="already accepted this response") as refused:
        service.act(esc.reference, "aisha", "accept", note="Satisfied, again.")
    assert "iro manager" in str(refused.value)
    with pytest.raises(InvalidInput, match="already accepted this response"):
        service.act(esc.reference, "aisha", "reject", note="Changed my mind.")
    _unchanged(service, engine, esc)
    # The cadence reminder that follows goes to the judge still awaited, not to her.
    clock.set(datetime(2026, 2, 27, 12, tzinfo=LONDON))
    reminders = [r for r in audit.entries(engine, esc.reference) if r.action == "reminder"]
    service.tick()
    later = [r for r in audit.entries(engine, esc.reference) if r.action == "reminder"]
    assert len(later) > len(reminders)
    assert all("aisha" not in r.data for r in later[len(reminders) :])


def _rag(service: EscalationService, rating: str) -> Escalation:
    return service.raise_alert(
        username="aisha", workflow="rag_rating", alert_type="rag_concern", rating=rating,
        case_refs=["CLA-100452"], category="health_assessment", summary="Health assessment overdue.",
    )  # fmt: skip


def test_confirming_red_after_it_climbed_keeps_the_tier_and_its_deadline(
    service: EscalationService,
) -> None:
    esc = _rag(service, "red")
    service.act(esc.reference, "jo", "respond", note="Assessment booked for March.")
    esc = service.act(esc.reference, "aisha", "reject", note="March is too late.")
    assert esc.stage == "service_manager"
    esc = service.act(esc.reference, "aisha", "rate", target="red", note="Still red.")
    assert esc.stage == "service_manager"
    assert esc.rag == "red"
    assert esc.stage_due_at is not None


def test_a_worse_rating_climbs_only_to_a_tier_above_where_it_is(
    service: EscalationService, clock: FakeClock
) -> None:
    esc = _rag(service, "amber")
    assert esc.stage == "monitoring"
    esc = service.act(esc.reference, "aisha", "rate", target="red", note="Now serious.")
    assert esc.stage == "line_manager"
    amber = _rag(service, "amber")
    service.act(amber.reference, "sam", "respond", note="Working on it.")
    amber = service.act(amber.reference, "aisha", "reject", note="Not enough.")
    service.act(amber.reference, "jo", "respond", note="Booked.")
    amber = service.act(amber.reference, "aisha", "reject", note="Too late.")
    assert amber.stage == "service_manager"
    amber = service.act(amber.reference, "aisha", "rate", target="red", note="Red now.")
    assert amber.stage == "service_manager"


def test_a_better_rating_steps_down_as_the_workflow_says(service: EscalationService) -> None:
    esc = _rag(service, "red")
    service.act(esc.reference, "jo", "respond", note="Booked.")
    esc = service.act(esc.reference, "aisha", "reject", note="Too late.")
    assert esc.stage == "service_manager"
    esc = service.act(esc.reference, "aisha", "rate", target="amber", note="Assessment done.")
    assert esc.stage == "monitoring"
