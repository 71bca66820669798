"""What one audit entry adds to the report's running counts, decided from the entry alone.

The report counts what happened in a period (responses and whether they came in time, timeouts,
breaches, ratings given, Cafcass referrals, meetings, imported raisings). Reading a million entries
to count them took seconds, so each entry is counted as it is written, by day, workflow version,
alert type, kind, stage and detail (a *tally*), in the same transaction as the entry. The few
facts a report needs by escalation (a closing's reason, a rating given, a reopening) are kept as
*marks*. Both are derived: ``audit verify`` recounts them from the trail, and ``escalate db
recount`` rebuilds them from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from escalation_engine.domain.actions import catalogue
from escalation_engine.domain.actions.changing import Rated
from escalation_engine.domain.actions.moving import Reopened
from escalation_engine.domain.actions.responding import Responded
from escalation_engine.domain.events import Event, PersonEvent, Raised, Written
from escalation_engine.reports.facts import STEPS
from escalation_engine.spec.model import OUTCOMES

#: Entries a tally counts (a raising only when it gave a rating or was imported).
COUNTED = frozenset({"respond", "timeout", "stage_breach", "overall_breach", "rate", "raise",
                     "refer_cafcass", "meeting", *STEPS})  # fmt: skip


class Tally(NamedTuple):
    """What an entry counts as: its kind, the stage it happened at ('' for none), its detail
    (the rating given, or 'true'/'false' for whether a response came in time, '' for none) and
    whether it was an imported raising."""

    action: str
    stage: str
    detail: str
    imported: bool


class Mark(NamedTuple):
    """What the report needs of an entry by escalation: the rating it gave, or why it closed."""

    action: str
    detail: str | None
    reason: str | None


def _rating(event: Event) -> str | None:
    """The rating an entry gave: when raised, or rated."""
    rating = event.rating if isinstance(event, Raised | Rated) else None
    return rating if isinstance(rating, str) else None


def tally_of(action: str, from_stage: str | None, data: dict[str, Any]) -> Tally | None:
    """The count ``action`` at ``from_stage`` with ``data`` adds to, or ``None`` for none."""
    if action not in COUNTED:
        return None
    event = catalogue.event_of(action, data)
    rating = _rating(event)
    imported = isinstance(event, Raised) and Written.read(data).imported is not None
    if isinstance(event, Raised) and rating is None and not imported:
        return None
    detail = ""
    if rating is not None:
        detail = rating
    elif isinstance(event, Responded) and isinstance(event.in_time, bool):
        detail = "true" if event.in_time else "false"
    return Tally(action, from_stage or "", detail, imported)


def mark_of(
    action: str, from_stage: str | None, to_stage: str | None, data: dict[str, Any]
) -> Mark | None:
    """The mark an entry leaves, or ``None``: a rating given, a reopening, or a closing that
    said why."""
    event = catalogue.event_of(action, data)
    rating = _rating(event)
    if rating is not None:
        return Mark(action, rating, None)
    if isinstance(event, Reopened):
        return Mark(action, None, None)
    reason = event.reason if isinstance(event, PersonEvent) else None
    closing = to_stage in OUTCOMES and from_stage != to_stage
    if closing and isinstance(reason, str):
        return Mark(action, None, reason)
    return None


@dataclass(frozen=True, slots=True)
class TallyReport:
    """Whether the report's counts and marks agree with the trail (``audit verify``)."""

    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "problem": self.problem}
