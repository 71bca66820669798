"""Scenario tests: every path of the shipped workflows, on a fake clock and a real SQLite file."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import Engine

from escalation_engine.clock import FakeClock
from escalation_engine.domain.filters import Filter
from escalation_engine.errors import (
    ConcurrentUpdate,
    EscalationNotFound,
    InvalidInput,
    PermissionDenied,
    TransitionNotAllowed,
    UnknownUser,
    WorkflowNotFound,
)
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import Settings
from escalation_engine.trail import audit
from tests.support.scenarios import practice_alert
from tests.support.shipped import LONDON


def actions(engine: Engine, reference: str) -> list[str]:
    return [row.action for row in audit.entries(engine, reference)]


def test_raising_sets_stage_deadline_reminder_overall_limit_and_routes_by_team(
    service: EscalationService,
) -> None:
    esc = practice_alert(service)
    assert esc.reference == "ESC-2026-0001"
    assert esc.stage == "team_manager"
    assert esc.stage_due_at == datetime(2026, 1, 12, 17, tzinfo=LONDON)
    assert esc.remind_at == datetime(2026, 1, 9, 9, tzinfo=LONDON)
    assert esc.overall_due_at == datetime(2026, 2, 2, 17, tzinfo=LONDON)
    assert esc.with_people == ("ellie", "jo")
    assert esc.with_roles == ("assistant_team_manager", "team_manager")


def test_references_count_up_within_the_year(service: EscalationService) -> None:
    assert [practice_alert(service).reference for _ in range(3)] == [
        "ESC-2026-0001",
        "ESC-2026-0002",
        "ESC-2026-0003",
    ]


def test_timeout_moves_to_the_next_tier_and_is_audited(
    service: EscalationService, clock: FakeClock, engine: Engine
) -> None:
    esc = practice_alert(service)
    clock.set(datetime(2026, 1, 12, 16, 59, tzinfo=LONDON))
    applied = service.tick().applied
    assert [a.kind for a in applied] == ["reminder"]
    clock.set(datetime(2026, 1, 12, 17, 0, tzinfo=LONDON))
    applied = service.tick().applied
    assert [(a.kind, a.to_stage) for a in applied] == [("timeout", "service_manager")]
    esc = service.get(esc.reference)
    assert esc.stage == "service_manager"
    assert esc.with_people == ("mark",)
    assert esc.stage_due_at == datetime(2026, 1, 19, 17, tzinfo=LONDON)
    entry = audit.entries(engine, esc.reference)[-1]
    assert entry.actor_kind == "engine"
    assert "dispute_resolution v1" in entry.actor
    assert service.tick().applied == []  # idempotent


def test_deadlines_missed_while_nobody_ticked_are_applied_in_order_and_climb_every_tier(
    service: EscalationService, clock: FakeClock, engine: Engine
) -> None:
    esc = practice_alert(service)
    clock.set(datetime(2026, 3, 2, 9, tzinfo=LONDON))
    service.tick()
    esc = service.get(esc.reference)
    assert esc.stage == "director"
    assert esc.overall_breached_at == datetime(2026, 2, 2, 17, tzinfo=LONDON)
    kinds = [a for a in actions(engine, esc.reference) if a != "reminder"]
    assert kinds == ["raise", "timeout", "timeout", "timeout", "stage_breach", "overall_breach"]
    assert esc.remind_at is not None
    assert esc.remind_at > clock.now()


def test_a_response_stops_the_clock_and_the_raiser_accepts_it(
    service: EscalationService, engine: Engine
) -> None:
    esc = practice_alert(service)
    esc = service.act(esc.reference, "jo", "respond", note="Permanence meeting on 20 January.")
    assert esc.status == "responded"
    assert esc.stage_due_at is None
    assert esc.with_people == ("aisha",)
    esc = service.act(esc.reference, "aisha", "accept", note="Satisfied.")
    assert (esc.stage, esc.outcome) == ("resolved", "resolved")
    assert actions(engine, esc.reference) == ["raise", "respond", "accept"]


def test_an_unsatisfactory_response_escalates(service: EscalationService) -> None:
    esc = practice_alert(service)
    service.act(esc.reference, "jo", "respond", note="We will look at it.")
    esc = service.act(esc.reference, "aisha", "reject", note="No date, no named worker.")
    assert esc.stage == "service_manager"


def test_the_raiser_satisfied_but_a_second_judge_not_keeps_it_open(
    service: EscalationService,
) -> None:
    esc = practice_alert(service, alert_type="management_alert")
    service.act(esc.reference, "aisha", "escalate", note="Needs senior attention.")
    service.act(esc.reference, "ruth", "respond", note="Funding agreed.")
    esc = service.act(esc.reference, "aisha", "accept")
    assert esc.stage == "assistant_director"
    assert esc.satisfied == ("raiser",)
    esc = service.act(esc.reference, "priya", "accept", note="Agreed.")
    assert esc.stage == "resolved"


def test_bypass_needs_a_reason_and_the_consulted_iro_manager(
    service: EscalationService, engine: Engine
) -> None:
    esc = practice_alert(service)
    with pytest.raises(InvalidInput, match="name who you consulted") as refused:
        service.act(esc.reference, "aisha", "bypass", target="director", note="Serious risk")
    assert refused.value.given is not None
    assert refused.value.given.option == "--consulted"  # the command line spells it so
    with pytest.raises(InvalidInput, match="Say why"):
        service.act(esc.reference, "aisha", "bypass", target="director", consulted="priya")
    with pytest.raises(InvalidInput, match="is not a iro manager"):
        service.act(esc.reference, "aisha", "bypass", target="director", note="x", consulted="jo")
    esc = service.act(
        esc.reference, "aisha", "bypass", target="director", note="Serious risk", consulted="priya"
    )
    assert esc.stage == "director"
    assert esc.with_people == ("david",)
    bypassed = audit.entries(engine, esc.reference)[-1]
    assert bypassed.action == "bypass"
    assert json.loads(bypassed.data)["consulted"] == "priya"


def test_a_bypass_keeps_the_overall_limit_from_the_original_start(
    service: EscalationService, clock: FakeClock
) -> None:
    esc = practice_alert(service)
    overall = esc.overall_due_at
    clock.advance(days=2)
    esc = service.act(
        esc.reference,
        "aisha",
        "bypass",
        target="assistant_director",
        note="Urgent",
        consulted="priya",
    )
    assert esc.overall_due_at == overall


def test_extension_by_a_named_manager_moves_the_deadline(
    service: EscalationService, engine: Engine
) -> None:
    esc = practice_alert(service)
    with pytest.raises(PermissionDenied, match="may not extend"):
        service.act(esc.reference, "jo", "extend", until=date(2026, 1, 20), note="Court date")
    esc = service.act(
        esc.reference, "priya", "extend", until=date(2026, 1, 20), note="Awaiting the court date"
    )
    assert esc.stage_due_at == datetime(2026, 1, 20, 17, tzinfo=LONDON)
    with pytest.raises(InvalidInput, match="not later than the current deadline"):
        service.act(esc.reference, "priya", "extend", until=date(2026, 1, 19), note="shorter")


def test_holding_response_keeps_the_clock_and_reminds_on_the_follow_up_date(
    service: EscalationService,
) -> None:
    esc = practice_alert(service)
    esc = service.act(
        esc.reference,
        "jo",
        "respond",
        note="Looking into it",
        holding=True,
        follow_up=date(2026, 1, 8),
    )
    assert esc.status == "holding"
    assert esc.stage_due_at == datetime(2026, 1, 12, 17, tzinfo=LONDON)
    assert esc.remind_at == datetime(2026, 1, 8, 17, tzinfo=LONDON)


def test_cafcass_referral_closes_it_and_is_refused_for_a_child_not_looked_after(
    service: EscalationService,
) -> None:
    esc = practice_alert(service)
    esc = service.act(esc.reference, "aisha", "refer_cafcass", note="Human rights at risk")
    assert esc.outcome == "referred_to_cafcass"
    assert esc.cafcass_referred_at is not None
    other = practice_alert(service, looked_after=False)
    with pytest.raises(InvalidInput, match="not looked after"):
        service.act(other.reference, "aisha", "refer_cafcass", note="x")


def test_concurrent_cafcass_referral_keeps_the_internal_process_running(
    service: EscalationService,
) -> None:
    esc = service.raise_alert(
        username="aisha", workflow="case_alert", alert_type="urgent_alert", case_refs=["CLA-1234"],
        category="placement", summary="Placement move without a review.",
    )  # fmt: skip
    esc = service.act(esc.reference, "aisha", "refer_cafcass", note="Concurrent referral")
    assert esc.stage == "stage_1"
    assert esc.cafcass_referred_at is not None
    with pytest.raises(InvalidInput, match="already referred"):
        service.act(esc.reference, "aisha", "refer_cafcass", note="again")


def test_withdraw_then_reopen_keeps_history(service: EscalationService, engine: Engine) -> None:
    esc = practice_alert(service)
    service.act(esc.reference, "jo", "respond", note="Done")
    esc = service.act(esc.reference, "aisha", "withdraw", note="Raised on the wrong record")
    assert esc.outcome == "withdrawn"
    with pytest.raises(TransitionNotAllowed, match="Actions allowed there: reopen"):
        service.act(esc.reference, "aisha", "respond", note="x")
    esc = service.act(esc.reference, "aisha", "reopen", note="It was the right record after all")
    assert esc.stage == "team_manager"
    assert esc.outcome is None
    assert esc.stage_due_at is not None
    assert actions(engine, esc.reference) == ["raise", "respond", "withdraw", "reopen"]


def test_reopen_is_refused_after_the_workflow_window(
    service: EscalationService, clock: FakeClock
) -> None:
    esc = practice_alert(service)
    service.act(esc.reference, "aisha", "withdraw", note="x")
    clock.advance(days=120)
    with pytest.raises(InvalidInput, match="within 90 calendar days"):
        service.act(esc.reference, "aisha", "reopen", note="late")


def test_positive_alert_is_recorded_and_never_escalates(
    service: EscalationService, clock: FakeClock
) -> None:
    esc = practice_alert(service, alert_type="good_practice", summary="Excellent life-story work.")
    assert esc.outcome == "recorded"
    assert esc.next_due_at is None
    clock.advance(days=60)
    assert service.tick().applied == []


def test_red_rating_opens_an_escalation_and_green_resolves_it(
    service: EscalationService, engine: Engine
) -> None:
    esc = service.raise_alert(
        username="aisha", workflow="rag_rating", alert_type="rag_concern", rating="red",
        case_refs=["CLA-100452"], category="health_assessment", summary="Health assessment overdue.",
    )  # fmt: skip
    assert esc.stage == "line_manager"
    assert esc.rag == "red"
    esc = service.act(esc.reference, "aisha", "rate", target="amber", note="Booked")
    assert esc.stage == "monitoring"
    assert esc.rag == "amber"
    esc = service.act(esc.reference, "aisha", "rate", target="green", note="Done")
    assert esc.outcome == "resolved"
    assert esc.rag == "green"
    ratings = [r.data for r in audit.entries(engine, esc.reference) if r.action == "rate"]
    assert '"previous_rating":"red"' in ratings[0].replace(" ", "")


def test_a_green_rating_cannot_open_a_concern_and_good_practice_is_recorded(
    service: EscalationService,
) -> None:
    with pytest.raises(InvalidInput, match=r"A Green rating needs no escalation.*'Red' or 'Amber'"):
        service.raise_alert(
            username="aisha", workflow="rag_rating", alert_type="rag_concern", rating="green",
            case_refs=["CLA-100452"], category="placement", summary="Plan progressing well.",
        )  # fmt: skip
    assert service.all() == []
    esc = service.raise_alert(
        username="aisha", workflow="rag_rating", alert_type="exceptional_practice",
        rating="Green*", case_refs=["CLA-100452"], category="placement", summary="Superb work.",
    )  # fmt: skip
    assert (esc.outcome, esc.rag) == ("recorded", "green_star")


def test_ratings_are_given_by_their_printed_labels(service: EscalationService) -> None:
    esc = service.raise_alert(
        username="aisha", workflow="rag_rating", alert_type="rag_concern", rating="RED",
        case_refs=["CLA-100452"], category="placement", summary="Drift.",
    )  # fmt: skip
    assert (esc.rag, esc.stage) == ("red", "line_manager")
    rated = service.act(esc.reference, "aisha", "rate", target="Amber", note="Better.")
    assert (rated.rag, rated.stage) == ("amber", "monitoring")


def test_clock_from_the_review_date(service: EscalationService) -> None:
    esc = service.raise_alert(
        username="aisha", workflow="case_alert", alert_type="case_alert", case_refs=["CLA-1234"],
        category="pep", summary="PEP missing.", dates={"review_date": date(2026, 1, 2)},
    )  # fmt: skip
    assert esc.stage_due_at == datetime(2026, 1, 9, 17, tzinfo=LONDON)
    with pytest.raises(InvalidInput, match="which was not given: give the review date"):
        service.raise_alert(
            username="aisha", workflow="case_alert", alert_type="case_alert", case_refs=["CLA-1234"],
            category="pep", summary="PEP missing.",
        )  # fmt: skip


def test_stand_in_takes_the_alert_when_every_responder_is_away(project, engine, clock) -> None:  # type: ignore[no-untyped-def]
    from escalation_engine.settings.config import load_settings

    config = project / "config.yaml"
    text = config.read_text()
    text = text.replace(
        "team: north, email: jo.bennett@example.org, manager: mark}",
        "team: north, email: jo.bennett@example.org, manager: mark, away: true}",
    )
    text = text.replace(
        "team: north, email: ellie.ward@example.org, manager: jo}",
        "team: north, email: ellie.ward@example.org, manager: jo, away: true}",
    )
    config.write_text(text)
    service = EscalationService(load_settings(config), engine, clock)
    esc = practice_alert(service)
    assert esc.with_roles == ("duty_manager",)
    assert esc.with_people == ("dev",)
    esc = service.act(esc.reference, "dev", "respond", note="Covering for Jo: meeting booked.")
    assert esc.status == "responded"


def test_running_escalations_keep_their_workflow_version_when_the_file_changes(
    project, settings, engine, clock
) -> None:  # type: ignore[no-untyped-def]
    first = EscalationService(settings, engine, clock)
    old = practice_alert(first)
    path = project / "workflows" / "dispute_resolution.yaml"
    edited = (
        path.read_text()
        .replace("\nversion: 1", "\nversion: 2", 1)
        .replace("clock: {working_days: 5}", "clock: {working_days: 10}", 1)
        .replace("clock: {working_days: 20}", "clock: {working_days: 25}")
    )
    path.write_text(edited)
    second = EscalationService(settings, engine, clock)
    new = practice_alert(second)
    assert new.stage_due_at == datetime(2026, 1, 19, 17, tzinfo=LONDON)
    assert second.get(old.reference).stage_due_at == datetime(2026, 1, 12, 17, tzinfo=LONDON)
    clock.set(datetime(2026, 1, 13, 9, tzinfo=LONDON))
    second.tick()
    assert second.get(old.reference).stage == "service_manager"
    assert second.get(new.reference).stage == "team_manager"
    assert second.spec_for(second.get(old.reference)).version == 1


def test_stale_expected_version_is_refused_and_writes_nothing(
    service: EscalationService, engine: Engine
) -> None:
    esc = practice_alert(service)
    service.act(esc.reference, "jo", "respond", note="First")
    with pytest.raises(ConcurrentUpdate, match="changed while you were looking at it") as stale:
        service.act(esc.reference, "aisha", "accept", expected_version=0)
    said = str(stale.value)
    # What it became, in words: no stage keys, usernames or commands.
    assert "Stage 1: team manager, response in, awaiting judgement" in said
    assert "The last change: responded, by Jo Bennett" in said
    assert "team_manager" not in said
    assert "escalate " not in said
    assert actions(engine, esc.reference) == ["raise", "respond"]


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"workflow": "dispute_resolutoin"}, WorkflowNotFound, "Did you mean 'dispute_resolution'"),
        ({"alert_type": "practise_alert"}, WorkflowNotFound, "Did you mean 'practice_alert'"),
        ({"category": "drift"}, InvalidInput, "Unknown category 'drift'"),
        ({"username": "nobody"}, UnknownUser, "'nobody' is not listed"),
        ({"username": "jo"}, PermissionDenied, "may not raise"),
        ({"case_refs": ["Jane Smith"]}, InvalidInput, "is not a case reference"),
        ({"summary": "  "}, InvalidInput, "summary must not be empty"),
        ({"rating": "red"}, InvalidInput, "has no RAG ratings"),
    ],
    ids=["workflow", "alert-type", "category", "user", "role", "case-ref", "summary", "rating"],
)
def test_bad_raise_is_refused_and_writes_nothing(
    service: EscalationService, engine: Engine, overrides, error, message
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=message):
        practice_alert(service, **overrides)
    assert service.all() == []
    assert audit.entries(engine) == []


def test_unknown_reference_names_the_format(service: EscalationService) -> None:
    with pytest.raises(EscalationNotFound, match="ESC-2026-0042"):
        service.act("ESC-1999-0001", "aisha", "withdraw", note="x")


def test_responder_from_an_earlier_stage_is_told_it_has_moved_on(
    service: EscalationService, clock: FakeClock, engine: Engine
) -> None:
    esc = practice_alert(service)
    clock.set(datetime(2026, 1, 13, 9, tzinfo=LONDON))
    service.tick()
    with pytest.raises(PermissionDenied, match="at stage 'service_manager'"):
        service.act(esc.reference, "jo", "respond", note="Late reply")
    assert actions(engine, esc.reference)[-1] == "timeout"


def test_stage_entry_records_copies_watchers_and_the_raisers_manager(
    service: EscalationService, engine: Engine
) -> None:
    esc = practice_alert(service)
    data = json.loads(audit.entries(engine, esc.reference)[0].data)
    assert data["copy"] == ["sam"]
    assert data["watchers"] == ["priya"]
    assert data["raisers_manager"] == ["priya"]
    assert data["stage_due"]["rule"] == "5 working days"


def test_bypass_to_an_unknown_stage_lists_the_stages_it_may_go_to(
    service: EscalationService, engine: Engine
) -> None:
    esc = practice_alert(service)
    with pytest.raises(
        InvalidInput,
        match="Did you mean 'director'.*'service_manager', 'assistant_director' or 'director'",
    ):
        service.act(
            esc.reference, "aisha", "bypass", target="directer", note="x", consulted="priya"
        )
    assert actions(engine, esc.reference) == ["raise"]


def test_a_reopened_escalation_keeps_its_original_overall_limit(
    service: EscalationService, clock: FakeClock
) -> None:
    esc = practice_alert(service)
    overall = esc.overall_due_at
    service.act(esc.reference, "aisha", "withdraw", note="x")
    clock.advance(days=3)
    esc = service.act(esc.reference, "aisha", "reopen", note="back")
    assert esc.overall_due_at == overall


def test_reallocating_to_another_iro_moves_who_judges_and_who_may_withdraw(
    service: EscalationService, engine: Engine
) -> None:
    esc = practice_alert(service)
    service.act(esc.reference, "jo", "respond", note="Meeting booked")
    with pytest.raises(PermissionDenied, match="may not reallocate"):
        service.act(esc.reference, "aisha", "reallocate", target="tom", note="Leaving")
    with pytest.raises(InvalidInput, match="cannot hold a practice alert"):
        service.act(esc.reference, "priya", "reallocate", target="jo", note="Wrong person")
    esc = service.act(
        esc.reference, "priya", "reallocate", target="tom", note="Aisha has left the service"
    )
    assert esc.raised_by == "tom"
    assert esc.with_people == ("tom",)
    with pytest.raises(EscalationNotFound):  # no longer hers: it reads as not there
        service.act(esc.reference, "aisha", "accept", note="x")
    assert service.act(esc.reference, "tom", "accept", note="Satisfied").stage == "resolved"
    assert '"previous_raiser":"aisha"' in audit.entries(engine, esc.reference)[2].data.replace(
        " ", ""
    )


def test_a_child_ceasing_to_be_looked_after_mid_dispute_closes_the_cafcass_route(
    service: EscalationService,
) -> None:
    esc = practice_alert(service)
    esc = service.act(esc.reference, "aisha", "not_looked_after", note="Returned home on 3 January")
    assert esc.looked_after is False
    assert esc.stage == "team_manager"
    with pytest.raises(InvalidInput, match="not looked after"):
        service.act(esc.reference, "aisha", "refer_cafcass", note="x")
    with pytest.raises(InvalidInput, match="already records"):
        service.act(esc.reference, "aisha", "not_looked_after", note="again")


def test_dropping_back_to_an_informal_stage_stops_the_overall_limit_until_formal_again(
    service: EscalationService, clock: FakeClock
) -> None:
    esc = service.raise_alert(
        username="aisha", workflow="rag_rating", alert_type="rag_concern", rating="red",
        case_refs=["CLA-100452"], category="health_assessment", summary="Health assessment overdue.",
    )  # fmt: skip
    assert esc.overall_due_at is not None
    esc = service.act(esc.reference, "aisha", "rate", target="amber", note="Booked")
    assert esc.stage == "monitoring"
    assert esc.overall_due_at is None
    clock.advance(days=7)
    esc = service.act(esc.reference, "aisha", "rate", target="red", note="Appointment missed")
    assert esc.overall_started_at == clock.now()


class SteppingClock(FakeClock):
    """A clock that moves a second each time it is read, as real time does while a sweep runs."""

    def now(self) -> datetime:
        return self.advance(seconds=1)


def test_a_sweep_stamps_each_item_with_when_it_was_really_applied(
    settings: Settings, engine: Engine, clock: FakeClock
) -> None:
    service = EscalationService(settings, engine, clock)
    references = [practice_alert(service, case_refs=[f"CLA-4000{n}"]).reference for n in range(5)]
    stepping = SteppingClock(datetime(2026, 1, 13, 9, tzinfo=LONDON))
    sweeper = EscalationService(settings, engine, stepping)
    batches: list[int] = []
    report = sweeper.sweeping.tick(
        batch=2, on_batch=lambda applied, failed: batches.append(len(applied))
    )
    assert sum(batches) == len(report.applied) >= 5
    assert len(batches) >= 3  # five escalations, two a transaction
    stamps = []
    for reference in references:
        for entry in audit.entries(engine, reference)[1:]:
            data = json.loads(entry.data)
            applied_at = datetime.fromisoformat(data["applied_at"])
            assert applied_at == entry.at
            assert applied_at > report.now  # not the sweep's start
            stamps.append(applied_at)
    assert len(set(stamps)) == len(stamps)  # each its own moment
    assert [a.applied_at for a in report.applied] == sorted(a.applied_at for a in report.applied)


def test_finding_escalations_by_query_keeps_exactly_what_the_filter_keeps(
    service: EscalationService, clock: FakeClock
) -> None:
    first = practice_alert(service)
    second = practice_alert(service, case_refs=["CLA-100235", "CLA-100236"], category="placement")
    service.act(second.reference, "jo", "respond", note="Booked.")
    third = practice_alert(service, case_refs=["CLA-100237"])
    service.act(third.reference, "aisha", "withdraw", note="Wrong child.")
    clock.set(datetime(2026, 3, 2, 9, tzinfo=LONDON))
    service.tick()
    filters = [
        Filter(), Filter(include_closed=True), Filter(raised_by="aisha"), Filter(waiting_for="jo"),
        Filter(waiting_for="aisha"), Filter(waiting_for="a_sha"), Filter(child="CLA-100236"),
        Filter(child="CLA-10023%"), Filter(overdue_at=clock.now()), Filter(category="placement"),
        Filter(stages=frozenset({"director"}), include_closed=True), Filter(team="north"),
        Filter(workflow="dispute_resolution", include_closed=True),
    ]  # fmt: skip
    everything = service.all()
    assert {e.reference for e in everything} == {first.reference, second.reference, third.reference}
    for chosen in filters:
        expected = [e.reference for e in everything if chosen.keeps(e)]
        assert [e.reference for e in service.find(chosen)] == expected, chosen
