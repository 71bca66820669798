"""The one door for every change of state: raise, act, tick; and the reads under the read rules.

Each command runs in one transaction: the escalation's new state, its audit entry and its next
deadline are written together or not at all, and a refused command writes nothing. Time comes from
the injected clock; the state machine decides which moves exist; ``domain/stages``,
``domain/actions`` and ``domain/sweep`` hold what each move does.

The service is composed, not inherited: one ``Context`` (settings, database, clock, workflows,
stage rules, words) handed to small use cases, one module each (``raising``, ``acting``,
``sweeping``, ``absences``, ``queries``, ``viewing``, ``watching``, ``anchoring``,
``reporting``, ``importing``, ``accounts``, ``sessions``, ``pendings``). ``EscalationService`` builds them
and offers the commands every door uses most; the rest are reached through its use cases
(``service.anchoring.checkpoint(...)``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from escalation_engine.clock import Clock
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.filters import Filter
from escalation_engine.domain.people import Person
from escalation_engine.domain.periods import Period
from escalation_engine.reports.model import Figure, Report
from escalation_engine.service.absences import Availability
from escalation_engine.service.accounts import Accounts
from escalation_engine.service.acting import Acting
from escalation_engine.service.alarms import Alarms
from escalation_engine.service.anchoring import Anchoring, TrailReport, Watch
from escalation_engine.service.clocks import ClockKeeping
from escalation_engine.service.context import ENGINE_ACTOR, Context, check_text
from escalation_engine.service.disclosure import Disclosure
from escalation_engine.service.importing import Importing
from escalation_engine.service.pendings import SignInsInProgress
from escalation_engine.service.queries import Queries
from escalation_engine.service.raising import Raising
from escalation_engine.service.redacting import Redacting
from escalation_engine.service.reporting import Reporting
from escalation_engine.service.retaining import Retaining
from escalation_engine.service.sessions import Sessions
from escalation_engine.service.sweeping import Applied, Sweeping, TickReport
from escalation_engine.service.viewing import Viewing
from escalation_engine.service.watching import Watching
from escalation_engine.settings.config import Settings
from escalation_engine.spec.model import WorkflowSpec
from escalation_engine.store import AuditRow
from escalation_engine.trail import audit

__all__ = [
    "ENGINE_ACTOR",
    "Applied",
    "Context",
    "EscalationService",
    "TickReport",
    "TrailReport",
    "check_text",
]


class EscalationService:
    """Escalations stored in ``engine``, under ``settings``, on ``clock``: the use cases, built
    once over one context, and the commands every door uses most."""

    def __init__(self, settings: Settings, engine: Engine, clock: Clock) -> None:
        self.ctx = ctx = Context(settings, engine, clock)
        self.settings, self.engine, self.clock = settings, engine, clock
        self.calendar, self.words, self.registry = ctx.calendar, ctx.words, ctx.registry
        self.queries = Queries(ctx)
        self.anchoring = Anchoring(ctx, self.queries)
        self.viewing = Viewing(ctx, self.queries, self.anchoring)
        self.watching = Watching(ctx, self.viewing)
        self.reporting = Reporting(ctx, self.anchoring, self.viewing)
        self.importing = Importing(ctx, self.viewing)
        self.availability = Availability(ctx)
        self.sweeping = Sweeping(ctx, self.availability)
        self.clocks = ClockKeeping(ctx)
        self.raising = Raising(ctx)
        self.acting = Acting(ctx, self.viewing)
        self.accounts = Accounts(ctx)
        self.sessions = Sessions(ctx)
        self.browser_sign_ins = SignInsInProgress(ctx, "browser")
        self.device_sign_ins = SignInsInProgress(ctx, "device")
        self.alarms = Alarms(ctx)
        self.disclosure = Disclosure(ctx, self.queries, self.viewing)
        self.redacting = Redacting(ctx, self.viewing)
        self.retaining = Retaining(ctx, self.disclosure, self.redacting)

    @property
    def workflows(self) -> dict[str, WorkflowSpec]:
        return self.ctx.workflows

    def workflow(self, name: str) -> WorkflowSpec:
        return self.ctx.workflow(name)

    def spec_for(self, escalation: Escalation) -> WorkflowSpec:
        return self.ctx.spec_for(escalation)

    def raise_alert(self, **fields: Any) -> Escalation:
        return self.raising.raise_alert(**fields)

    def act(self, reference: str, username: str, action: str, **given: Any) -> Escalation:
        return self.acting.act(reference, username, action, **given)

    def may_take(self, username: str, escalation: Escalation) -> list[str]:
        return self.acting.may_take(username, escalation)

    def tick(self, now: datetime | None = None, *, batch: int = 200) -> TickReport:
        return self.sweeping.tick(now, batch=batch)

    def mark(
        self, by: str, who: str, *, away: bool, until: date | None = None, note: str = ""
    ) -> list[Escalation]:
        return self.availability.mark(by, who, away=away, until=until, note=note)

    def people_now(self) -> dict[str, Person]:
        return self.availability.people_now()

    def get(self, reference: str) -> Escalation:
        return self.queries.get(reference)

    def all(self) -> list[Escalation]:
        return self.queries.all()

    def find(self, chosen: Filter) -> list[Escalation]:
        return self.queries.find(chosen)

    def trail(self, reference: str | None = None) -> list[AuditRow]:
        return self.queries.trail(reference)

    def allowed_actions(self, escalation: Escalation) -> list[str]:
        return self.queries.allowed_actions(escalation)

    def verify(
        self, since: int = 0, progress: Callable[[int], None] | None = None
    ) -> audit.ChainReport:
        return self.queries.verify(since, progress)

    def verify_all(
        self,
        since: int = 0,
        folder: Path | None = None,
        watch: Watch | None = None,
    ) -> TrailReport:
        return self.anchoring.verify_all(since, folder, watch)

    def view(self, reference: str, viewer: str, view: str) -> Escalation:
        return self.viewing.view(reference, viewer, view)

    def visible(
        self, escalations: list[Escalation], viewer: str, view: str = "list"
    ) -> list[Escalation]:
        return self.viewing.visible(escalations, viewer, view)

    def watch(self, username: str, reference: str, watching: bool = True) -> Escalation:
        return self.watching.watch(username, reference, watching)

    def report(self, username: str, period: Period, by: str = "month") -> Report:
        return self.reporting.report(username, period, by)

    def explain(self, username: str, period: Period, key: str, by: str = "month") -> list[Figure]:
        return self.reporting.explain(username, period, key, by)

    def close(self) -> None:
        """Let go of the database connections (a command that ends does so anyway)."""
        self.queries.close()
