"""The trail across escalations: filters, periods across 1 April, the read rules, the access log,
and exports that a spreadsheet opens safely."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select

from escalation_engine.app import operations
from escalation_engine.clock import FakeClock
from escalation_engine.domain.calendar import LONDON
from escalation_engine.errors import InvalidInput, UnknownUser
from escalation_engine.service import EscalationService
from escalation_engine.store.tables import AccessRow
from tests.support.scenarios import practice_alert


def _search(service: EscalationService, who: str, **params: Any) -> list[dict[str, Any]]:
    return operations.run(service, who, "search", params=params)["entries"]  # type: ignore[no-any-return]


def _looks(engine: Engine) -> list[tuple[str, tuple[str, ...], str]]:
    """The access log as stored: one row per look, naming every escalation it showed."""
    with engine.connect() as connection:
        rows = connection.execute(select(AccessRow.viewer, AccessRow.shown, AccessRow.view))
        return [(viewer, tuple(json.loads(shown)), view) for viewer, shown, view in rows]


@pytest.fixture
def year(service: EscalationService, clock: FakeClock) -> list[str]:
    """Two escalations in March 2026 (the year 2025-26) and one in April (2026-27)."""
    clock.set(datetime(2026, 3, 30, 9, 0, tzinfo=LONDON))
    march = practice_alert(service).reference
    service.act(march, "jo", "respond", note="Meeting booked.")
    other = practice_alert(service, case_refs=["CLA-200001"], category="placement").reference
    clock.set(datetime(2026, 4, 1, 0, 30, tzinfo=LONDON))  # 23:30 UTC on 31 March
    april = practice_alert(service, case_refs=["CLA-300001"]).reference
    return [march, other, april]


def test_a_financial_year_counts_what_happened_in_it_in_uk_time(
    service: EscalationService, year: list[str]
) -> None:
    march, other, april = year
    assert {e["reference"] for e in _search(service, "amir", year="2025-26")} == {march, other}
    assert {e["reference"] for e in _search(service, "amir", year="2026-27")} == {april}
    to_march = _search(service, "amir", **{"from": "2026-03-30", "to": "2026-03-31"})
    assert [e["action"] for e in to_march] == ["raise", "respond", "raise"]


def test_each_filter_keeps_only_what_it_names(service: EscalationService, year: list[str]) -> None:
    march, other, april = year
    assert [e["action"] for e in _search(service, "amir", action="respond")] == ["respond"]
    assert {e["reference"] for e in _search(service, "amir", category="placement")} == {other}
    assert {e["reference"] for e in _search(service, "amir", child="CLA-300001")} == {april}
    assert {e["reference"] for e in _search(service, "amir", person="jo")} == {march}
    assert {e["reference"] for e in _search(service, "amir", team="north")} == set(year)
    assert _search(service, "amir", workflow="dispute_resolution", version=2) == []
    assert len(_search(service, "amir", type="practice_alert", stage="team_manager")) == 4


@pytest.mark.parametrize(
    ("params", "named"),
    [({"stage": "nowhere"}, "Unknown stage 'nowhere'"), ({"team": "west"}, "Unknown team"),
     ({"child": "CLA-999999"}, "No escalation is about case CLA-999999"),
     ({"year": "2025-27"}, "did you mean 2025-26"), ({"action": "shout"}, "Unknown action")],
)  # fmt: skip
def test_an_unknown_filter_value_is_named_and_nothing_is_logged(
    service: EscalationService, engine: Engine, year: list[str], params: dict[str, str], named: str
) -> None:
    before = _looks(engine)
    with pytest.raises(InvalidInput, match=named):
        _search(service, "amir", **params)
    assert _looks(engine) == before


def test_the_read_rules_apply_and_every_export_is_in_the_access_log(
    service: EscalationService, engine: Engine, year: list[str]
) -> None:
    before = len(_looks(engine))
    assert _search(service, "mark", team="north") == []  # a manager of another team
    assert {e["reference"] for e in _search(service, "aisha")} == set(year)  # she raised them
    assert len(_looks(engine)) == before  # nobody saw anything of someone else's
    assert {e["reference"] for e in _search(service, "jo")} == set(year)  # north's manager
    assert _looks(engine)[before:] == [("jo", tuple(year), "export")]  # one entry for them all


def test_a_page_ends_where_the_next_begins(service: EscalationService, year: list[str]) -> None:
    first = operations.run(service, "amir", "search", params={"limit": 2})
    assert [e["seq"] for e in first["entries"]] == [1, 2]
    assert first["next"] == 2
    rest = operations.run(service, "amir", "search", params={"after": 2})
    assert [e["seq"] for e in rest["entries"]] == [3, 4]
    assert rest["next"] is None


def test_a_page_finds_what_the_viewer_may_see_however_much_they_may_not_comes_between(
    service: EscalationService, clock: FakeClock
) -> None:
    # The trail is read a page's worth at a time: what one viewer may see is found through
    # chunks of others' entries, and a page that ends is continued from where it ended.
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=LONDON))
    first = practice_alert(service).reference
    for n in range(150):  # another IRO's children, not hers to see
        practice_alert(service, username="tom", case_refs=[f"CLA-{500000 + n}"])
    last = practice_alert(service).reference
    page = operations.run(service, "aisha", "search", params={"limit": 1})
    assert [e["reference"] for e in page["entries"]] == [first]
    rest = operations.run(service, "aisha", "search", params={"after": page["next"]})
    assert [e["reference"] for e in rest["entries"]] == [last]
    assert rest["next"] is None


def test_someone_not_listed_is_refused(service: EscalationService, year: list[str]) -> None:
    with pytest.raises(UnknownUser, match="stranger"):
        _search(service, "stranger")
