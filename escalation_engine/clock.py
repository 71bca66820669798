"""The only place the engine reads the wall clock.

Domain code receives ``now`` as an argument; the service asks a ``Clock``. Tests and the demo pass
a ``FakeClock`` and move it, so nothing ever sleeps to test a deadline.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the time, always as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to: for tests, the demo and simulations."""

    def __init__(self, start: datetime) -> None:
        self._now = require_aware(start).astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        """Move forward by a ``timedelta(**delta)`` and return the new time."""
        self._now += timedelta(**delta)
        return self._now

    def set(self, moment: datetime) -> datetime:
        """Jump to ``moment`` (forwards or backwards) and return it."""
        self._now = require_aware(moment).astimezone(UTC)
        return self._now


def require_aware(moment: datetime) -> datetime:
    """Return ``moment`` unchanged, or raise if it has no timezone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} must be a timezone-aware datetime")
    return moment
