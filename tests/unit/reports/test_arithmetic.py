"""The report's arithmetic over a small service year told entry by entry, every figure worked
out by hand: working days to resolution (median and nearest-rank 90th percentile), the bands,
the highest stage reached and resolved at, the outcomes, and the year before beside it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from escalation_engine.domain import periods
from escalation_engine.reports import raised
from escalation_engine.reports.basis import Basis, Span, events_of, seconds
from escalation_engine.reports.facts import Facts, take
from escalation_engine.reports.model import Figure, Table
from tests.support import shipped
from tests.support.shipped import LONDON

DRP = shipped.workflow("dispute_resolution")
THIS = periods.financial_year("2025-26")
BEFORE = periods.previous(THIS)


def _at(text: str) -> int:
    return seconds(datetime.fromisoformat(text).replace(tzinfo=LONDON))


def _escalation(reference: str, raised_at: str, *moves: tuple[str, str, str, str]) -> Facts:
    """An escalation raised at ``raised_at`` into stage 1, then ``moves`` (at, action, from,
    to), each an entry of its trail."""
    facts = Facts(reference, DRP.name, DRP.digest, "practice_alert", "drift_and_delay", "north",
                  "aisha", _at(raised_at))  # fmt: skip
    take(facts, (reference, 1, _at(raised_at), "raise", None, "team_manager", None, None, 0))
    for seq, (at, action, source, to) in enumerate(moves, start=2):
        take(facts, (reference, seq, _at(at), action, source, to, None, None, 0))
    return facts


# June 2025 has no bank holiday: working days are counted by hand below.
YEAR = [
    # 2 Jun -> 5 Jun: 3 working days, resolved at stage 1.
    _escalation("E1", "2025-06-02T09:00", ("2025-06-05T10:00", "accept", "team_manager", "resolved")),
    # 9 Jun -> 18 Jun: 7 working days, resolved at stage 2 after a timeout.
    _escalation("E2", "2025-06-09T09:00",
                ("2025-06-16T17:00", "timeout", "team_manager", "service_manager"),
                ("2025-06-18T11:00", "accept", "service_manager", "resolved")),
    # Withdrawn the next day: not resolved.
    _escalation("E3", "2025-06-23T09:00", ("2025-06-24T09:00", "withdraw", "team_manager", "withdrawn")),
    # Bypassed to the director, still open at the year's end.
    _escalation("E4", "2025-07-01T09:00", ("2025-07-02T09:00", "bypass", "team_manager", "director")),
    # 2 Jun -> 30 Jun: 20 working days, resolved at stage 3.
    _escalation("E5", "2025-06-02T10:00",
                ("2025-06-04T09:00", "reject", "team_manager", "service_manager"),
                ("2025-06-11T09:00", "reject", "service_manager", "assistant_director"),
                ("2025-06-30T15:00", "accept", "assistant_director", "resolved")),
    # The year before: one, resolved at stage 1.
    _escalation("E0", "2024-06-03T09:00", ("2024-06-04T09:00", "accept", "team_manager", "resolved")),
]  # fmt: skip


@pytest.fixture
def basis() -> Basis:
    this, before = Span.of(THIS), Span.of(BEFORE)
    return Basis(YEAR, {DRP.digest: DRP}, shipped.settings().words, shipped.calendar(), this,
                 before, events_of(YEAR, before, this), YEAR, keep=True)  # fmt: skip


def _row(table: Table, key: str) -> dict[str, Any]:
    row = next(r for r in table.rows if r.key == key)
    return {
        column: cell.value if isinstance(cell, Figure) else cell
        for (column, _), cell in zip(table.columns, row.cells, strict=True)
    }


def test_working_days_to_resolution_overall_and_by_the_stage_resolved_at(basis: Basis) -> None:
    table, _, _ = raised.resolution(basis)
    assert _row(table, "all") == {"resolved": 3, "median": 7, "p90": 20}
    assert _row(table, "dispute_resolution:team_manager") == {"resolved": 1, "median": 3, "p90": 3}
    assert _row(table, "dispute_resolution:service_manager") == {
        "resolved": 1, "median": 7, "p90": 7,
    }  # fmt: skip
    assert _row(table, "dispute_resolution:assistant_director")["median"] == 20
    assert [r.key for r in table.rows if r.key.endswith(":director")] == []  # none resolved there


def test_resolutions_fall_in_their_bands(basis: Basis) -> None:
    _, bands, spread = raised.resolution(basis)
    counts = {row.key: _row(bands, row.key)["resolved"] for row in bands.rows}
    assert counts == {"0-5": 1, "6-10": 1, "11-20": 1, "21-40": 0, "41+": 0}
    none = {"0-5": 0, "6-10": 0, "11-20": 0, "21-40": 0, "41+": 0}
    assert _row(spread, "dispute_resolution:team_manager") == none | {"0-5": 1}
    assert _row(spread, "dispute_resolution:service_manager") == none | {"6-10": 1}
    assert _row(spread, "dispute_resolution:assistant_director") == none | {"11-20": 1}
    assert [r.key for r in spread.rows if r.key.endswith(":director")] == []


def test_the_highest_stage_reached_and_resolved_there(basis: Basis) -> None:
    table = raised.highest_stage(basis)
    assert _row(table, "dispute_resolution:team_manager") == {"reached": 2, "resolved": 1}
    assert _row(table, "dispute_resolution:service_manager") == {"reached": 1, "resolved": 1}
    assert _row(table, "dispute_resolution:assistant_director") == {"reached": 1, "resolved": 1}
    assert _row(table, "dispute_resolution:director") == {"reached": 1, "resolved": 0}


def test_every_figure_names_the_entries_behind_it(basis: Basis) -> None:
    table, _, _ = raised.resolution(basis)
    resolved = next(c for c in table.rows[0].cells if isinstance(c, Figure))
    assert sorted(resolved.evidence) == [("E1", 2), ("E2", 3), ("E5", 4)]


def test_the_outcomes_as_the_cohort_stood_at_the_years_end(basis: Basis) -> None:
    table, _ = raised.outcomes(basis)
    totals = {column: 0 for column, _ in table.columns}
    for row in table.rows:
        if row.key == "all":  # the totals row: checked against the sum below
            assert _row(table, "all") == _summed(table)
            continue
        for column, value in _row(table, row.key).items():
            if isinstance(value, int):
                totals[column] += value
    assert totals["resolved"] == 3
    assert totals["withdrawn"] == 1


def test_the_nearest_rank_percentile() -> None:
    assert raised._p90([5]) == 5
    assert raised._p90(list(range(1, 11))) == 9
    assert raised._p90(list(range(1, 12))) == 10


def _summed(table: Any) -> dict[str, Any]:
    """Each column of ``table`` summed over its rows but the totals row."""
    summed: dict[str, Any] = {}
    for row in table.rows:
        if row.key == "all":
            continue
        for column, value in _row(table, row.key).items():
            summed[column] = summed.get(column, 0) + value
    return summed
