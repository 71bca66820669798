"""Marking people away and back: their open escalations move at once to the stand-in for the
child's team (and back), the trail says who marked whom and why it went where it went, and a
last day away ends the absence by itself."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from escalation_engine.app import operations
from escalation_engine.clock import FakeClock
from escalation_engine.domain.filters import Filter
from escalation_engine.errors import EscalationNotFound, InvalidInput, PermissionDenied
from escalation_engine.service import EscalationService
from escalation_engine.trail import audit
from tests.support.scenarios import practice_alert, with_team_south


@pytest.fixture
def south(project: Path, engine: Engine, clock: FakeClock) -> EscalationService:
    return with_team_south(project, engine, clock)


def _last(engine: Engine, reference: str) -> tuple[str, str, dict[str, object]]:
    entry = audit.entries(engine, reference)[-1]
    return entry.action, entry.actor, json.loads(entry.data)


def test_marking_the_responder_away_moves_their_escalations_to_the_teams_stand_in_at_once(
    south: EscalationService, engine: Engine
) -> None:
    esc = practice_alert(south, team="south")
    other = practice_alert(south, team="north")
    assert esc.with_people == ("kay",)
    moved = south.mark("lena", "kay", away=True, until=date(2026, 1, 7), note="Annual leave")
    assert [e.reference for e in moved] == [esc.reference]
    assert south.get(esc.reference).with_people == ("sol",)
    assert [e.reference for e in south.find(Filter(waiting_for="sol"))] == [esc.reference]
    assert south.find(Filter(waiting_for="kay")) == []
    action, actor, data = _last(engine, esc.reference)
    assert (action, actor) == ("reroute", "lena")
    assert data["routed"] == "kay is away until 7 Jan: with sol, duty manager for south"
    assert (data["previously"], data["to"], data["until"]) == (["kay"], ["sol"], "2026-01-07")
    assert [e.action for e in audit.entries(engine, other.reference)] == ["raise"]
    assert audit.verify(engine).ok


def test_the_stand_in_may_answer_and_the_away_responder_is_no_longer_awaited(
    south: EscalationService,
) -> None:
    esc = practice_alert(south, team="south")
    south.mark("kay", "kay", away=True)
    assert south.act(esc.reference, "sol", "respond", note="Covering.").status == "responded"


def test_marking_back_returns_what_the_stand_in_was_holding(
    south: EscalationService, engine: Engine
) -> None:
    esc = practice_alert(south, team="south")
    south.mark("lena", "kay", away=True)
    moved = south.mark("kay", "kay", away=False)
    assert [e.with_people for e in moved] == [("kay",)]
    action, actor, data = _last(engine, esc.reference)
    assert (action, actor, data["away"], data["to"]) == ("reroute", "kay", False, ["kay"])


def test_an_absence_ends_by_itself_after_its_last_day(
    south: EscalationService, engine: Engine, clock: FakeClock
) -> None:
    esc = practice_alert(south, team="south")
    south.mark("lena", "kay", away=True, until=date(2026, 1, 6))
    clock.advance(days=1)
    south.tick()
    assert south.get(esc.reference).with_people == ("sol",)
    clock.advance(days=1)  # Wednesday 7 January: kay is back
    south.tick()
    assert south.get(esc.reference).with_people == ("kay",)
    reroutes = [e for e in audit.entries(engine, esc.reference) if e.action == "reroute"]
    assert [(e.actor, e.actor_kind) for e in reroutes] == [("lena", "person"), ("engine", "engine")]
    assert [row.marked_by for row in south.availability.absences()] == ["lena", "engine"]
    assert not south.people_now()["kay"].away


def test_reminders_go_to_whoever_holds_it_now(
    south: EscalationService, engine: Engine, clock: FakeClock
) -> None:
    esc = practice_alert(south, team="south")
    south.mark("lena", "kay", away=True)
    clock.advance(days=4)  # Friday 9 January, 09:00: the day before the deadline
    south.tick()
    reminders = [json.loads(e.data) for e in audit.entries(engine, esc.reference)
                 if e.action == "reminder"]  # fmt: skip
    assert reminders
    assert all(r["to"] == ["sol"] for r in reminders)


def test_only_the_person_or_their_line_of_management_may_mark_them(
    south: EscalationService, engine: Engine
) -> None:
    esc = practice_alert(south, team="south")
    with pytest.raises(PermissionDenied, match=r"only kay or someone up their line of management"):
        south.mark("jo", "kay", away=True)
    assert south.availability.absences() == []
    assert [e.action for e in audit.entries(engine, esc.reference)] == ["raise"]


@pytest.mark.parametrize(
    ("away", "until", "problem"),
    [
        (True, date(2026, 1, 2), "has passed"),
        (True, date(2027, 3, 1), "more than a year ahead"),
        (False, None, "is not marked away"),
        (False, date(2026, 1, 9), "goes with marking someone away"),
    ],
)
def test_a_mark_that_says_nothing_true_is_refused_and_nothing_is_written(
    south: EscalationService, away: bool, until: date | None, problem: str
) -> None:
    with pytest.raises(InvalidInput, match=problem):
        south.mark("kay", "kay", away=away, until=until)
    assert south.availability.absences() == []


def test_absences_are_append_only(south: EscalationService, engine: Engine) -> None:
    south.mark("kay", "kay", away=True)
    for statement in ("UPDATE absence SET away = false", "DELETE FROM absence"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    assert len(south.availability.absences()) == 1


def test_whoever_an_escalation_was_with_finds_it_in_the_trail_once_its_trail_says_so(
    south: EscalationService,
) -> None:
    # What a trail says of who was waited on is remembered by its latest entry: a look before
    # the stand-in held it must not hide it from them after.
    def found_by(viewer: str) -> set[str]:
        page = operations.run(south, viewer, "search", params={})
        return {entry["reference"] for entry in page["entries"]}

    esc = practice_alert(south, team="south")
    assert found_by("sol") == set()
    south.mark("lena", "kay", away=True)
    south.mark("kay", "kay", away=False)  # back with kay: sol held it in between
    assert south.get(esc.reference).with_people == ("kay",)
    assert found_by("sol") == {esc.reference}


def test_a_stand_in_answers_only_while_standing_in(service: EscalationService) -> None:
    reference = practice_alert(service).reference
    with pytest.raises(EscalationNotFound):  # not with him yet: it reads as not there
        service.act(reference, "dev", "respond", note="I am the duty manager.", dry_run=True)
    service.mark("mark", "jo", away=True)
    service.mark("mark", "ellie", away=True)
    assert service.act(reference, "dev", "respond", note="Covering.", dry_run=True).status == (
        "responded"
    )
    service.mark("mark", "jo", away=False)
    with pytest.raises(PermissionDenied, match="may not respond"):
        service.act(reference, "dev", "respond", note="Still covering?", dry_run=True)


def test_re_routing_at_start_writes_only_for_the_escalations_whose_people_changed(
    south: EscalationService, engine: Engine, clock: FakeClock
) -> None:
    kept = practice_alert(south, team="north")
    left = practice_alert(south, team="south")
    assert left.with_people == ("kay",)
    assert south.availability.reroute_changed(clock.now()) == []  # nobody changed: nothing held
    people = dict(south.settings.people)
    del people["kay"]  # kay left while the engine was stopped
    changed = EscalationService(dataclasses.replace(south.settings, people=people), engine, clock)
    before = len(audit.entries(engine, kept.reference))
    moved = changed.availability.reroute_changed(clock.now())
    assert [e.reference for e in moved] == [left.reference]
    assert "kay" not in changed.get(left.reference).with_people
    assert _last(engine, left.reference)[0] == "reroute"
    assert len(audit.entries(engine, kept.reference)) == before
