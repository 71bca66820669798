"""Audit events: one kind per entry, serialised as the trail has always stored them."""

from __future__ import annotations

from escalation_engine.domain import events
from escalation_engine.domain.action_table import ENGINE, PERSON, ROUTING


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
