"""The retention plan: only closed escalations a rule covers fall due, the longest rule wins,
29 February comes round as 28 February, and the plan is in the order things fall due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.retention import plan, years_on
from escalation_engine.settings.retention import Retention


def _escalation(n: int, closed: date | None, workflow: str = "dispute_resolution",
                category: str = "drift_and_delay") -> Escalation:  # fmt: skip
    raised = datetime(2020, 1, 6, 9, tzinfo=UTC)
    return Escalation(
        reference=f"ESC-2020-{n:04d}", workflow=workflow, workflow_digest="0" * 64,
        summary="No permanence plan.", looked_after=True, alert_type="practice_alert",
        category=category, case_refs=("CLA-100234",), team="north", raised_by="aisha",
        raised_at=raised, stage="resolved" if closed else "team_manager",
        closed_at=datetime.combine(closed, datetime.min.time(), UTC) if closed else None,
    )  # fmt: skip


def _closed_on(esc: Escalation) -> date | None:
    return esc.closed_at.date() if esc.closed_at else None


def test_the_longest_rule_that_applies_decides_and_open_ones_are_kept() -> None:
    schedule = Retention(years=10, workflows={"professional_concern": 3},
                         categories={"safeguarding": 25})  # fmt: skip
    found = plan([
        _escalation(1, date(2021, 3, 1)),
        _escalation(2, date(2021, 3, 1), workflow="professional_concern"),
        _escalation(3, date(2021, 3, 1), category="safeguarding"),
        _escalation(4, None),
        _escalation(5, date(2020, 2, 29)),
    ], schedule.years_for, _closed_on)  # fmt: skip
    assert [(d.reference, d.years, d.remove_on) for d in found] == [
        ("ESC-2020-0005", 10, date(2030, 2, 28)),
        ("ESC-2020-0001", 10, date(2031, 3, 1)),
        ("ESC-2020-0002", 10, date(2031, 3, 1)),  # the default outlasts its workflow's 3
        ("ESC-2020-0003", 25, date(2046, 3, 1)),
    ]


def test_nothing_falls_due_where_no_rule_applies() -> None:
    only_placement = Retention(categories={"placement": 7})
    assert plan([_escalation(1, date(2021, 3, 1))], only_placement.years_for, _closed_on) == []
    assert not Retention().set


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
       st.integers(min_value=1, max_value=100))  # fmt: skip
def test_a_period_of_years_lands_on_the_same_day_or_the_28th_of_february(
    day: date, years: int
) -> None:
    later = years_on(day, years)
    assert later.year == day.year + years
    assert (later.month, later.day) == ((day.month, day.day) if (day.month, day.day) != (2, 29)
                                        or later.year % 4 == 0 and (later.year % 100 != 0 or later.year % 400 == 0)
                                        else (2, 28))  # fmt: skip
    assert later - day >= timedelta(days=365 * years - 1)


def test_a_case_records_own_date_keeps_its_escalations_at_least_that_long() -> None:
    schedule = Retention(years=6)
    closed = date(2021, 3, 1)
    found = plan([_escalation(1, closed), _escalation(2, None)], schedule.years_for, _closed_on,
                 {"CLA-100234": date(2083, 5, 17)})  # fmt: skip
    assert [(d.reference, d.years, d.kept_until, d.remove_on) for d in found] == [
        ("ESC-2020-0001", 6, date(2083, 5, 17), date(2083, 5, 17)),  # open ones are still kept
    ]
    earlier = plan([_escalation(1, closed)], schedule.years_for, _closed_on,
                   {"CLA-100234": date(2022, 1, 1)})  # fmt: skip
    assert [(d.kept_until, d.remove_on) for d in earlier] == [(None, date(2027, 3, 1))]
    only_the_case = plan([_escalation(1, closed)], Retention().years_for, _closed_on,
                         {"CLA-100234": date(2019, 1, 1)})  # fmt: skip
    assert [(d.years, d.remove_on) for d in only_the_case] == [
        (None, closed)
    ]  # not before it closed
