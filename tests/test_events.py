"""Audit events: one kind per entry, serialised as the trail has always stored them."""

from __future__ import annotations

import json

from escalation_engine import audit, events
from escalation_engine.action_table import ENGINE, PERSON, ROUTING
from escalation_engine.service import EscalationService

from .test_service import practice_alert


def _kinds(base: type[events.Event]) -> dict[str, type[events.Event]]:
    found: dict[str, type[events.Event]] = {}
    pending = [base]
    while pending:
        kind = pending.pop()
        pending += kind.__subclasses__()
        if kind.ACTION:
            found[kind.ACTION] = kind
    return found


def test_every_action_in_the_table_has_exactly_one_kind_of_event() -> None:
    kinds = _kinds(events.Event)
    assert set(kinds) == {action.name for action in (*PERSON, *ENGINE, *ROUTING)}
    assert set(events.PERSON_EVENTS) == {a.name for a in PERSON} - {"raise"}


def test_optional_facts_are_left_out_and_the_roles_are_stored_as_as() -> None:
    told = events.Told(copy=("priya",))
    entered = events.Entered(stage_due=None, remind_at="2026-01-09T09:00:00+00:00",
                             with_people=("jo",), told=told)  # fmt: skip
    event = events.Responded(roles=("team_manager",), holding=True, entered=entered)
    assert event.data() == {
        "as": ["team_manager"], "holding": True, "remind_at": "2026-01-09T09:00:00+00:00",
        "with": ["jo"], "copy": ["priya"],
    }  # fmt: skip
    assert event.told is told
    # Facts that are not optional are kept even when empty or None.
    assert events.Rated(previous_rating=None, rating="red").data() == {
        "as": [],
        "previous_rating": None,
        "rating": "red",
    }


def test_entries_store_each_kind_with_its_facts(service: EscalationService) -> None:
    esc = practice_alert(service)
    service.act(esc.reference, "jo", "respond", note="Meeting booked.")
    service.act(esc.reference, "aisha", "reject", note="No date.")
    trail = {e.action: json.loads(e.data) for e in audit.entries(service.engine, esc.reference)}
    assert {"workflow", "alert_type", "category", "case_refs", "team", "stage_due", "with"} <= set(
        trail["raise"]
    )
    assert trail["raise"]["case_refs"] == ["CLA-100234"]
    assert set(trail["respond"]) == {"as", "judge_reminder", "due", "in_time"}
    assert trail["respond"]["in_time"] is True
    assert {"as", "stage_due", "with"} <= set(trail["reject"])
