"""The annual report: the trail counted into figures, each figure traceable to the entries behind
it; for the IRO manager and auditors.

To count, the database groups what happened and each escalation's state comes from its row where
the row says how it stood at the period's end; to explain a figure, every entry is read and kept.
Both feed the same tables (``reports/``), so a figure and its explanation cannot disagree.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from escalation_engine import store
from escalation_engine.domain import periods
from escalation_engine.domain.periods import Period
from escalation_engine.errors import InvalidInput
from escalation_engine.reports.basis import Basis, Event, Span, events_of
from escalation_engine.reports.build import GROUPINGS, build
from escalation_engine.reports.facts import TRUE, Closing, Facts, take
from escalation_engine.reports.model import Figure, Report
from escalation_engine.service.anchoring import Anchoring
from escalation_engine.service.context import Context
from escalation_engine.service.viewing import Viewing
from escalation_engine.spec.model import WorkflowSpec


class Reporting:
    """Figures for a period, and the escalations behind any one of them."""

    def __init__(self, ctx: Context, anchoring: Anchoring, viewing: Viewing) -> None:
        self.ctx = ctx
        self.anchoring = anchoring
        self.viewing = viewing

    def default_period(self) -> Period:
        return periods.last_whole_year(self.ctx.calendar.local_day(self.ctx.clock.now()))

    def report(self, username: str, period: Period, by: str = "month") -> Report:
        """The report for ``period`` (compared with the period before), as ``username`` (the
        IRO manager or an auditor) may see it."""
        self.viewing.require_oversight(username, "produce the escalations report")
        self._grouping(by)
        with _no_collection():
            return build(self._counted(period), by=by, generated_at=self.ctx.clock.now())

    def explain(self, username: str, period: Period, key: str, by: str = "month") -> list[Figure]:
        """The figure ``key`` (or every figure of the table or row it names) with its evidence;
        the escalations named are recorded in the access log as seen in a report."""
        self.viewing.require_oversight(username, "produce the escalations report")
        self._grouping(by)
        with _no_collection():
            report = build(self._explained(period), by=by, generated_at=self.ctx.clock.now())
        found = report.matching(key)
        keys = sorted({t.key for t in report.tables})
        if not found and key not in keys:
            raise InvalidInput(
                f"No figure {key[:60]!r} in the report. Figures are named table.row.column, e.g."
                f" summary.raised.this; tables: {', '.join(keys)}. 'escalate report --format json'"
                " lists every figure's name."
            )
        references = {ref for figure in found for ref, _ in figure.evidence}
        raisers = store.reporting.raisers(self.ctx.engine, references)
        self.viewing.record_references(
            username, sorted(r for r in references if raisers.get(r) != username), "report"
        )
        return found

    @staticmethod
    def _grouping(by: str) -> None:
        if by not in GROUPINGS:
            raise InvalidInput(f"--by {by[:20]!r} is not one of {', '.join(GROUPINGS)}.")

    def _facts(self, period: Period, alike: bool = False) -> dict[str, Facts]:
        """Each escalation the report can count, with what its row says; an escalation closed
        before the period's end (its row says how it stood then) has its closing and stages.
        With ``alike``, escalations alike in every figure come as one, with their number."""
        since, end = periods.previous(period).start, Span.of(period).end
        found: dict[str, Facts] = {}
        for row in store.reporting.escalations(self.ctx.engine, since, period.end, alike):
            reference, workflow, digest, alert, category, team, raiser, raised = row[:8]
            closed, outcome, stage, reached, weight = row[8:13]
            facts = Facts(reference, workflow, digest, alert, category, team, raiser, raised)
            facts.weight = weight
            if closed is not None and closed < end and outcome is not None:
                facts.closings.append(Closing(closed, 0, outcome, stage, None))
                facts.row_reached = reached
            found[reference] = facts
        return found

    def _counted(self, period: Period) -> Basis:
        before = periods.previous(period)
        this, earlier = Span.of(period), Span.of(before)
        facts = self._facts(period, alike=True)
        specs = self._specs(facts.values())
        events = [
            Event(digest, alert, action, stage or None, _detail(action, detail or None),
                  bool(imported), bool(now), weight)
            for digest, alert, action, stage, detail, imported, now, weight in store.tallies.counts(
                self.ctx.engine, before.first, period.first, period.last + timedelta(days=1)
            )
        ]  # fmt: skip
        rated: set[str] = set()
        # Open at the end, or closed since: the row says how it stands now, not how it stood.
        moving = {ref for ref, f in facts.items() if not (f.closings and f.closings[0].seq == 0)}
        for reference, action, detail, reason, now in store.tallies.marks(
            self.ctx.engine, before.start, period.start, period.end
        ):
            named = facts.get(reference)
            if named is None:
                continue
            if reason is not None and named.closings and named.closings[0].seq == 0:
                named.closings[0].reason = reason
            rag = specs[named.digest].rag
            if action in ("raise", "rate") and now and rag is not None and rag.is_red(detail):
                rated.add(named.reference)
            if action == "reopen":  # reopened in the years compared: its entries tell
                moving.add(named.reference)
        refolded: set[str] = set()
        for entry in store.reporting.moves(self.ctx.engine, period.end, moving):
            found = facts.get(entry[0])
            if found is None:
                continue
            if entry[0] not in refolded:  # its row does not say how it stood: its entries do
                refolded.add(entry[0])
                found.closings, found.reached, found.row_reached = [], {}, None
            take(found, entry)
        followed = self._folded(period, {r: facts[r] for r in rated if r in facts})
        return Basis(list(facts.values()), specs, self.ctx.words, self.ctx.calendar, this, earlier,
                     events, list(followed.values()), children=self._children(period))  # fmt: skip

    def _explained(self, period: Period) -> Basis:
        before = periods.previous(period)
        this, earlier = Span.of(period), Span.of(before)
        facts = self._folded(period, self._facts(period), every=True)
        chosen = list(facts.values())
        return Basis(chosen, self._specs(chosen), self.ctx.words, self.ctx.calendar, this, earlier,
                     events_of(chosen, earlier, this), chosen, keep=True,
                     children=self._children(period))  # fmt: skip

    def _children(self, period: Period) -> list[tuple[str, str, str, int, tuple[str, ...]]]:
        """Each escalation raised in ``period`` and the one before, with its children."""
        since = periods.previous(period).start
        return [
            (reference, digest, alert, raised, tuple(json.loads(refs)))
            for reference, digest, alert, raised, refs in store.reporting.children(
                self.ctx.engine, since, period.end
            )
        ]

    def _folded(
        self, period: Period, facts: dict[str, Facts], every: bool = False
    ) -> dict[str, Facts]:
        """``facts`` afresh from every entry of theirs (of every escalation, with ``every``)."""
        fresh = {
            reference: Facts(
                reference=f.reference,
                workflow=f.workflow,
                digest=f.digest,
                alert_type=f.alert_type,
                category=f.category,
                team=f.team,
                raiser=f.raiser,
                raised=f.raised,
            )  # fmt: skip
            for reference, f in facts.items()
        }
        if not fresh:
            return fresh
        since = periods.previous(period).start
        chosen = None if every else set(fresh)
        for entry in store.reporting.entries(self.ctx.engine, since, period.end, chosen):
            found = fresh.get(entry[0])
            if found is not None:
                take(found, entry)
        return fresh

    def _specs(self, facts: Iterable[Facts]) -> dict[str, WorkflowSpec]:
        specs: dict[str, WorkflowSpec] = {}
        for item in facts:
            if item.digest not in specs:
                specs[item.digest] = self.anchoring.pinned(item.digest, item.reference)
        return specs


@contextmanager
def _no_collection() -> Iterator[None]:
    """No cyclic garbage collection while a report is built: it makes a hundred thousand small
    objects with no cycles among them, and collecting them as they are made cost a quarter of
    the report's time."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _detail(action: str, value: Any) -> str | bool | None:
    """An event's detail as the tables read it: whether a response came in time, or a rating."""
    if action == "respond":
        return None if value is None else value in TRUE
    return value if isinstance(value, str) else None
