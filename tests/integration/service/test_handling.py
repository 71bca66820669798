""" "I'm on it": who is handling an escalation at its stage, said by one of the people it is with,
recorded in the trail, shown to the others, and gone when it moves on; the row is checked
against the trail like every other fact."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from escalation_engine.app import operations
from escalation_engine.clock import FakeClock
from escalation_engine.errors import EscalationNotFound, InvalidInput, PermissionDenied
from escalation_engine.service import EscalationService
from escalation_engine.store.tables import EscalationRow
from tests.support.scenarios import practice_alert


def _handling(service: EscalationService, viewer: str, reference: str) -> object:
    (item,) = operations.run(service, viewer, "list", params={"q": reference})
    return item["shown"]["handling"]


def test_one_of_the_people_it_is_with_says_they_are_on_it_and_the_others_see_who(
    service: EscalationService,
) -> None:
    reference = practice_alert(service).reference
    service.act(reference, "jo", "handle", note="Calling the social worker this afternoon")
    assert service.get(reference).handled_by == "jo"
    assert _handling(service, "ellie", reference) == "Jo Bennett"  # the other at the stage
    shown = operations.run(service, "aisha", "show", {"reference": reference})
    assert shown["shown"]["handling"] == "Jo Bennett"
    assert shown["timeline"][-1]["shown"]["what"] == "Said they are handling it"
    with pytest.raises(InvalidInput, match="You are already handling"):
        service.act(reference, "jo", "handle")
    service.act(reference, "ellie", "handle", note="Jo is off sick: I have it.")
    assert service.get(reference).handled_by == "ellie"
    entry = service.trail(reference)[-1]
    assert '"previous":"jo"' in entry.data
    assert service.anchoring.replay().ok


def test_someone_it_is_not_with_may_not_say_it(service: EscalationService) -> None:
    reference = practice_alert(service).reference
    with pytest.raises(EscalationNotFound):  # the next tier up: not with him yet, nor his to read
        service.act(reference, "mark", "handle")
    with pytest.raises(PermissionDenied):  # copied on it, so he reads it; it is not his to answer
        service.act(reference, "sam", "handle")
    assert service.get(reference).handled_by is None
    assert [e.action for e in service.trail(reference)] == ["raise"]


def test_it_ends_when_the_escalation_moves_on_or_closes(
    service: EscalationService, clock: FakeClock
) -> None:
    moved = practice_alert(service)
    service.act(moved.reference, "jo", "handle")
    assert moved.stage_due_at is not None
    clock.set(moved.stage_due_at + timedelta(minutes=1))
    service.tick()  # no satisfactory response in time: up to the service manager
    now = service.get(moved.reference)
    assert (now.stage, now.handled_by) == ("service_manager", None)
    closed = practice_alert(service).reference
    service.act(closed, "jo", "handle")
    service.act(closed, "aisha", "withdraw", note="Resolved at the review.")
    assert service.get(closed).handled_by is None
    assert service.anchoring.replay().ok


def test_a_row_saying_someone_handles_it_without_the_entry_is_named(
    service: EscalationService,
) -> None:
    reference = practice_alert(service).reference
    table = EscalationRow.__table__  # type: ignore[attr-defined]
    with service.engine.begin() as connection:
        connection.execute(
            update(table).where(table.c.reference == reference).values(handled_by="jo")
        )
    report = service.anchoring.replay()
    assert not report.ok
    assert report.problem is not None
    assert "its stored handled by is 'jo', but its audit trail leads to None" in report.problem
