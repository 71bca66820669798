"""Changed since you last looked: each list marks what is new to the person, or changed by
someone else since they last opened it or acted on it."""

from __future__ import annotations

from escalation_engine.app import operations
from escalation_engine.service import EscalationService
from tests.support.scenarios import practice_alert


def _unseen(service: EscalationService, viewer: str, operation: str = "list") -> dict[str, object]:
    found = operations.run(service, viewer, operation)
    items = found if isinstance(found, list) else found["items"]
    return {item["reference"]: item["unseen"] for item in items}


def test_what_someone_else_changed_is_marked_until_it_is_looked_at(
    service: EscalationService,
) -> None:
    raised = operations.run(service, "aisha", "raise", params={
        "alert_type": "practice_alert", "case_refs": ["CLA-100234"],
        "category": "drift_and_delay", "team": "north", "summary": "No permanence plan.",
    })  # fmt: skip
    reference = raised["reference"]
    assert _unseen(service, "aisha") == {reference: None}  # she raised it: she has seen it
    assert _unseen(service, "jo", "queue") == {reference: "new"}
    operations.run(service, "jo", "show", {"reference": reference})
    assert _unseen(service, "jo") == {reference: None}
    operations.run(service, "jo", "act", {"reference": reference, "action": "respond"},
                   {"note": "Meeting booked."})  # fmt: skip
    assert _unseen(service, "jo") == {reference: None}  # his own action
    assert _unseen(service, "aisha") == {reference: "changed"}
    inbox = operations.run(service, "aisha", "inbox")
    assert [item["unseen"] for item in inbox["waiting"]] == ["changed"]
    operations.run(service, "aisha", "show", {"reference": reference})
    assert _unseen(service, "aisha") == {reference: None}


def test_a_page_opened_before_an_action_does_not_undo_its_mark(
    service: EscalationService,
) -> None:
    esc = practice_alert(service)
    before = esc.version
    service.viewing.mark_seen("jo", service.get(esc.reference))
    service.act(esc.reference, "ellie", "respond", note="Answered by Ellie.")
    later = service.get(esc.reference)
    service.viewing.mark_seen("jo", later)
    service.viewing.mark_seen("jo", esc)  # the older page, reported late
    assert later.version > before
    assert service.viewing.unseen_changes("jo", [later]) == {}
