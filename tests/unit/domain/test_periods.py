"""Financial years and from/to periods, as an IRO manager writes them, in UK time."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from escalation_engine.domain.periods import (
    Period,
    chosen,
    financial_year,
    last_whole_year,
    previous,
)
from escalation_engine.errors import InvalidInput
from tests.support.shipped import LONDON


@pytest.mark.parametrize("text", ["2025-26", "2025/26", "2025-2026", " 2025 - 26 "])
def test_a_financial_year_runs_from_1_april_to_31_march(text: str) -> None:
    year = financial_year(text)
    assert (year.first, year.last, year.label) == (date(2025, 4, 1), date(2026, 3, 31), "2025-26")
    assert year.start == datetime(2025, 4, 1, tzinfo=LONDON)
    assert year.end == datetime(2026, 4, 1, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2025", "is not a financial year; write it as 2025-26"),
        ("2025-25", "did you mean 2025-26"),
        ("2025-2027", "did you mean 2025-26"),
        ("1969-70", "outside the years a record can hold"),
    ],
)
def test_a_year_written_wrongly_is_refused_saying_how_to_write_it(text: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        financial_year(text)


def test_a_period_is_a_year_or_from_and_to_with_either_end_open() -> None:
    assert chosen(None, None, None) is None
    assert chosen("2024-25", None, None) == financial_year("2024-25")
    assert chosen(None, date(2026, 1, 1), None) == Period(date(2026, 1, 1), date(2199, 12, 31))
    with pytest.raises(
        InvalidInput, match="Give a financial year or a first and last day, not both"
    ):
        chosen("2024-25", date(2026, 1, 1), None)
    with pytest.raises(InvalidInput, match="is before the first, .* swap them"):
        chosen(None, date(2026, 2, 1), date(2026, 1, 1))


def test_the_period_before_a_year_is_the_year_before_and_otherwise_as_many_days() -> None:
    assert previous(financial_year("2025-26")) == financial_year("2024-25")
    assert previous(Period(date(2026, 1, 11), date(2026, 1, 20))) == Period(
        date(2026, 1, 1), date(2026, 1, 10)
    )


@given(st.dates(min_value=date(1972, 1, 1), max_value=date(2190, 12, 31)))
def test_the_last_whole_year_has_ended_by_today_and_the_one_after_has_not(today: date) -> None:
    year = last_whole_year(today)
    assert year.is_financial_year
    assert year.last < today
    following = financial_year(f"{year.first.year + 1}-{(year.first.year + 2) % 100:02d}")
    assert following.last >= today
