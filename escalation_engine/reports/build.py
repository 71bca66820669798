"""The report: every table, in the order the escalation section of an annual report reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from escalation_engine.domain.periods import Period
from escalation_engine.reports import activity, children, raised, ratings
from escalation_engine.reports.basis import Basis
from escalation_engine.reports.model import Report

#: How the raised-by-time table groups: by month, or by quarter of the period.
GROUPINGS = ("month", "quarter")


def _period(period: Period) -> dict[str, Any]:
    return {"first": period.first.isoformat(), "last": period.last.isoformat(),
            "label": period.label, "financial_year": period.is_financial_year}  # fmt: skip


def build(basis: Basis, *, by: str, generated_at: datetime) -> Report:
    """Every table of the report over ``basis``."""
    resolution_time, bands, spread = raised.resolution(basis)
    outcomes, reasons = raised.outcomes(basis)
    tables = [
        activity.summary(basis),
        raised.by_category(basis),
        children.children(basis),
        activity.by_month(basis, by),
        raised.by_workflow(basis),
        raised.by_team(basis),
        raised.by_iro(basis),
        raised.by_version(basis),
        raised.highest_stage(basis),
        raised.formality(basis),
        resolution_time,
        bands,
        spread,
        ratings.stages(basis),
        ratings.rag_levels(basis),
        ratings.red_ratings(basis),
        outcomes,
        reasons,
        ratings.good_practice(basis),
    ]
    return Report(
        title=f"Escalations {basis.this.period.label}",
        period=_period(basis.this.period),
        previous=_period(basis.before.period),
        generated_at=generated_at.isoformat(),
        tables=tables,
    )
