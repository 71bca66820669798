"""The escalation as the domain sees it: a plain object, separate from its database row.

The state machine moves ``stage``; the service sets the deadlines; the store maps this object to
and from a row. Keeping it apart from SQLModel lets ``transitions`` drive it without touching the
ORM, and lets the pure policy reason about it without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from escalation_engine.spec.model import OUTCOMES


@dataclass(kw_only=True)
class Escalation:
    """One escalation about one concern (for one child or a sibling group)."""

    reference: str
    workflow: str
    workflow_digest: str
    alert_type: str
    category: str
    case_refs: tuple[str, ...]
    summary: str
    team: str
    looked_after: bool
    raised_by: str
    raised_at: datetime
    stage: str
    status: str = "awaiting_response"
    rag: str | None = None
    with_roles: tuple[str, ...] = ()
    with_people: tuple[str, ...] = ()
    stage_entered_at: datetime | None = None
    stage_due_at: datetime | None = None
    remind_at: datetime | None = None
    overall_started_at: datetime | None = None
    overall_due_at: datetime | None = None
    overall_breached_at: datetime | None = None
    stage_breached_at: datetime | None = None
    last_stage: str | None = None
    outcome: str | None = None
    closed_at: datetime | None = None
    cafcass_referred_at: datetime | None = None
    satisfied: tuple[str, ...] = ()
    stages_reached: tuple[str, ...] = ()
    dates: dict[str, date] = field(default_factory=dict)
    version: int = 0
    #: Who said they are handling it at this stage ("I'm on it"); cleared when it moves on.
    handled_by: str | None = None
    #: Roles that must all be satisfied at the current stage, filled in by the service.
    required_satisfied: tuple[str, ...] = ()
    satisfied_mode: str = "any_of"
    #: Whether the rating being given moves the escalation (set by the ``rate`` action).
    rating_moves: bool = True

    @property
    def is_open(self) -> bool:
        return self.stage not in OUTCOMES

    @property
    def next_due_at(self) -> datetime | None:
        """The earliest moment something is due for this escalation (deadline, reminder, breach)."""
        if not self.is_open:
            return None
        candidates = [self.stage_due_at, self.remind_at]
        if self.overall_breached_at is None:
            candidates.append(self.overall_due_at)
        due = [moment for moment in candidates if moment is not None]
        return min(due) if due else None

    def is_satisfied(self) -> bool:
        """Whether the people who must be satisfied at this stage all (or any) have accepted."""
        if self.satisfied_mode == "any_of":
            return bool(self.satisfied)
        return set(self.required_satisfied) <= set(self.satisfied)
