"""Working days in England: weekends, England & Wales bank holidays and local closure days.

Statutory and protocol timescales are counted in working days. "N working days" means close of
business (17:00 Europe/London unless configured) on the Nth working day after the day the clock
starts, so an alert raised at 16:59 or on a Saturday gets the same full days as one raised at
09:00. Bank holidays come from the ``holidays`` package, which includes one-off days such as the
2022 Platinum Jubilee, the State Funeral of 19 September 2022 and the 2023 Coronation.
"""

from __future__ import annotations

import importlib.util
import sys
from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from holidays import HolidayBase

LONDON = ZoneInfo("Europe/London")
#: Dates people and files give: wide enough for legacy records and long deadlines, narrow enough
#: that no deadline counted from them runs past what a date can hold.
EARLIEST = date(1970, 1, 1)
LATEST = date(2199, 12, 31)
_UK_MODULE = "holidays.countries.united_kingdom"


def england_and_wales_bank_holidays() -> HolidayBase:
    """England & Wales bank holidays, from the ``holidays`` package's United Kingdom module alone.

    ``holidays.country_holidays`` imports the modules of all 250 countries the package knows,
    which every command would pay for at start-up. The UK module is loaded on its own, under its
    usual name, so that a later import of the whole package finds it and does not load it twice.
    """
    import holidays

    module = sys.modules.get(_UK_MODULE)
    if module is None:
        path = Path(holidays.__file__).parent / "countries" / "united_kingdom.py"
        spec = importlib.util.spec_from_file_location(_UK_MODULE, path)
        if spec is None or spec.loader is None or not path.is_file():
            # The package has been laid out differently: take the slow, supported way.
            return holidays.country_holidays("GB", subdiv="ENG")
        module = importlib.util.module_from_spec(spec)
        sys.modules[_UK_MODULE] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[_UK_MODULE]
            raise
    bank_holidays: HolidayBase = module.UnitedKingdom(subdiv="ENG")
    return bank_holidays


@dataclass(frozen=True, slots=True)
class SkippedDay:
    """A day a working-day count passed over, and why."""

    day: date
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Deadline:
    """A computed deadline with everything needed to explain it later in the audit trail."""

    due: datetime
    rule: str
    start: datetime
    skipped: tuple[SkippedDay, ...] = ()

    def explain(self) -> dict[str, object]:
        """A JSON-ready account of the deadline: the due time, the rule, the start, the skips."""
        return {
            "due": self.due.isoformat(),
            "rule": self.rule,
            "start": self.start.isoformat(),
            "skipped": [{"date": s.day.isoformat(), "reason": s.reason} for s in self.skipped],
        }


@dataclass(frozen=True)
class WorkingCalendar:
    """England & Wales working days, with optional local closures (e.g. a council's shutdown)."""

    closures: Mapping[date, str] = field(default_factory=dict)
    close_of_business: time = time(17, 0)
    tz: ZoneInfo = LONDON

    @cached_property
    def _bank_holidays(self) -> HolidayBase:
        return england_and_wales_bank_holidays()

    @cached_property
    def _reasons(self) -> dict[date, str | None]:
        # Every deadline walks the same few weeks of days; asking the holidays package each time
        # was a tenth of the cost of an action.
        return {}

    def why_not_working(self, day: date) -> str | None:
        """The reason ``day`` is not a working day, or ``None`` when it is one."""
        try:
            return self._reasons[day]
        except KeyError:
            reason = self._reasons[day] = self._why_not_working(day)
            return reason

    def _why_not_working(self, day: date) -> str | None:
        if day.weekday() >= 5:
            return "weekend"
        name = self._bank_holidays.get(day)
        if name:
            return f"bank holiday: {name}"
        closure = self.closures.get(day)
        if closure is not None:
            return f"local closure: {closure}"
        return None

    def is_working_day(self, day: date) -> bool:
        return self.why_not_working(day) is None

    def add_working_days(self, start: date, count: int) -> tuple[date, tuple[SkippedDay, ...]]:
        """The ``count``-th working day after ``start`` (not counting ``start``), and the skips."""
        if count < 0:
            raise ValueError(f"working-day count must not be negative, got {count}")
        day = start
        skipped: list[SkippedDay] = []
        remaining = count
        while remaining:
            day += timedelta(days=1)
            reason = self.why_not_working(day)
            if reason is None:
                remaining -= 1
            else:
                skipped.append(SkippedDay(day, reason))
        return day, tuple(skipped)

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie after ``start`` up to and including ``end``."""
        if end <= start:
            return 0
        return sum(
            1
            for offset in range(1, (end - start).days + 1)
            if self.is_working_day(start + timedelta(days=offset))
        )

    def local_day(self, moment: datetime) -> date:
        """The calendar day in London on which an aware ``moment`` falls."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"{moment!r} must be a timezone-aware datetime")
        return moment.astimezone(self.tz).date()

    def end_of_day(self, day: date) -> datetime:
        """Close of business on ``day``, London time, as an aware datetime."""
        return datetime.combine(day, self.close_of_business, tzinfo=self.tz)

    def working_days_after(self, start: datetime, count: int) -> Deadline:
        """Close of business on the ``count``-th working day after the day ``start`` falls on."""
        if count < 1:
            raise ValueError(f"a working-day clock needs at least 1 day, got {count}")
        day, skipped = self.add_working_days(self.local_day(start), count)
        return Deadline(
            due=self.end_of_day(day),
            rule=f"{count} working day{'s' if count != 1 else ''}",
            start=start,
            skipped=skipped,
        )

    def months_after(self, start: datetime, count: int) -> Deadline:
        """Close of business on the same day of the month ``count`` months after the day
        ``start`` falls on (the month's last day where it is shorter: 31 Jan + 1 month is
        28 or 29 Feb), as statutory review timescales are counted."""
        if count < 1:
            raise ValueError(f"a month clock needs at least 1 month, got {count}")
        return Deadline(
            due=self.end_of_day(add_months(self.local_day(start), count)),
            rule=f"{count} month{'s' if count != 1 else ''}",
            start=start,
        )

    def calendar_days_after(self, start: datetime, count: int) -> Deadline:
        """Close of business ``count`` calendar days after the day ``start`` falls on."""
        if count < 1:
            raise ValueError(f"a calendar-day clock needs at least 1 day, got {count}")
        day = self.local_day(start) + timedelta(days=count)
        return Deadline(
            due=self.end_of_day(day),
            rule=f"{count} calendar day{'s' if count != 1 else ''}",
            start=start,
        )


def add_months(day: date, count: int) -> date:
    """``day`` moved by ``count`` months (back, if negative), kept within the target month."""
    index = day.year * 12 + day.month - 1 + count
    year, month = divmod(index, 12)
    last = monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
