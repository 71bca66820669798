"""Each kind of audit entry is stored with its facts, as the trail has always stored them."""

from __future__ import annotations

import json

from escalation_engine.service import EscalationService
from escalation_engine.trail import audit
from tests.support.scenarios import practice_alert


def test_entries_store_each_kind_with_its_facts(service: EscalationService) -> None:
    esc = practice_alert(service)
    service.act(esc.reference, "jo", "respond", note="Meeting booked.")
    service.act(esc.reference, "aisha", "reject", note="No date.")
    trail = {e.action: json.loads(e.data) for e in audit.entries(service.engine, esc.reference)}
    assert {"workflow", "alert_type", "category", "case_refs", "team", "stage_due", "with"} <= set(
        trail["raise"]
    )
    assert trail["raise"]["case_refs"] == ["CLA-100234"]
    facts = {"as", "judge_reminder", "due", "in_time", "clocks", "notices"}
    assert set(trail["respond"]) == facts
    # With no channel configured, nothing is owed: an entry says so, and a notice added is named.
    assert trail["respond"]["notices"] == []
    # Each entry records the clocks as it leaves them: the judge's reminder, the overall limit.
    assert trail["respond"]["clocks"]["remind_at"] == trail["respond"]["judge_reminder"]
    assert trail["respond"]["in_time"] is True
    assert {"as", "stage_due", "with"} <= set(trail["reject"])
