"""Every stage an escalation can reach has someone in reach to act on it, or the gap is named with
who holds the role elsewhere and the fix."""

from __future__ import annotations

from dataclasses import replace

from escalation_engine.domain.coverage import ahead, gaps
from escalation_engine.spec.loader import load_workflow_text
from tests.support import shipped

DRP = shipped.workflow("dispute_resolution")

#: A council's protocol written the natural way: its top two stages are service-wide posts.
SENIOR = """
schema_version: 1
name: senior_ladder
version: 1
title: Senior ladder
description: Team manager, then the head of service, then the director.
roles: [iro, iro_manager, team_manager, head_of_service, director]
permissions: {raise: [iro]}
alert_types:
  alert: {title: Alert, enters_at: team}
stages:
  team:
    title: Team manager
    responders: [team_manager]
    satisfied_by: [raiser]
    clock: {working_days: 5}
    on_timeout: head
    on_unsatisfactory: head
    watchers: [iro_manager]
  head:
    title: Head of service
    responders: [head_of_service]
    satisfied_by: [raiser]
    clock: {working_days: 5}
    on_timeout: director
    on_unsatisfactory: director
  director:
    title: Director
    responders: [director]
    satisfied_by: {all_of: [raiser, iro_manager]}
    clock: {working_days: 5}
    remind_every: {working_days: 2}
"""


def _cut_line() -> dict[str, object]:
    """The shipped people with the service manager reporting to nobody: the head of service,
    assistant director and director are no longer up north's line."""
    return shipped.people(mark={"manager": None})


def test_the_shipped_workflows_reach_someone_at_every_stage_for_the_shipped_people() -> None:
    for spec in shipped.workflows().values():
        assert [gap.said() for gap in gaps(spec, shipped.people()) if gap.stalls] == []


def test_a_stage_nobody_in_reach_holds_is_named_with_its_team_role_holders_and_fix() -> None:
    spec = load_workflow_text(SENIOR)
    found = [gap for gap in gaps(spec, _cut_line()) if gap.stalls]
    assert [(g.stage, g.team, g.roles, g.use) for g in found] == [
        ("head", "north", ("head_of_service",), "respond"),
        ("director", "north", ("director",), "respond"),
    ]
    said = found[0].said()
    for part in ("senior_ladder", "'head'", "north", "head of service", "helen", "scope: service"):
        assert part in said
    assert "stand_in" in said
    assert "config.yaml" in said


def test_service_scope_or_a_stand_in_in_reach_closes_the_gap() -> None:
    widened = load_workflow_text(
        SENIOR.replace("responders: [head_of_service]", "responders: [head_of_service]\n    scope: service")
        .replace("responders: [director]", "responders: [director]\n    scope: service")
    )  # fmt: skip
    assert [g for g in gaps(widened, _cut_line()) if g.stalls] == []
    stood_in = load_workflow_text(
        SENIOR.replace("responders: [head_of_service]", "responders: [head_of_service]\n    stand_in: [service_manager]")
        .replace("roles: [iro,", "roles: [service_manager, iro,")
    )  # fmt: skip
    assert [g.stage for g in gaps(stood_in, _cut_line()) if g.stalls] == ["director"]


def test_a_judge_missing_from_every_raisers_line_stalls_and_a_watcher_only_warns() -> None:
    people = shipped.people(aisha={"manager": None}, tom={"manager": None})
    found = gaps(load_workflow_text(SENIOR), people)
    judged = [g for g in found if g.use == "judge"]
    assert [(g.stage, g.roles, g.stalls, g.raiser) for g in judged] == [
        ("director", ("iro_manager",), True, None)
    ]
    watched = [g for g in found if g.use == "watch"]
    assert [(g.stage, g.stalls) for g in watched] == [("team", False)]


def test_a_gap_only_one_raisers_line_leaves_names_that_raiser() -> None:
    people = shipped.people(tom={"manager": None})
    judged = [g for g in gaps(load_workflow_text(SENIOR), people) if g.use == "judge"]
    assert [(g.stage, g.raiser) for g in judged] == [("director", "tom")]
    assert "tom's" in judged[0].said()


def test_a_team_that_cannot_receive_the_alert_is_not_checked() -> None:
    # The quality assurance team holds no team manager, so no alert enters there.
    extra = shipped.people()
    extra["zara"] = replace(extra["amir"], username="zara", team="elsewhere", roles=("auditor",))
    assert {g.team for g in gaps(load_workflow_text(SENIOR), extra)} <= {"north"}


def test_an_open_escalation_is_told_what_lies_ahead_of_it_on_its_own_climb() -> None:
    esc = shipped.escalation(DRP)
    assert ahead(DRP, esc, shipped.people()) == []
    found = ahead(DRP, esc, _cut_line())
    assert [g.stage for g in found] == ["assistant_director", "director"]
    at_director = shipped.escalation(DRP, stage="director")
    assert [g.stage for g in ahead(DRP, at_director, _cut_line())] == ["director"]


def test_the_escalation_step_falls_back_to_anyone_in_the_service_holding_it() -> None:
    stepped = load_workflow_text(
        SENIOR.replace(
            "    on_unsatisfactory: head\n",
            "    on_unsatisfactory: head\n    escalation_step: {by: [director], clock: {working_days: 2}}\n",
        )
    )
    steps = [g for g in gaps(stepped, _cut_line()) if g.use.startswith("carry")]
    assert steps == []
    nobody = {u: p for u, p in _cut_line().items() if u != "david"}
    steps = [g for g in gaps(stepped, nobody) if g.use.startswith("carry")]
    assert [(g.stage, g.stalls) for g in steps] == [("team", True)]
