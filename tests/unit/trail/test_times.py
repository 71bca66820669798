"""The rule for an entry's moment: never behind the entry ahead of it by more than a lock's wait
(within it, dated as that entry), never before its escalation was raised; imported entries
record earlier moments and are left out."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from escalation_engine.errors import InvalidInput
from escalation_engine.trail.times import LOCK_WAIT, Times, in_order
from tests.support.shipped import MONDAY


def _row(
    seq: int, at: object, action: str = "respond", ref: str = "ESC-1", data: str = "{}"
) -> object:
    return SimpleNamespace(seq=seq, at=at, action=action, reference=ref, data=data)


@given(st.integers(min_value=-3 * 86_400, max_value=3 * 86_400))
def test_a_moment_is_kept_dated_as_the_entry_ahead_or_refused(seconds: int) -> None:
    at = MONDAY + timedelta(seconds=seconds)
    if at >= MONDAY:
        assert in_order(at, MONDAY) == at
    elif MONDAY - at <= LOCK_WAIT:
        assert in_order(at, MONDAY) == MONDAY
    else:
        with pytest.raises(InvalidInput, match="never run backwards"):
            in_order(at, MONDAY)


def test_an_empty_trail_takes_any_moment() -> None:
    assert in_order(MONDAY, None) == MONDAY


def test_verify_names_an_entry_behind_the_one_ahead_and_one_before_its_raising() -> None:
    times = Times()
    assert times.problem(_row(1, MONDAY, "raise", "ESC-1")) is None
    assert times.problem(_row(2, MONDAY + timedelta(days=1), "raise", "ESC-2")) is None
    behind = times.problem(_row(3, MONDAY, "respond", "ESC-2"))
    assert behind is not None
    assert behind.startswith("entry 3 (ESC-2, respond) is dated")
    assert "before entry 2 ahead of it" in behind
    fresh = Times()
    fresh.problem(_row(1, MONDAY, "raise", "ESC-1"))
    early = fresh.problem(_row(2, MONDAY - timedelta(minutes=1), "respond", "ESC-1"))
    assert early is not None
    assert "before ESC-1 was raised" in early


def test_imported_entries_and_a_lock_wait_are_not_named() -> None:
    times = Times()
    assert times.problem(_row(1, MONDAY, "raise", "ESC-1")) is None
    old = MONDAY - timedelta(days=400)
    assert times.problem(_row(2, old, "raise", "ESC-2", '{"imported":{"source":"x"}}')) is None
    assert times.problem(_row(3, MONDAY - LOCK_WAIT, "respond", "ESC-3")) is None
