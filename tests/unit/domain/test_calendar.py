from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from escalation_engine.domain.calendar import (
    LONDON,
    WorkingCalendar,
    add_months,
    england_and_wales_bank_holidays,
)

CAL = WorkingCalendar()


def test_three_working_days_from_15_september_2022_skip_the_state_funeral() -> None:
    deadline = CAL.working_days_after(datetime(2022, 9, 15, 10, tzinfo=LONDON), 3)
    assert deadline.due.isoformat() == "2022-09-21T17:00:00+01:00"
    assert [(s.day.isoformat(), s.reason) for s in deadline.skipped] == [
        ("2022-09-17", "weekend"),
        ("2022-09-18", "weekend"),
        ("2022-09-19", "bank holiday: State Funeral of Queen Elizabeth II"),
    ]


def test_one_off_bank_holidays_are_not_working_days() -> None:
    for day in (date(2022, 6, 2), date(2022, 6, 3), date(2022, 9, 19), date(2023, 5, 8)):
        assert not CAL.is_working_day(day), day


def test_substitute_day_for_christmas_on_a_weekend_is_skipped() -> None:
    assert CAL.why_not_working(date(2022, 12, 27)) == "bank holiday: Christmas Day (observed)"


def test_alert_raised_on_saturday_counts_from_monday() -> None:
    deadline = CAL.working_days_after(datetime(2026, 1, 10, 11, tzinfo=LONDON), 1)
    assert deadline.due == datetime(2026, 1, 12, 17, tzinfo=LONDON)


def test_alert_raised_after_hours_gets_the_same_days_as_one_raised_that_morning() -> None:
    morning = CAL.working_days_after(datetime(2026, 1, 5, 9, tzinfo=LONDON), 5)
    evening = CAL.working_days_after(datetime(2026, 1, 5, 22, tzinfo=LONDON), 5)
    assert morning.due == evening.due == datetime(2026, 1, 12, 17, tzinfo=LONDON)


def test_deadline_across_the_clocks_going_forward_keeps_local_close_of_business() -> None:
    deadline = CAL.working_days_after(
        datetime(2026, 3, 27, 12, tzinfo=LONDON), 1
    )  # Fri, BST from Sun
    assert deadline.due.isoformat() == "2026-03-30T17:00:00+01:00"


def test_local_closure_days_are_skipped_with_their_reason() -> None:
    cal = WorkingCalendar(closures={date(2026, 1, 6): "Council training day"})
    deadline = cal.working_days_after(datetime(2026, 1, 5, 9, tzinfo=LONDON), 1)
    assert deadline.due.date() == date(2026, 1, 7)
    assert deadline.skipped[0].reason == "local closure: Council training day"


days = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))


@settings(max_examples=200, deadline=None)
@given(start=days, count=st.integers(min_value=0, max_value=60))
def test_adding_working_days_lands_on_a_working_day_and_counts_back(
    start: date, count: int
) -> None:
    end, skipped = CAL.add_working_days(start, count)
    if count:
        assert CAL.is_working_day(end)
    assert CAL.working_days_between(start, end) == count
    assert (end - start).days == count + len(skipped)
    assert all(not CAL.is_working_day(s.day) for s in skipped)


@settings(max_examples=200, deadline=None)
@given(
    start=days, a=st.integers(min_value=0, max_value=30), b=st.integers(min_value=0, max_value=30)
)
def test_adding_working_days_composes(start: date, a: int, b: int) -> None:
    middle, _ = CAL.add_working_days(start, a)
    assert CAL.add_working_days(middle, b)[0] == CAL.add_working_days(start, a + b)[0]


@settings(max_examples=100, deadline=None)
@given(start=days, count=st.integers(min_value=1, max_value=20))
def test_working_day_deadlines_never_fall_on_weekends_and_are_at_close_of_business(
    start: date, count: int
) -> None:
    deadline = CAL.working_days_after(
        datetime.combine(start, datetime.min.time(), LONDON) + timedelta(hours=10), count
    )
    local = deadline.due.astimezone(LONDON)
    assert local.weekday() < 5
    assert (local.hour, local.minute) == (17, 0)


def test_the_uk_module_alone_gives_the_same_bank_holidays_as_the_whole_package() -> None:
    import holidays

    ours = england_and_wales_bank_holidays()
    theirs = holidays.country_holidays("GB", subdiv="ENG")
    for year in range(2000, 2041):
        days = [date(year, 1, 1) + timedelta(days=n) for n in range(366)]
        assert {d: ours.get(d) for d in days} == {d: theirs.get(d) for d in days}, year


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.integers(-48, 48))
def test_adding_months_lands_in_the_right_month_on_the_same_day_or_its_last(
    day: date, months: int
) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == min(day.day, monthrange(moved.year, moved.month)[1])
