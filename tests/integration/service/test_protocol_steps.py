"""The steps councils' protocols write down, each written in YAML (the shipped example
``examples/workflows/council_protocol.yaml`` and the seeds) and run: addressees who are told but
do not respond, the raiser's choice to tell their own manager, clocks in months, ratings by their
printed labels, and plain, true descriptions and diagrams of every stage."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from escalation_engine.app import sentences
from escalation_engine.clock import FakeClock
from escalation_engine.domain.events import Told
from escalation_engine.errors import EscalationNotFound, InvalidInput, PermissionDenied
from escalation_engine.service import EscalationService, outbox
from escalation_engine.settings.config import load_settings
from escalation_engine.trail import audit
from tests.support.shipped import LONDON, ROOT

EXAMPLE = ROOT / "examples" / "workflows" / "council_protocol.yaml"


@pytest.fixture
def council(project: Path, engine: Engine, clock: FakeClock) -> EscalationService:
    shutil.copy(EXAMPLE, project / "workflows")
    return EscalationService(load_settings(project / "config.yaml"), engine, clock)


def _alert(service: EscalationService, **extra: object) -> str:
    fields: dict[str, object] = {
        "username": "aisha", "workflow": "council_protocol", "alert_type": "practice_alert",
        "case_refs": ["CLA-100234"], "category": "drift_and_delay", "team": "north",
        "summary": "No permanence plan.", **extra,
    }  # fmt: skip
    return service.raise_alert(**fields).reference  # type: ignore[arg-type]


def _data(engine: Engine, reference: str, index: int = -1) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(audit.entries(engine, reference)[index].data)
    return loaded


def test_an_alert_addressed_to_several_is_answered_by_the_responder_only(
    council: EscalationService, engine: Engine
) -> None:
    reference = _alert(council)
    raised = _data(engine, reference)
    assert (raised["with"], raised["addressed"]) == (["jo"], ["ellie", "sam"])
    told = Told(addressed=("ellie", "sam"), watchers=("priya",))
    entry = audit.entries(engine, reference)[0]
    assert {"ellie", "sam", "jo"} <= set(outbox.recipients(council.settings, council.get(reference), entry, told))  # type: ignore[arg-type]  # fmt: skip
    with pytest.raises(PermissionDenied, match="may not respond"):
        council.act(reference, "sam", "respond", note="Seen.")
    assert council.act(reference, "jo", "respond", note="Booked.").status == "responded"


def test_the_raiser_may_choose_to_tell_their_own_manager_where_the_alert_type_allows(
    council: EscalationService, engine: Engine
) -> None:
    told = _alert(council, tell_my_manager=True)
    assert _data(engine, told)["raisers_manager"] == ["priya"]
    assert "raisers_manager" not in _data(engine, _alert(council))
    with pytest.raises(InvalidInput, match="does not let the raiser choose to tell their manager"):
        council.raise_alert(
            username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
            case_refs=["CLA-100234"], category="placement", team="north", summary="x",
            tell_my_manager=True,
        )  # fmt: skip
    assert len(council.all()) == 2


@pytest.mark.parametrize(
    ("last_review", "due"),
    [(date(2026, 1, 5), date(2026, 4, 5)), (date(2025, 11, 30), date(2026, 2, 28))],
)
def test_a_review_timescale_runs_in_months(
    council: EscalationService, last_review: date, due: date
) -> None:
    esc = council.get(
        _alert(council, alert_type="review_drift", dates={"last_review": last_review})
    )
    assert esc.stage_due_at == datetime(due.year, due.month, due.day, 17, tzinfo=LONDON)
    stage = council.workflow("council_protocol").stage("review_due")
    assert stage.clock.describe() == "3 months"


def test_a_stage_with_no_clock_is_described_as_it_is(council: EscalationService) -> None:
    words = council.settings.words
    spec = council.workflow("council_protocol")
    assert sentences.stage_sentence(spec, spec.stage("head_of_service"), words) == (
        "no time limit: it waits for a response, with reminders every 5 working days"
    )
    top = council.workflow("dispute_resolution")
    assert sentences.stage_sentence(top, top.stage("director"), words).endswith(
        "the deadline is recorded as breached and reminders continue every 2 working days"
    )
    assert "breach + reminders" not in sentences.mermaid(spec)


def test_the_diagram_shows_who_judges_is_copied_watches_and_may_escalate(
    council: EscalationService,
) -> None:
    diagram = sentences.mermaid(council.workflow("dispute_resolution"))
    assert "judges: raiser and iro manager" in diagram
    assert "copied: social worker" in diagram
    assert "watches: iro manager" in diagram
    assert "may escalate early: raiser" in diagram
    assert "stands in: duty manager" in diagram
    assert 'team_manager -- "satisfied (raiser)" --> resolved' in diagram
    example = sentences.mermaid(council.workflow("council_protocol"))
    assert "addressed to: social worker, assistant team manager" in example


def _responded(service: EscalationService) -> str:
    reference = _alert(service)
    service.act(reference, "jo", "respond", note="We will review the plan.")
    return reference


def test_after_not_satisfied_the_named_role_carries_out_the_escalation(
    council: EscalationService, engine: Engine
) -> None:
    reference = _responded(council)
    rejected = council.act(reference, "aisha", "reject", note="No date for the meeting.")
    assert (rejected.stage, rejected.status, rejected.with_people) == (
        "team_manager", "awaiting_escalation", ("priya",),
    )  # fmt: skip
    assert _data(engine, reference)["escalation_by"] == ["qa_manager"]
    with pytest.raises(InvalidInput, match="waiting for priya to escalate it"):
        council.act(reference, "jo", "respond", note="Another go.")
    with pytest.raises(EscalationNotFound):  # another IRO's, about another child: not his
        council.act(reference, "tom", "escalate", note="Moving it.")
    moved = council.act(reference, "priya", "escalate", note="Escalated to the service manager.")
    assert (moved.stage, moved.status, moved.with_people) == (
        "service_manager", "awaiting_response", ("mark",),
    )  # fmt: skip


def test_an_escalation_nobody_carries_out_is_carried_out_by_the_engine_on_its_clock(
    council: EscalationService, engine: Engine, clock: FakeClock
) -> None:
    reference = _responded(council)
    council.act(reference, "aisha", "reject", note="Not enough.")
    clock.advance(days=1)
    council.tick()
    assert council.get(reference).stage == "team_manager"
    clock.advance(days=1)  # two working days after the rejection, past close of business
    clock.advance(hours=9)
    council.tick()
    moved = council.get(reference)
    assert (moved.stage, moved.with_people) == ("service_manager", ("mark",))
    last = audit.entries(engine, reference)[-1]
    assert (last.action, last.actor_kind) == ("timeout", "engine")
    assert "not carried out by the qa manager within 2 working days" in last.note


def test_without_an_escalation_step_a_rejection_moves_the_alert_at_once(
    council: EscalationService,
) -> None:
    reference = council.raise_alert(
        username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
        case_refs=["CLA-100234"], category="placement", team="north", summary="x",
    ).reference  # fmt: skip
    council.act(reference, "jo", "respond", note="Done.")
    assert council.act(reference, "aisha", "reject", note="No.").stage == "service_manager"


def test_a_dispute_resolution_meeting_is_recorded_with_who_attended_and_what_next(
    council: EscalationService, engine: Engine
) -> None:
    reference = _alert(council)
    held = {
        "held_on": date(2026, 1, 5), "attendees": ("raiser", "team_manager", "qa_manager"),
        "outcome": "Permanence meeting set for 12 January", "next_step": "Jo to confirm the date",
    }  # fmt: skip
    council.act(reference, "priya", "meeting", **held)
    data = _data(engine, reference)
    assert (data["held_on"], data["attendees"], data["next_step"]) == (
        "2026-01-05", ["raiser", "team_manager", "qa_manager"], "Jo to confirm the date",
    )  # fmt: skip
    assert council.get(reference).stage == "team_manager"
    for wrong, problem in (
        (held | {"attendees": ("chair",)}, "chair is not one"),
        (held | {"held_on": date(2026, 1, 6)}, "is not between"),
        (held | {"outcome": " "}, "Say what the meeting decided"),
    ):
        with pytest.raises(InvalidInput, match=problem):
            council.act(reference, "aisha", "meeting", **wrong)
    with pytest.raises(PermissionDenied, match="may not meeting"):
        council.act(reference, "jo", "meeting", **held)
    assert [e.action for e in audit.entries(engine, reference)] == ["raise", "meeting"]


def test_closing_says_why_from_the_workflows_outcome_reasons(
    council: EscalationService, engine: Engine
) -> None:
    reference = _alert(council)
    with pytest.raises(InvalidInput, match="give the reason, one of 'raised_in_error'"):
        council.act(reference, "aisha", "withdraw", note="Wrong child.")
    with pytest.raises(InvalidInput, match="Did you mean 'raised_in_error'"):
        council.act(reference, "aisha", "withdraw", note="Wrong.", reason="raised_in_eror")
    closed = council.act(reference, "aisha", "withdraw", note="Wrong.", reason="raised_in_error")
    assert (closed.outcome, _data(engine, reference)["reason"]) == ("withdrawn", "raised_in_error")
    answered = _responded(council)
    with pytest.raises(InvalidInput, match="is not needed: this action does not close it"):
        council.act(
            answered,
            "aisha",
            "meeting",
            reason="plan_agreed",
            held_on=date(2026, 1, 5),
            attendees=("raiser",),
            outcome="Agreed.",
        )
    assert (
        council.act(answered, "aisha", "accept", note="Good.", reason="plan_agreed").outcome
        == "resolved"
    )


def test_where_the_workflow_lists_no_reasons_none_is_asked_for(council: EscalationService) -> None:
    reference = council.raise_alert(
        username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
        case_refs=["CLA-100234"], category="placement", team="north", summary="x",
    ).reference  # fmt: skip
    with pytest.raises(InvalidInput, match="is not needed"):
        council.act(reference, "aisha", "withdraw", note="x", reason="plan_agreed")
    assert council.act(reference, "aisha", "withdraw", note="x").outcome == "withdrawn"


def test_a_professional_raises_a_concern_with_the_iro_service_and_judges_the_answer(
    council: EscalationService, engine: Engine
) -> None:
    esc = council.raise_alert(
        username="sam", workflow="professional_concern", alert_type="concern",
        case_refs=["CLA-100234"], category="participation", summary="Review record not sent.",
    )  # fmt: skip
    assert (esc.team, esc.stage, esc.with_people) == ("north", "iro_manager", ("priya",))
    assert _data(engine, esc.reference)["addressed"] == ["aisha", "tom"]
    with pytest.raises(EscalationNotFound):  # not with his tier: it reads as not there
        council.act(esc.reference, "jo", "respond", note="Not mine to answer.")
    with pytest.raises(PermissionDenied, match="may not raise"):
        council.raise_alert(
            username="aisha", workflow="professional_concern", alert_type="concern",
            case_refs=["CLA-100234"], category="participation", summary="x",
        )  # fmt: skip
    council.act(esc.reference, "priya", "respond", note="Record sent today.")
    assert council.act(esc.reference, "sam", "accept", note="Received.").outcome == "resolved"


def test_the_timeline_says_what_each_entry_records_beyond_its_note(
    council: EscalationService, engine: Engine
) -> None:
    reference = _responded(council)
    council.act(reference, "aisha", "meeting", held_on=date(2026, 1, 5),
                attendees=("raiser", "team_manager"), outcome="No change",
                next_step="QA to decide")  # fmt: skip
    council.act(reference, "aisha", "reject", note="Not enough.")
    council.act(reference, "aisha", "withdraw", note="Moved.", reason="child_moved_authority")
    spec = council.workflow("council_protocol")
    facts = [
        sentences.entry_facts(e.action, e.data, spec) for e in audit.entries(engine, reference)
    ]
    assert facts[2] == [
        "Meeting held 2026-01-05; attended: raiser, team_manager; decided: No change;"
        " next: QA to decide"
    ]
    assert facts[3] == ["To be escalated by: qa manager"]
    assert facts[4] == ["Reason: Child moved authority"]
