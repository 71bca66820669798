"""The inbox: what waits for a person, soonest deadline first (a response waits for the raiser to
judge it); what else they raised, by deadline; each list its first few, with how many more."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from escalation_engine.app import operations
from escalation_engine.clock import FakeClock
from escalation_engine.errors import InvalidInput
from escalation_engine.service import EscalationService
from tests.support.scenarios import practice_alert
from tests.support.service_year import LONDON


def _refs(items: list[dict[str, object]]) -> list[object]:
    return [item["reference"] for item in items]


def test_the_inbox_lists_the_soonest_first_and_counts_the_rest(
    service: EscalationService, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = []
    for day in (2, 3, 4, 5):  # raised on different days, so their deadlines differ
        clock.set(datetime(2026, 11, day, 10, tzinfo=LONDON))
        made.append(practice_alert(service).reference)
    third, first, second, last = made
    # The first raised is given the latest deadline: the inbox orders by deadline, not raising.
    service.act(third, "priya", "extend", until=date(2026, 11, 27), note="Awaiting the panel")
    clock.set(datetime(2026, 11, 6, 10, tzinfo=LONDON))
    service.act(last, "jo", "respond", note="Meeting booked.")
    monkeypatch.setattr(operations, "INBOX", 2)
    jo = operations.run(service, "jo", "inbox")
    assert _refs(jo["waiting"]) == [first, second]
    assert jo["waiting_more"] == 1
    aisha = operations.run(service, "aisha", "inbox")
    assert _refs(aisha["waiting"]) == [last]  # its response is hers to judge
    assert aisha["waiting"][0]["to_judge"] is True
    assert _refs(aisha["raised"]) == [first, second]  # not listed again, soonest first
    assert aisha["raised_more"] == 1


def test_each_list_is_paged_alone_and_a_page_past_its_end_is_its_last(
    service: EscalationService, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = []
    for day in (2, 3, 4, 5, 6):
        clock.set(datetime(2026, 11, day, 10, tzinfo=LONDON))
        made.append(practice_alert(service).reference)
    monkeypatch.setattr(operations, "INBOX", 2)
    second = operations.run(service, "jo", "inbox", params={"list": "waiting", "page": 2})
    assert _refs(second["waiting"]) == made[2:4]
    assert (second["page"], second["pages"], second["waiting_total"]) == (2, 3, 5)
    assert second["waiting_more"] == 1
    assert (second["raised"], second["watching"]) == ([], [])  # not read for this page
    beyond = operations.run(service, "jo", "inbox", params={"list": "waiting", "page": 9})
    assert (_refs(beyond["waiting"]), beyond["page"]) == (made[4:], 3)  # the list shrank
    mine = operations.run(service, "aisha", "inbox", params={"list": "raised", "page": 3})
    assert _refs(mine["raised"]) == made[4:]
    for reference in reversed(made):  # watched latest first, listed soonest deadline first
        service.watch("amir", reference)
    watched = operations.run(service, "amir", "inbox", params={"list": "watching", "page": 2})
    assert (_refs(watched["watching"]), watched["watching_total"]) == (made[2:4], 5)


def test_what_a_manager_answered_stays_on_their_desk_until_the_raiser_decides(
    service: EscalationService, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 2, 10, tzinfo=LONDON))
    answered, other = practice_alert(service).reference, practice_alert(service).reference
    service.act(answered, "jo", "respond", note="Meeting booked.")
    jo = operations.run(service, "jo", "inbox")
    assert _refs(jo["answered"]) == [answered]
    assert _refs(jo["waiting"]) == [other]
    assert operations.run(service, "ellie", "inbox")["answered"] == []  # jo answered, not ellie
    service.act(answered, "aisha", "accept", note="Satisfied.")
    assert operations.run(service, "jo", "inbox")["answered"] == []  # decided: off the desk


@pytest.mark.parametrize(
    ("params", "named"),
    [({"list": "everything"}, "list must be one of waiting, answered, raised, watching"),
     ({"list": "waiting", "page": 0}, "page must be a whole number from 1 to 100,000, got 0")],
)  # fmt: skip
def test_an_unknown_list_or_page_is_refused_naming_what_is_allowed(
    service: EscalationService, params: dict[str, object], named: str
) -> None:
    with pytest.raises(InvalidInput, match=named):
        operations.run(service, "jo", "inbox", params=params)
