"""The dashboard: open escalations by workflow stage and team with how many are late, and this
month's raised and closed, over what the viewer may see; counts only, so no look is recorded."""

from __future__ import annotations

from datetime import datetime, timedelta

from escalation_engine.app import operations
from escalation_engine.clock import FakeClock
from escalation_engine.service import EscalationService
from tests.support.scenarios import practice_alert
from tests.support.service_year import LONDON


def _stage(found: dict[str, object], workflow: str, stage: str) -> dict[str, object]:
    flow = next(w for w in found["workflows"] if w["workflow"] == workflow)  # type: ignore[attr-defined]
    return next(s for s in flow["stages"] if s["stage"] == stage)  # type: ignore[no-any-return]


def test_the_dashboard_counts_what_is_open_where_and_this_months_comings_and_goings(
    service: EscalationService, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 10, 28, 10, tzinfo=LONDON))  # last month: raised, not this month's
    old = practice_alert(service, case_refs=["CLA-300001"]).reference
    clock.set(datetime(2026, 11, 2, 10, tzinfo=LONDON))
    made = [practice_alert(service, case_refs=[f"CLA-30001{n}"]).reference for n in range(3)]
    service.act(made[0], "aisha", "withdraw", note="Resolved at the review.")
    service.act(old, "aisha", "withdraw", note="Plan agreed.")  # closed this month
    due = service.get(made[1]).stage_due_at
    assert due is not None
    clock.set(due + timedelta(hours=1))  # late, not yet moved on: no sweep has run
    found = operations.run(service, "priya", "dashboard")
    assert found["counts"]["all"] == 2
    assert found["counts"]["overdue"] == 2
    first = _stage(found, "dispute_resolution", "team_manager")
    assert (first["open"], first["overdue"]) == (2, 2)
    assert first["filters"] == {"workflow": "dispute_resolution", "stage": "team_manager"}
    assert found["teams"] == [
        {"team": "north", "title": "North", "open": 2, "overdue": 2, "filters": {"team": "north"}}
    ]
    month = found["month"]
    assert (month["from"], month["raised"], month["closed"]) == ("2026-11-01", 3, 2)
    assert month["outcomes"] == {"Withdrawn": 2}
    # What it counts, the escalations page lists.
    listed = operations.run(service, "priya", "queue", params=first["filters"] | {"due": "overdue"})
    assert listed["total"] == 2


def test_someone_sees_only_their_own_reach_and_no_look_is_recorded(
    service: EscalationService, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 2, 10, tzinfo=LONDON))
    practice_alert(service)
    tom = operations.run(service, "tom", "dashboard")
    assert (tom["counts"]["all"], tom["month"]["raised"], tom["teams"]) == (0, 0, [])
    assert operations.run(service, "jo", "dashboard")["counts"]["all"] == 1
    assert list(service.viewing.access_log("amir")) == []
