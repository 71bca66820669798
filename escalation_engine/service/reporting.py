"""The annual report: the trail folded into facts, the facts into figures, each figure traceable
to the entries behind it; for the IRO manager and auditors."""

from __future__ import annotations

from .. import periods, store
from ..errors import InvalidInput
from ..periods import Period
from ..reports.basis import Basis, Span
from ..reports.build import GROUPINGS, build
from ..reports.facts import Facts, take
from ..reports.model import Figure, Report
from ..spec.model import WorkflowSpec
from .viewing import Viewing


class Reporting(Viewing):
    """Figures for a period, and the escalations behind any one of them."""

    def default_period(self) -> Period:
        return periods.last_whole_year(self.calendar.local_day(self.clock.now()))

    def report(self, username: str, period: Period, by: str = "month") -> Report:
        """The report for ``period`` (compared with the period before), as ``username`` (the
        IRO manager or an auditor) may see it."""
        self.require_oversight(username, "produce the escalations report")
        if by not in GROUPINGS:
            raise InvalidInput(f"--by {by[:20]!r} is not one of {', '.join(GROUPINGS)}.")
        return build(self._basis(period), by=by, generated_at=self.clock.now())

    def explain(self, username: str, period: Period, key: str, by: str = "month") -> list[Figure]:
        """The figure ``key`` (or every figure of the table or row it names) with its evidence;
        the escalations named are recorded in the access log as seen in a report."""
        report = self.report(username, period, by)
        found = report.matching(key)
        if not found:
            keys = sorted({f.key.split(".")[0] for t in report.tables for f in t.figures()})
            raise InvalidInput(
                f"No figure {key[:60]!r} in the report. Figures are named table.row.column, e.g."
                f" summary.raised.this; tables: {', '.join(keys)}. 'escalate report --format json'"
                " lists every figure's name."
            )
        references = {ref for figure in found for ref, _ in figure.evidence}
        raisers = store.reporting.raisers(self.engine, references)
        self._record_references(
            username, sorted(r for r in references if raisers.get(r) != username), "report"
        )
        return found

    def _basis(self, period: Period) -> Basis:
        before = periods.previous(period)
        facts: dict[str, Facts] = {}
        for row in store.reporting.escalations(self.engine, before.start, period.end):
            reference, workflow, digest, version, alert_type, category, team, raiser, raised = row
            facts[reference] = Facts(
                reference=reference, workflow=workflow, digest=digest, version=version,
                alert_type=alert_type, category=category, team=team, raiser=raiser, raised=raised,
            )  # fmt: skip
        for entry in store.reporting.entries(self.engine, before.start, period.end):
            found = facts.get(entry[0])
            if found is not None:
                take(found, entry)
        specs: dict[str, WorkflowSpec] = {}
        for item in facts.values():
            if item.digest not in specs:
                specs[item.digest] = self._version(item.digest, item.reference)
        return Basis(list(facts.values()), specs, self.words, self.calendar,
                     Span.of(period), Span.of(before))  # fmt: skip
