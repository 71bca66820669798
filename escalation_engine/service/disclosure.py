"""A child's subject-access request: everything the service holds about one case reference,
for the data protection officer to send to the child (or the adult they became).

A care leaver may ask for every record about them, and the council must answer within a month.
The export gathers each escalation about the case, its whole trail and every look at it from the
access log, and records the export itself in the access log. It is the data protection role's
alone: the read rules that keep an escalation from people outside its reach are about casework,
and this is not casework.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from escalation_engine import store
from escalation_engine.domain import filters, retention
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.filters import Filter
from escalation_engine.domain.visibility import DATA_PROTECTION, SEE_ALL
from escalation_engine.service.context import Context
from escalation_engine.service.queries import Queries
from escalation_engine.service.viewing import Viewing
from escalation_engine.spec.model import OUTCOMES, WorkflowSpec
from escalation_engine.store import AuditRow
from escalation_engine.trail import access
from escalation_engine.trail.access import Look

#: What the data protection role does here, as a refusal names it.
EXPORTING = "export a child's records for a subject-access request"
#: What reading the retention plan is, as a refusal names it.
PLANNING = "read the retention plan"
#: The access log's name for an escalation exported for a subject-access request.
DISCLOSED = "subject_access"


@dataclass(frozen=True, slots=True)
class Disclosed:
    """One escalation about the case: as it stands, its workflow version, its trail, and every
    look at it (each naming this escalation alone)."""

    escalation: Escalation
    spec: WorkflowSpec
    rows: list[AuditRow]
    looks: list[Look]


@dataclass(frozen=True, slots=True)
class SubjectAccess:
    """What the service holds about ``case``, as it stood at ``produced_at``."""

    case: str
    produced_at: datetime
    produced_by: str
    escalations: list[Disclosed]


class Disclosure:
    """Exports for the data protection role."""

    def __init__(self, ctx: Context, queries: Queries, viewing: Viewing) -> None:
        self.ctx = ctx
        self.queries = queries
        self.viewing = viewing

    def subject_access(self, username: str, case: str) -> SubjectAccess:
        """Every escalation about ``case`` with its trail and the looks at it; the export is
        recorded in the access log as a look at each."""
        self.viewing.require_role(username, (DATA_PROTECTION,), EXPORTING)
        child = filters.child(
            self.ctx.settings.case_reference_pattern, case, self.queries.case_references()
        )
        found = self.queries.find(Filter(include_closed=True, child=child))
        disclosed = []
        for escalation in found:
            rows = self.queries.trail(escalation.reference)
            looks = store.access.stream(self.ctx.engine, reference=escalation.reference)
            disclosed.append(Disclosed(
                escalation=escalation, spec=self.queries.spec_for(escalation), rows=rows,
                looks=list(access.looks(looks, escalation.reference)),
            ))  # fmt: skip
        export = SubjectAccess(case=child, produced_at=self.ctx.clock.now(),
                               produced_by=username, escalations=disclosed)  # fmt: skip
        self.viewing.record_references(username, [e.reference for e in found], DISCLOSED)
        return export

    def retention_plan(self, username: str) -> list[retention.Due]:
        """When each closed escalation's personal text falls due for removal under the schedule
        in config.yaml (for the data protection officer, the IRO manager and auditors)."""
        self.viewing.require_role(username, (DATA_PROTECTION, *SEE_ALL), PLANNING)
        return self.plan()

    def plan(self) -> list[retention.Due]:
        """The retention plan, read for the engine (which applies it) or a permitted caller."""
        schedule, calendar = self.ctx.settings.retention, self.ctx.calendar
        return retention.plan(
            self.queries.find(Filter(include_closed=True, stages=frozenset(OUTCOMES))),
            schedule.years_for,
            lambda esc: calendar.local_day(esc.closed_at) if esc.closed_at else None,
            store.case_dates.held(self.ctx.engine),
        )  # fmt: skip
