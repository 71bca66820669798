"""The state machine built from a workflow: which actions each stage offers, where each leads,
and that nothing moves an escalation by a way the workflow does not declare."""

from __future__ import annotations

import pytest

from escalation_engine.domain.machine import WorkflowMachine, machine_for, moves_of, trigger_name
from escalation_engine.errors import TransitionNotAllowed
from tests.support import shipped

DRP = shipped.workflow("dispute_resolution")


def test_a_stage_offers_what_its_workflow_declares_and_nothing_else() -> None:
    machine = machine_for(DRP)
    assert machine.allowed_actions("team_manager") == [
        "accept", "bypass", "escalate", "extend", "handle", "meeting", "not_looked_after", "reallocate",
        "refer_cafcass", "reject", "respond", "supersede", "withdraw",
    ]  # fmt: skip
    # The top of the ladder: not satisfied there means unresolved, so there is no escalating.
    assert "escalate" not in machine.allowed_actions("director")
    assert "reject" in machine.allowed_actions("director")
    # A closed escalation offers only reopening.
    assert machine.allowed_actions("resolved") == ["reopen"]


def test_the_machine_is_built_once_per_workflow_version() -> None:
    assert machine_for(DRP) is machine_for(DRP)
    assert machine_for(shipped.workflow("case_alert")) is not machine_for(DRP)


def test_a_bypass_may_go_to_any_other_stage() -> None:
    machine = machine_for(DRP)
    assert machine.targets("team_manager", "bypass") == [
        "service_manager", "assistant_director", "director",
    ]  # fmt: skip
    assert "team_manager" not in machine.targets("team_manager", "bypass")


def test_a_rejection_moves_up_and_an_accepted_response_resolves_once_everyone_needed_agrees() -> (
    None
):
    machine = machine_for(DRP)
    esc = shipped.escalation(DRP, stage="team_manager")
    assert machine.fire(esc, "reject", reference=esc.reference)
    assert esc.stage == "service_manager"
    esc.stage = "assistant_director"
    esc.required_satisfied, esc.satisfied_mode = ("raiser", "iro_manager"), "all_of"
    esc.satisfied = ("raiser",)
    assert not machine.fire(esc, "accept", reference=esc.reference)  # the IRO manager is to come
    assert esc.stage == "assistant_director"
    esc.satisfied = ("iro_manager", "raiser")
    assert machine.fire(esc, "accept", reference=esc.reference)
    assert esc.stage == "resolved"


def test_an_action_the_stage_does_not_allow_is_refused_with_what_it_does_allow() -> None:
    machine = machine_for(DRP)
    esc = shipped.escalation(DRP, stage="resolved")
    with pytest.raises(TransitionNotAllowed) as refused:
        machine.fire(esc, "respond", reference=esc.reference)
    assert refused.value.allowed == ["reopen"]
    assert str(refused.value) == (
        "Cannot respond ESC-2026-0001 at stage 'resolved'. Actions allowed there: reopen."
    )
    assert esc.stage == "resolved"


def test_there_is_no_back_door_to_a_stage() -> None:
    machine = WorkflowMachine(DRP)
    assert not any(t.startswith("to_") for t in machine.triggers("team_manager"))
    with pytest.raises(TransitionNotAllowed):
        machine.require("team_manager", "to_director", reference="ESC-2026-0001")


def test_a_stage_with_an_escalation_step_records_the_rejection_and_escalates_separately() -> None:
    council = shipped.example("council_protocol")
    machine = machine_for(council)
    esc = shipped.escalation(council, stage="team_manager")
    assert not machine.fire(esc, "reject", reference=esc.reference)
    assert esc.stage == "team_manager"
    assert machine.fire(esc, "escalate", reference=esc.reference)
    assert esc.stage == "service_manager"


def test_a_rating_moves_the_escalation_to_the_stage_it_drives_only_when_it_moves() -> None:
    rag = shipped.workflow("rag_rating")
    machine = machine_for(rag)
    esc = shipped.escalation(rag, stage="monitoring")
    assert machine.fire(esc, trigger_name("rate", "red"), reference=esc.reference)
    assert esc.stage == "line_manager"
    esc.rating_moves = False
    assert not machine.fire(esc, trigger_name("rate", "amber"), reference=esc.reference)
    assert esc.stage == "line_manager"


def test_the_moves_a_trail_may_record_are_the_ones_that_change_stage() -> None:
    moves = moves_of(DRP)
    assert ("reject", "team_manager", "service_manager") in moves
    assert ("timeout", "team_manager", "service_manager") in moves
    assert ("bypass", "team_manager", "director") in moves
    assert ("reopen", "resolved", "team_manager") in moves
    assert not any(action == "respond" for action, _, _ in moves)
    assert ("reject", "team_manager", "director") not in moves
