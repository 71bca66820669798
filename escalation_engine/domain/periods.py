"""The periods a council reports on: financial years (1 April to 31 March) and from/to days.

Annual reports count by financial year; people write it as ``2025-26``. A period is a range of
days in UK time, from the first day's midnight to the midnight after the last, so an entry made
at 00:30 on 1 April (23:30 UTC on 31 March in summer time) counts in the year it was made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from escalation_engine.domain.calendar import EARLIEST, LATEST, LONDON
from escalation_engine.domain.inputs import TO, YEAR
from escalation_engine.errors import InvalidInput

_YEAR = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*$")


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), tzinfo=LONDON)

    @property
    def is_financial_year(self) -> bool:
        return (self.first.month, self.first.day, self.last.month, self.last.day) == (
            4,
            1,
            3,
            31,
        ) and (self.last.year == self.first.year + 1)

    @property
    def label(self) -> str:
        """``2025-26`` for a financial year, else ``1 Jan 2026 to 31 Mar 2026``."""
        if self.is_financial_year:
            return f"{self.first.year}-{self.last.year % 100:02d}"
        return f"{self.first:%-d %b %Y} to {self.last:%-d %b %Y}"

    @property
    def end(self) -> datetime:
        """Midnight after the last day (the period holds what is before it)."""
        return datetime.combine(self.last + timedelta(days=1), time(), tzinfo=LONDON)


def financial_year(text: str) -> Period:
    """``2025-26`` (or ``2025/26``, ``2025-2026``): 1 April 2025 to 31 March 2026."""
    found = _YEAR.match(text)
    if found is None:
        raise InvalidInput(
            f"{text[:20]!r} is not a financial year; write it as 2025-26 (April 2025 to March"
            " 2026).",
            given=YEAR,
        )
    first, second = int(found[1]), int(found[2])
    if second % 100 != (first + 1) % 100 or (second >= 1000 and second != first + 1):
        raise InvalidInput(
            f"{text.strip()!r}: a financial year runs into the next calendar year; did you mean"
            f" {first}-{(first + 1) % 100:02d}?",
            given=YEAR,
        )
    if not EARLIEST.year <= first < LATEST.year:
        raise InvalidInput(
            f"The financial year {text.strip()!r} is outside the years a record can hold.",
            given=YEAR,
        )
    return Period(date(first, 4, 1), date(first + 1, 3, 31))


def chosen(year: str | None, first: date | None, last: date | None) -> Period | None:
    """The period given as ``--year`` or as ``--from``/``--to`` (either end may be open)."""
    if year is not None:
        if first is not None or last is not None:
            raise InvalidInput(
                "Give a financial year or a first and last day, not both.", given=YEAR
            )
        return financial_year(year)
    if first is None and last is None:
        return None
    if first is not None and last is not None and last < first:
        raise InvalidInput(
            f"The last day, {last}, is before the first, {first}; swap them.", given=TO
        )
    return Period(first or EARLIEST, last or LATEST)


def previous(period: Period) -> Period:
    """The period before: the financial year before a financial year, else as many days again
    ending the day before ``period`` starts."""
    if period.is_financial_year:
        return Period(period.first.replace(year=period.first.year - 1),
                      period.last.replace(year=period.last.year - 1))  # fmt: skip
    length = period.last - period.first
    last = period.first - timedelta(days=1)
    return Period(last - length, last)


def last_whole_year(today: date) -> Period:
    """The latest financial year that has ended by ``today`` (the annual report's year)."""
    start = today.year - 1 if today.month >= 4 else today.year - 2
    return Period(date(start, 4, 1), date(start + 1, 3, 31))
