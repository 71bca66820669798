"""A username with no account is "locked" exactly when an account failing at the same moments
would be, so a refusal never tells whether a username has an account."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from escalation_engine.domain import passwords
from tests.support.shipped import MONDAY


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=30))
def test_the_shadow_lock_matches_an_accounts_lock_after_the_same_failures(
    gaps: list[int],
) -> None:
    moments = []
    at = MONDAY
    for gap in gaps:
        at += timedelta(minutes=gap)
        moments.append(at)
    failures, locked_until = 0, None
    for n, now in enumerate(moments):
        attempt = passwords.decide(
            exists=True, disabled=False, failures=failures, locked_until=locked_until,
            password_ok=False, now=now,
        )  # fmt: skip
        account_locked = attempt.locked_until if attempt.detail.endswith("locked") else None
        assert passwords.shadow_lock(moments[:n], now) == account_locked
        failures, locked_until = attempt.failures, attempt.locked_until
