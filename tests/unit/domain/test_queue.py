"""Where an escalation stands against its deadline, and the order a manager's queue shows them in:
late by working days (breached latest of all), due today, due this week."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from escalation_engine.domain import queue
from escalation_engine.domain.filters import Filter
from escalation_engine.domain.queue import Standing
from escalation_engine.errors import InvalidInput
from tests.support import shipped
from tests.support.shipped import LONDON, MONDAY

DRP = shipped.workflow("dispute_resolution")
CALENDAR = shipped.calendar()


def _due(at: datetime, **fields: object) -> object:
    return shipped.escalation(DRP, stage_due_at=at, **fields)


def test_late_items_say_by_how_many_working_days_not_zero_days_left() -> None:
    due = datetime(2026, 1, 9, 17, tzinfo=LONDON)  # a Friday
    esc = _due(due)
    # The next Tuesday: Monday and Tuesday have passed since (the weekend does not count).
    where = queue.standing(esc, CALENDAR, datetime(2026, 1, 13, 10, tzinfo=LONDON))  # type: ignore[arg-type]
    assert (where.days_left, where.overdue_by, where.late) == (0, 2, True)
    later_that_day = queue.standing(esc, CALENDAR, due + timedelta(minutes=5))  # type: ignore[arg-type]
    assert (later_that_day.overdue_by, later_that_day.late) == (0, True)


def test_due_today_and_this_week_are_counted_from_london_days() -> None:
    esc = _due(datetime(2026, 1, 9, 17, tzinfo=LONDON))  # Friday
    monday = queue.standing(esc, CALENDAR, MONDAY)  # type: ignore[arg-type]
    assert (monday.days_left, monday.due_today, monday.due_this_week) == (4, False, True)
    friday = queue.standing(esc, CALENDAR, datetime(2026, 1, 9, 9, tzinfo=LONDON))  # type: ignore[arg-type]
    assert (friday.days_left, friday.due_today, friday.due_this_week) == (0, True, True)
    next_week = _due(datetime(2026, 1, 12, 17, tzinfo=LONDON))
    assert not queue.standing(next_week, CALENDAR, MONDAY).due_this_week  # type: ignore[arg-type]


def test_a_closed_escalation_is_due_nothing() -> None:
    esc = _due(MONDAY - timedelta(days=3), outcome="resolved", closed_at=MONDAY)
    esc = replace(esc, stage="resolved")  # type: ignore[type-var]
    where = queue.standing(esc, CALENDAR, MONDAY)  # type: ignore[arg-type]
    assert where == Standing(None, None, False, False, False)


def test_breached_sorts_first_then_the_latest_then_the_soonest_and_nothing_due_last() -> None:
    now = datetime(2026, 1, 14, 12, tzinfo=LONDON)
    items = {
        "none": _due(None),  # type: ignore[arg-type]
        "soon": _due(now + timedelta(days=1)),
        "sooner": _due(now + timedelta(hours=1)),
        "late_1": _due(now - timedelta(days=1)),
        "late_5": _due(now - timedelta(days=7)),
        "breached": _due(None, stage_breached_at=now - timedelta(days=2)),  # type: ignore[arg-type]
    }
    pairs = [
        (replace(esc, reference=name), queue.standing(esc, CALENDAR, now))  # type: ignore[type-var, arg-type]
        for name, esc in items.items()
    ]
    order = [esc.reference for esc, _ in queue.ordered(pairs, "due", lambda e: 0)]
    assert order == ["breached", "late_5", "late_1", "sooner", "soon", "none"]
    counts = queue.counted(where for _, where in pairs)
    assert counts == queue.Counts(overdue=3, today=1, week=2, total=6)


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [("Overdue", "overdue"), ("this week", "week"), (" today ", "today")],
)
def test_deadline_windows_are_read_as_people_write_them(given_value: str, expected: str) -> None:
    assert queue.window(given_value) == expected


def test_an_unknown_window_or_order_names_what_is_allowed() -> None:
    with pytest.raises(InvalidInput, match="use 'overdue', 'today' or 'week'"):
        queue.window("tomorrow")
    with pytest.raises(InvalidInput, match="sort by 'due', 'raised', 'reference' or 'stage'"):
        queue.sort_key("urgency")


@given(
    offsets=st.lists(st.integers(min_value=-30 * 24, max_value=30 * 24), min_size=1, max_size=30),
    hours=st.integers(min_value=0, max_value=24 * 14),
)
def test_every_late_item_sorts_before_every_item_that_is_not(
    offsets: list[int], hours: int
) -> None:
    now = MONDAY + timedelta(hours=hours)
    pairs = []
    for n, offset in enumerate(offsets):
        esc = replace(_due(now + timedelta(hours=offset)), reference=f"ESC-{n}")  # type: ignore[type-var]
        pairs.append((esc, queue.standing(esc, CALENDAR, now)))  # type: ignore[arg-type]
    listed = [where for _, where in queue.ordered(pairs, "due", lambda e: 0)]
    lates = [where.late for where in listed]
    assert lates == sorted(lates, reverse=True)  # every True before every False
    late_by = [where.overdue_by for where in listed if where.overdue_by is not None]
    assert late_by == sorted(late_by, reverse=True)
    assert queue.counted(listed).total == len(offsets)
    assert all(where.due_this_week for where in listed if where.due_today)


@given(
    offset=st.integers(min_value=-30 * 24, max_value=30 * 24),
    breached=st.sampled_from(["none", "stage", "overall"]),
    stage=st.sampled_from(["team_manager", "director", "resolved", "withdrawn"]),
    hours=st.integers(min_value=0, max_value=24 * 14),
)
def test_a_list_filtered_to_the_late_holds_exactly_what_the_queue_calls_late(
    offset: int, breached: str, stage: str, hours: int
) -> None:
    now = MONDAY + timedelta(hours=hours)
    marks = {f"{breached}_breached_at": now - timedelta(days=1)} if breached != "none" else {}
    esc = _due(now + timedelta(hours=offset), stage=stage, **marks)
    late = queue.standing(esc, CALENDAR, now).late  # type: ignore[arg-type]
    assert late == queue.is_late(esc, now)  # type: ignore[arg-type]
    assert late == Filter(overdue_at=now, include_closed=True).keeps(esc)  # type: ignore[arg-type]
