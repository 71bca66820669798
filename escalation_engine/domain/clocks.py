"""The moments that decide when the engine next acts on an escalation, as each entry records them.

An escalation's row keeps its stage deadline, its next reminder and its overall limit so the
worker can find what falls due. A row is not signed: a deadline moved a year out, or a reminder
cleared, would stop the escalation climbing with nothing in the trail to say so. So every entry
records the clocks as it leaves them; replay compares the row with the latest, ``audit verify``
and ``show`` name any difference, and the worker puts the row back and raises an alarm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: The escalation's stored moments that decide when the engine next acts on it.
CLOCK_FIELDS = ("stage_due_at", "remind_at", "overall_due_at", "overall_breached_at")


@dataclass(frozen=True, slots=True, kw_only=True)
class Clocks:
    """When an escalation's stage is due, its next reminder, its overall limit and whether that
    passed, as an entry leaves them: the signed trail says when the engine must act next, so a
    stored due time moved without an entry is found."""

    stage_due_at: datetime | None = None
    remind_at: datetime | None = None
    overall_due_at: datetime | None = None
    overall_breached_at: datetime | None = None

    @classmethod
    def of(cls, escalation: Any) -> Clocks:
        return cls(**{name: getattr(escalation, name) for name in CLOCK_FIELDS})

    def data(self) -> dict[str, str | None]:
        moments = {name: getattr(self, name) for name in CLOCK_FIELDS}
        return {name: m.astimezone(UTC).isoformat() if m else None for name, m in moments.items()}

    @classmethod
    def read(cls, data: Mapping[str, Any]) -> Clocks:
        return cls(**{
            name: datetime.fromisoformat(data[name]) if data.get(name) else None
            for name in CLOCK_FIELDS
        })  # fmt: skip

    @property
    def next_due_at(self) -> datetime | None:
        """The earliest of them the worker must act at (as ``Escalation.next_due_at``)."""
        candidates = [self.stage_due_at, self.remind_at]
        if self.overall_breached_at is None:
            candidates.append(self.overall_due_at)
        due = [m for m in candidates if m is not None]
        return min(due) if due else None

    def moved(self, row: Any, *, open_: bool = True) -> dict[str, tuple[datetime | None, ...]]:
        """Each of ``row``'s stored moments that is not this: name → (stored, recorded); for an
        open escalation, the stored next due time (what the worker looks for) too."""
        names = (*CLOCK_FIELDS, "next_due_at") if open_ else CLOCK_FIELDS
        pairs = {name: (getattr(row, name), getattr(self, name)) for name in names}
        return {name: pair for name, pair in pairs.items() if pair[0] != pair[1]}


#: How each clock is called in what people read.
CLOCK_WORDS = {
    "stage_due_at": "stage deadline", "remind_at": "next reminder",
    "overall_due_at": "overall time limit", "overall_breached_at": "overall limit's breach",
    "next_due_at": "next due time (what the worker looks for)",
}  # fmt: skip


def moment(value: datetime | None) -> str:
    """A clock's value as the trail writes it (UTC), or ``none``."""
    return value.astimezone(UTC).isoformat() if value is not None else "none"
