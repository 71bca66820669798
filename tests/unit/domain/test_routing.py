"""Who an escalation reaches and waits on, by role, team and line of management; and who may act
on it, with each refusal saying what the action needs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from escalation_engine.domain.routing import authorise, holders, reach, route
from escalation_engine.errors import PermissionDenied
from tests.support import shipped

DRP = shipped.workflow("dispute_resolution")
PEOPLE = shipped.settings().people


def test_an_escalation_reaches_its_team_their_line_and_the_raisers_line() -> None:
    esc = shipped.escalation(DRP)
    assert reach(PEOPLE, esc) == {
        "sam", "ellie", "jo", "dev", "mark", "helen", "ruth", "david",  # north and up its line
        "aisha", "priya",  # the raiser and her manager
    }  # fmt: skip


def test_holders_are_present_people_with_the_role_within_reach_the_team_first() -> None:
    esc = shipped.escalation(DRP)
    assert holders(PEOPLE, ["team_manager", "assistant_team_manager"], esc) == ("ellie", "jo")
    away = shipped.people(jo={"away": True})
    assert holders(away, ["team_manager", "assistant_team_manager"], esc) == ("ellie",)
    # The auditor is in no escalation's reach; with service scope, anyone holding it counts.
    assert holders(PEOPLE, ["auditor"], esc) == ()
    assert holders(PEOPLE, ["auditor"], esc, "service") == ("amir",)


def test_a_stage_waits_on_its_responders_then_its_stand_in_then_the_away_ones_manager() -> None:
    stage = DRP.stage("team_manager")
    esc = shipped.escalation(DRP)
    assert route(PEOPLE, stage, esc).people == ("ellie", "jo")
    both_away = shipped.people(jo={"away": True}, ellie={"away": True})
    stood_in = route(both_away, stage, esc)
    assert (stood_in.people, stood_in.roles) == (("dev",), ("duty_manager",))
    assert stood_in.why == "ellie and jo are away: with dev, duty manager for north"
    nobody_stands_in = shipped.people(jo={"away": True}, ellie={"away": True}, dev={"away": True})
    managed = route(nobody_stands_in, stage, esc)
    assert managed.people == ("mark",)
    assert managed.why is not None
    assert managed.why.endswith("with mark, their manager")


def test_a_response_waits_on_the_judges_who_have_not_yet_accepted() -> None:
    stage = DRP.stage("assistant_director")
    esc = shipped.escalation(DRP, stage="assistant_director", status="responded")
    assert route(PEOPLE, stage, esc).people == ("aisha", "priya")
    esc.satisfied = ("raiser",)
    assert route(PEOPLE, stage, esc).people == ("priya",)


def test_the_routed_responder_may_respond_and_an_outsider_is_told_what_it_needs() -> None:
    esc = shipped.escalation(DRP)
    esc.with_people, esc.with_roles = ("jo",), ("team_manager",)
    assert set(authorise(DRP, PEOPLE["jo"], "respond", esc, people=PEOPLE)) == {"team_manager"}
    with pytest.raises(PermissionDenied) as refused:
        authorise(DRP, PEOPLE["sam"], "respond", esc, people=PEOPLE)
    assert "Sam Okafor (sam, social worker) may not respond ESC-2026-0001" in str(refused.value)
    assert "assistant team manager" in str(refused.value)


def test_the_raiser_judges_as_the_raiser_and_nobody_judges_their_own_alert_otherwise() -> None:
    esc = shipped.escalation(DRP, raised_by="priya", status="responded")
    assert authorise(DRP, PEOPLE["priya"], "accept", esc) == ["raiser"]
    esc_ad = shipped.escalation(DRP, stage="assistant_director", raised_by="priya")
    # At stage 3 the IRO manager judges too; priya raised it, so she judges only as its raiser.
    assert authorise(DRP, PEOPLE["priya"], "accept", esc_ad) == ["raiser"]


def test_a_manager_outside_the_childs_team_and_its_line_may_not_answer_it() -> None:
    esc = shipped.escalation(DRP, team="south")
    with pytest.raises(PermissionDenied, match="it is about a child in south"):
        authorise(DRP, PEOPLE["jo"], "respond", esc, people=PEOPLE)


def test_a_stage_nobody_in_reach_can_take_goes_to_the_iro_manager_never_nobody() -> None:
    stage = DRP.stage("team_manager")
    esc = shipped.escalation(DRP)
    everyone_away = shipped.people(
        jo={"away": True}, ellie={"away": True}, dev={"away": True}, mark={"away": True}
    )
    held = route(everyone_away, stage, esc)
    assert (held.people, held.roles, held.fallback) == (("priya",), ("iro_manager",), True)
    assert held.why is not None
    assert "nobody stands in: with priya, the IRO manager" in held.why
    # The IRO manager away too: still with them (they are told), never with nobody.
    also_away = dict(everyone_away, priya=replace(PEOPLE["priya"], away=True))
    assert route(also_away, stage, esc).people == ("priya",)
    # A service with no IRO manager at all: with the raiser, who is always there.
    no_manager = {u: p for u, p in everyone_away.items() if u != "priya"}
    last = route(no_manager, stage, esc)
    assert (last.people, last.roles, last.fallback) == (("aisha",), ("raiser",), True)


def test_a_stages_own_fallback_comes_before_the_iro_manager() -> None:
    stage = replace(DRP.stage("team_manager"), fallback=("head_of_service",))
    esc = shipped.escalation(DRP)
    everyone_away = shipped.people(
        jo={"away": True}, ellie={"away": True}, dev={"away": True}, mark={"away": True}
    )
    held = route(everyone_away, stage, esc)
    assert (held.people, held.fallback) == (("helen",), True)
    assert held.why is not None
    assert "the stage's fallback" in held.why


def test_a_team_with_nobody_in_the_role_falls_back_and_says_why() -> None:
    stage = DRP.stage("team_manager")
    esc = shipped.escalation(DRP, team="quality_assurance")
    held = route(PEOPLE, stage, esc)
    assert (held.people, held.fallback) == (("priya",), True)
    assert held.why is not None
    assert held.why.startswith("nobody in quality_assurance is a")


def test_judges_nobody_in_reach_can_be_go_to_the_iro_manager() -> None:
    stage = DRP.stage("assistant_director")
    esc = shipped.escalation(DRP, stage="assistant_director", status="responded")
    esc.satisfied = ("raiser",)
    away = shipped.people(priya={"away": True})
    held = route(away, stage, esc)
    assert (held.people, held.fallback) == (("priya",), True)
