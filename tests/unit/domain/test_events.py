"""Audit events: one kind per entry, serialised as the trail has always stored them."""

from __future__ import annotations

from escalation_engine.domain import events
from escalation_engine.domain.actions import catalogue
from escalation_engine.domain.actions.changing import Rated
from escalation_engine.domain.actions.responding import Responded
from escalation_engine.spec import vocabulary


def _kinds(base: type[events.Event]) -> dict[str, type[events.Event]]:
    found: dict[str, type[events.Event]] = {}
    pending = [base]
    while pending:
        kind = pending.pop()
        pending += kind.__subclasses__()
        if kind.ACTION and kind.__module__.startswith("escalation_engine."):
            found[kind.ACTION] = kind
    return found


def test_every_kind_of_entry_has_exactly_one_kind_of_event() -> None:
    kinds = _kinds(events.Event)
    assert set(kinds) == set(catalogue.kinds())
    assert all(action.name == action.event.ACTION for action in catalogue.actions())


def test_the_format_grants_exactly_the_actions_the_engine_defines() -> None:
    assert set(vocabulary.names()) == {*catalogue.names(), "raise"}


def test_optional_facts_are_left_out_and_the_roles_are_stored_as_as() -> None:
    told = events.Told(copy=("priya",))
    entered = events.Entered(stage_due=None, remind_at="2026-01-09T09:00:00+00:00",
                             with_people=("jo",), told=told)  # fmt: skip
    event = Responded(roles=("team_manager",), holding=True, entered=entered)
    assert event.data() == {
        "as": ["team_manager"], "holding": True, "remind_at": "2026-01-09T09:00:00+00:00",
        "with": ["jo"], "copy": ["priya"],
    }  # fmt: skip
    assert event.told is told
    # Facts that are not optional are kept even when empty or None.
    assert Rated(previous_rating=None, rating="red").data() == {
        "as": [],
        "previous_rating": None,
        "rating": "red",
    }
