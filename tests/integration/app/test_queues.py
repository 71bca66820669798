"""The lists a manager works from: filters, a search box, deadline windows with counts, order and
pages; only what the viewer may see is counted, and only what a page shows is a look."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from escalation_engine.app import operations, queues
from escalation_engine.clock import FakeClock
from escalation_engine.errors import InvalidInput, UnknownUser
from escalation_engine.service import EscalationService
from tests.support.scenarios import practice_alert
from tests.support.service_year import LONDON


def _refs(items: list[dict[str, object]]) -> list[object]:
    return [item["reference"] for item in items]


def _raise_week(service: EscalationService, clock: FakeClock) -> list[str]:
    """Five practice alerts raised a day apart from Monday 2 November 2026, for five children."""
    made = []
    for n, day in enumerate((2, 3, 4, 5, 6)):
        clock.set(datetime(2026, 11, day, 10, tzinfo=LONDON))
        made.append(practice_alert(service, case_refs=[f"CLA-20000{n}"]).reference)
    return made


def test_windows_are_counted_before_they_narrow_and_late_items_come_first(
    service: EscalationService, clock: FakeClock
) -> None:
    made = _raise_week(service, clock)
    first = service.get(made[0])
    assert first.stage_due_at is not None
    clock.set(first.stage_due_at + timedelta(days=2, hours=1))  # two days after the first was due
    everything = operations.run(service, "priya", "queue")
    counts = everything["counts"]
    late = [item for item in everything["items"] if item["overdue"]]
    assert counts["all"] == 5
    assert counts["overdue"] == len(late) >= 1
    assert _refs(everything["items"])[: len(late)] == _refs(late)  # late first
    assert late[0]["shown"]["standing"].startswith("Overdue by ")
    overdue = operations.run(service, "priya", "queue", params={"due": "overdue"})
    assert _refs(overdue["items"]) == _refs(late)
    assert overdue["counts"] == counts  # the counts are of the list before the window
    this_week = operations.run(service, "priya", "queue", params={"due": "this week"})
    assert this_week["total"] == counts["week"]
    assert all(item["due_this_week"] for item in this_week["items"])


def test_the_search_box_finds_a_reference_or_a_childs_case_by_any_part(
    service: EscalationService, clock: FakeClock
) -> None:
    made = _raise_week(service, clock)
    by_reference = operations.run(service, "jo", "queue", params={"q": made[2].lower()})
    assert _refs(by_reference["items"]) == [made[2]]
    by_child = operations.run(service, "jo", "list", params={"q": "cla-200003"})
    assert _refs(by_child) == [made[3]]
    nothing = operations.run(service, "jo", "queue", params={"q": "CLA-999"})
    assert (nothing["items"], nothing["total"]) == ([], 0)
    wildcard = operations.run(service, "jo", "queue", params={"q": "%"})
    assert wildcard["total"] == 0  # a LIKE wildcard is searched for, not obeyed


def test_filters_sort_and_pages_agree_between_the_list_and_the_queue(
    service: EscalationService, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _raise_week(service, clock)
    service.act(made[1], "jo", "respond", note="Meeting booked.")
    monkeypatch.setattr(queues, "PAGE", 2)
    newest = operations.run(service, "jo", "queue", params={"sort": "raised", "page": 2})
    assert (_refs(newest["items"]), newest["pages"], newest["total"]) == (made[2:0:-1], 3, 5)
    beyond = operations.run(service, "jo", "queue", params={"sort": "raised", "page": 9})
    assert (_refs(beyond["items"]), beyond["page"]) == ([made[0]], 3)  # its last page
    listed = operations.run(service, "jo", "list", params={"sort": "reference", "team": "North"})
    assert _refs(listed) == sorted(made)
    waiting = operations.run(service, "jo", "list", params={"waiting": True})
    assert made[1] not in _refs(waiting)  # responded: it waits for the raiser to judge
    by_raiser = operations.run(service, "priya", "list", params={"raised_by": "aisha"})
    assert sorted(_refs(by_raiser)) == sorted(made)
    assert operations.run(service, "priya", "list", params={"raised_by": "tom"}) == []


@pytest.mark.parametrize(
    ("params", "error", "named"),
    [({"due": "tomorrow"}, InvalidInput, "Unknown deadline window 'tomorrow'"),
     ({"sort": "urgency"}, InvalidInput, "Unknown order 'urgency'"),
     ({"raised_by": "aishaa"}, UnknownUser, "Did you mean 'aisha'"),
     ({"mine": True, "raised_by": "aisha"}, InvalidInput, "Give mine or raised_by, not both"),
     ({"q": "C" * 65}, InvalidInput, "at most 64 characters"),
     ({"team": "nort"}, InvalidInput, "Unknown team 'nort'"),
     ({"page": 0}, InvalidInput, "page must be a whole number from 1 to 100,000")],
)  # fmt: skip
def test_a_bad_filter_is_refused_naming_what_is_allowed(
    service: EscalationService, clock: FakeClock, params: dict[str, object],
    error: type[Exception], named: str,
) -> None:  # fmt: skip
    _raise_week(service, clock)
    with pytest.raises(error, match=named):
        operations.run(service, "priya", "queue", params=params)


def test_only_what_the_viewer_may_see_is_counted_and_only_the_page_shown_is_a_look(
    service: EscalationService, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _raise_week(service, clock)
    monkeypatch.setattr(queues, "PAGE", 2)
    assert operations.run(service, "tom", "queue")["total"] == 0  # another IRO sees none
    shown = operations.run(service, "jo", "queue", params={"sort": "reference"})
    assert _refs(shown["items"]) == made[:2]
    looks = [(r.viewer, r.references, r.view) for r in service.viewing.access_log("amir")]
    assert looks == [("jo", (made[0], made[1]), "list")]  # one signed entry for the page
