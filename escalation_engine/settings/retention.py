"""The retention schedule in config.yaml: how long after an escalation closes its personal text
(summary, notes, meeting records) is kept. The skeleton (dates, stages, outcomes, categories,
ratings) is kept for good, so past years' reports never change.

A council sets one period for everything and may set longer or shorter ones per workflow or per
category; where several apply, the longest is kept, so no rule ever removes text another still
needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from escalation_engine.settings.fields import Fields

#: The longest period a schedule may set: no record outlives a child's 75th birthday by more.
MAX_YEARS = 100


@dataclass(frozen=True, slots=True)
class Retention:
    """Years after closure, for everything (``None``: kept until the council says) and per
    workflow and per category."""

    years: int | None = None
    workflows: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)

    @property
    def set(self) -> bool:
        return self.years is not None or bool(self.workflows) or bool(self.categories)

    def years_for(self, workflow: str, category: str) -> int | None:
        """How many years after closure the text of an escalation of ``workflow`` filed under
        ``category`` is kept: the longest rule that applies (``None``: no rule does)."""
        found = [y for y in (self.years, self.workflows.get(workflow), self.categories.get(category))
                 if y is not None]  # fmt: skip
        return max(found) if found else None


def _periods(fields: Fields, raw: Any, key: str, known: set[str] | None) -> dict[str, int]:
    periods = fields.mapping(raw, key)
    for name, years in periods.items():
        if known is not None and name not in known:
            raise fields.fail(
                f"{key}.{name}", f"is not one of the categories ({', '.join(sorted(known))})"
            )
        fields.whole(years, f"{key}.{name}", 0, 1, MAX_YEARS)
    return dict(periods)


def retention(fields: Fields, raw: Any, categories: set[str]) -> Retention:
    """The ``retention`` section (absent: no schedule)."""
    data = fields.mapping(raw, "retention", ("years_after_closure", "workflows", "categories"))
    years = data.get("years_after_closure")
    return Retention(
        years=None if years is None else fields.whole(years, "retention.years_after_closure", 0, 1, MAX_YEARS),
        workflows=_periods(fields, data.get("workflows"), "retention.workflows", None),
        categories=_periods(fields, data.get("categories"), "retention.categories", categories),
    )  # fmt: skip
