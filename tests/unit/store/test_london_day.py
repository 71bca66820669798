"""SQLite is told the London day of a stored moment, across the clock changes."""

from __future__ import annotations

import pytest

from escalation_engine import store
from escalation_engine.domain.periods import financial_year

pytestmark = pytest.mark.slow

THIS, BEFORE = financial_year("2025-26"), financial_year("2024-25")


@pytest.mark.parametrize(
    ("stored", "day"),
    [("2025-06-01 22:59:59.000000", "2025-06-01"), ("2025-06-01 23:00:00.000000", "2025-06-02"),
     ("2025-10-25 23:30:00.000000", "2025-10-26"), ("2025-10-26 23:30:00.000000", "2025-10-26"),
     ("2025-03-30 00:30:00.000000", "2025-03-30"), ("2025-03-30 23:00:00", "2025-03-31")],
)  # fmt: skip
def test_sqlite_is_told_the_london_day_of_a_stored_moment(stored: str, day: str) -> None:
    assert store.engine.london_day(stored) == day
