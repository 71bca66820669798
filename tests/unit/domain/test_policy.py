"""Deadlines and what falls due, decided from the moment they are handed: every clock kind, a
deadline a person sets, where a stage's clock starts, reminders, and the order of due items."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from escalation_engine.domain import policy
from escalation_engine.errors import InvalidInput
from escalation_engine.spec.model import Timescale
from tests.support import shipped
from tests.support.shipped import LONDON, MONDAY

CALENDAR = shipped.calendar()


@pytest.mark.parametrize(
    ("clock", "due"),
    [
        (Timescale(kind="working_days", amount=5), datetime(2026, 1, 12, 17, tzinfo=LONDON)),
        (Timescale(kind="calendar_days", amount=3), datetime(2026, 1, 8, 17, tzinfo=LONDON)),
        (Timescale(kind="months", amount=1), datetime(2026, 2, 5, 17, tzinfo=LONDON)),
        (Timescale(kind="hours", amount=4), MONDAY + timedelta(hours=4)),
        (Timescale(kind="minutes", amount=90), MONDAY + timedelta(minutes=90)),
        (Timescale(kind="immediately", amount=0), MONDAY),
    ],
    ids=["working days", "calendar days", "months", "hours", "minutes", "immediately"],
)
def test_each_kind_of_clock_runs_out_when_its_rule_says(clock: Timescale, due: datetime) -> None:
    assert policy.deadline_after(clock, MONDAY, CALENDAR).due == due


def test_working_days_skip_a_bank_holiday_and_the_weekend() -> None:
    # Thursday 2 April 2026: Good Friday and Easter Monday fall within five working days.
    start = datetime(2026, 4, 2, 10, tzinfo=LONDON)
    deadline = policy.deadline_after(Timescale(kind="working_days", amount=5), start, CALENDAR)
    assert deadline.due == datetime(2026, 4, 13, 17, tzinfo=LONDON)


def test_a_clock_with_no_length_is_refused() -> None:
    with pytest.raises(ValueError, match="has no fixed length"):
        policy.deadline_after(Timescale(kind="none", amount=0), MONDAY, CALENDAR)


def test_a_day_a_person_sets_ends_at_close_of_business() -> None:
    deadline = policy.due_from_person(date(2026, 1, 9), now=MONDAY, calendar=CALENDAR, limit=None)
    assert deadline.due == datetime(2026, 1, 9, 17, tzinfo=LONDON)
    assert deadline.rule == "set by a person"


def test_a_day_a_person_sets_in_the_past_is_refused_naming_now() -> None:
    with pytest.raises(InvalidInput, match="not in the future .*2026-01-05 09:00"):
        policy.due_from_person(date(2026, 1, 2), now=MONDAY, calendar=CALENDAR, limit=None)


def test_a_day_a_person_sets_beyond_the_stages_limit_is_refused_naming_the_latest() -> None:
    limit = Timescale(kind="working_days", amount=5)
    with pytest.raises(InvalidInput, match="later than this stage allows .*2026-01-12 17:00"):
        policy.due_from_person(date(2026, 1, 20), now=MONDAY, calendar=CALENDAR, limit=limit)


def test_a_stage_clock_starts_on_entry_on_raising_or_on_a_named_date() -> None:
    spec = shipped.workflow("dispute_resolution")
    stage = spec.stage("team_manager")
    esc = shipped.escalation(spec, at=MONDAY, dates={"review_date": date(2026, 1, 2)})
    later = MONDAY + timedelta(days=2)
    assert policy.clock_start(stage, esc, later, CALENDAR) == later
    assert policy.clock_start(replace(stage, starts="raised"), esc, later, CALENDAR) == MONDAY
    named = policy.clock_start(replace(stage, starts="review_date"), esc, later, CALENDAR)
    assert named == datetime(2026, 1, 2, 17, tzinfo=LONDON)


def test_a_clock_counting_from_a_date_not_given_is_refused_naming_the_date() -> None:
    spec = shipped.workflow("dispute_resolution")
    stage = replace(spec.stage("team_manager"), starts="review_date")
    with pytest.raises(
        InvalidInput, match="counts its deadline from the review date, which was not given"
    ):
        policy.clock_start(stage, shipped.escalation(spec), MONDAY, CALENDAR)


def test_a_reminder_a_working_day_ahead_comes_at_nine_on_the_working_day_before() -> None:
    # Due Monday 12 January at 17:00: one working day before is Friday 9 January.
    due = datetime(2026, 1, 12, 17, tzinfo=LONDON)
    lead = Timescale(kind="working_days", amount=1)
    assert policy.reminder_before(lead, due, CALENDAR) == datetime(2026, 1, 9, 9, tzinfo=LONDON)


def test_a_reminder_hours_ahead_is_exactly_that_many_hours_before() -> None:
    due = datetime(2026, 1, 12, 17, tzinfo=LONDON)
    lead = Timescale(kind="hours", amount=2)
    assert policy.reminder_before(lead, due, CALENDAR) == due - timedelta(hours=2)


def test_a_reminder_that_would_fall_before_the_stage_began_is_not_set() -> None:
    stage = shipped.workflow("dispute_resolution").stage("team_manager")
    due = datetime(2026, 1, 12, 17, tzinfo=LONDON)
    assert policy.first_reminder(stage, due, MONDAY, CALENDAR) == datetime(
        2026, 1, 9, 9, tzinfo=LONDON
    )
    # Entered on Friday at 10:00, after the reminder's moment: none is set.
    friday = datetime(2026, 1, 9, 10, tzinfo=LONDON)
    assert policy.first_reminder(stage, due, friday, CALENDAR) is None


def test_a_stage_with_no_deadline_reminds_on_its_cadence() -> None:
    spec = shipped.workflow("dispute_resolution")
    stage = replace(spec.stage("director"), clock=Timescale(kind="none", amount=0))
    assert policy.first_reminder(stage, None, MONDAY, CALENDAR) == datetime(
        2026, 1, 7, 17, tzinfo=LONDON
    )
    no_cadence = replace(stage, remind_every=None)
    assert policy.first_reminder(no_cadence, None, MONDAY, CALENDAR) is None
    # Asked for the next one anyway (a holding response, say): every two working days.
    assert policy.cadence(no_cadence, MONDAY, CALENDAR) == datetime(2026, 1, 7, 17, tzinfo=LONDON)


def test_due_items_come_oldest_first_and_a_timeout_before_a_reminder_at_the_same_moment() -> None:
    spec = shipped.workflow("dispute_resolution")
    moment = MONDAY + timedelta(days=1)
    esc = shipped.escalation(
        spec, stage_due_at=moment, remind_at=moment, overall_due_at=moment - timedelta(hours=1)
    )
    assert policy.due_items(esc, moment) == [
        (moment - timedelta(hours=1), "overall_breach"),
        (moment, "timeout"),
        (moment, "reminder"),
    ]


def test_nothing_is_due_before_its_moment_once_breached_or_once_closed() -> None:
    spec = shipped.workflow("dispute_resolution")
    moment = MONDAY + timedelta(days=1)
    esc = shipped.escalation(spec, stage_due_at=moment, remind_at=moment, overall_due_at=moment)
    assert policy.due_items(esc, moment - timedelta(seconds=1)) == []
    esc.overall_breached_at = moment
    assert [kind for _, kind in policy.due_items(esc, moment)] == ["timeout", "reminder"]
    esc.stage = "resolved"
    assert policy.due_items(esc, moment) == []


_MOMENTS = st.none() | st.integers(min_value=0, max_value=40).map(
    lambda hours: MONDAY + timedelta(hours=hours)
)


@given(stage_due=_MOMENTS, remind=_MOMENTS, overall=_MOMENTS, now_hours=st.integers(0, 40))
def test_due_items_are_exactly_what_has_passed_in_order(
    stage_due: datetime | None, remind: datetime | None, overall: datetime | None, now_hours: int
) -> None:
    spec = shipped.workflow("dispute_resolution")
    esc = shipped.escalation(spec, stage_due_at=stage_due, remind_at=remind, overall_due_at=overall)
    now = MONDAY + timedelta(hours=now_hours)
    items = policy.due_items(esc, now)
    assert [m for m, _ in items] == sorted(m for m, _ in items)
    expected = {("timeout", stage_due), ("reminder", remind), ("overall_breach", overall)}
    assert {(kind, m) for m, kind in items} == {
        (kind, m) for kind, m in expected if m is not None and m <= now
    }
