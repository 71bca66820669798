"""Reading escalations, the trail and the chain's health."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from escalation_engine import store
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.filters import Filter
from escalation_engine.domain.machine import machine_for
from escalation_engine.service.context import Context
from escalation_engine.spec.model import WorkflowSpec
from escalation_engine.store import AuditRow
from escalation_engine.trail import audit, installation


class Queries:
    """Reads: escalations, the trail, what is due, and the chain's health."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def get(self, reference: str) -> Escalation:
        with self.ctx.engine.connect() as session:
            escalation = store.load(session, reference).escalation
            self.ctx.keeper.prepare(self.ctx.registry.of(session, escalation), escalation)
            return escalation

    def get_with_trail(self, reference: str) -> tuple[Escalation, Any, list[AuditRow]]:
        """The escalation, its row's columns as stored, and its audit entries, read together."""
        loaded, rows = store.escalation_and_trail(self.ctx.engine, reference)
        escalation = loaded.escalation
        self.ctx.keeper.prepare(self.ctx.spec_for(escalation), escalation)
        return escalation, SimpleNamespace(**loaded.stored), rows

    def spec_for(self, escalation: Escalation) -> WorkflowSpec:
        known = self.ctx.registry.known(escalation)
        if known is not None:  # versions never change: one read is enough
            return known
        with self.ctx.engine.connect() as session:
            return self.ctx.registry.of(session, escalation)

    def all(self) -> list[Escalation]:
        return store.everything(self.ctx.engine)

    def find(self, chosen: Filter) -> list[Escalation]:
        """The escalations ``chosen`` keeps (every value in it already checked)."""
        return store.matching(self.ctx.engine, chosen)

    def find_first(
        self, chosen: Filter, limit: int, judge_first: bool = False, offset: int = 0
    ) -> tuple[list[Escalation], int]:
        """``limit`` that ``chosen`` keeps in an inbox's order after the first ``offset``, and
        how many in all."""
        return store.first_matching(self.ctx.engine, chosen, limit, judge_first, offset)

    def case_references(self) -> set[str]:
        return store.case_references(self.ctx.engine)

    def next_due(self) -> datetime | None:
        """The earliest moment anything is due for an open escalation."""
        return store.next_due(self.ctx.engine)

    def overdue(self, now: datetime) -> int:
        """How many escalations have something due at ``now`` that has not been applied."""
        return store.overdue(self.ctx.engine, now)

    def trail(self, reference: str | None = None) -> list[AuditRow]:
        """The audit entries of one escalation (or all), in order."""
        return store.entries(self.ctx.engine, reference)

    def verify(
        self,
        since: int = 0,
        progress: Callable[[int], None] | None = None,
        *,
        where: store.Reader | None = None,
        every: int = 10_000,
    ) -> audit.ChainReport:
        """Check the audit trail (after entry ``since``, a checkpoint, when given), and every
        entry's signature where the service signs its trail; ``progress`` hears how many
        entries have been checked, ``every`` so many."""
        reader = where if where is not None else self.ctx.engine
        chain = audit.verify(
            reader, since=since, progress=progress, every=every, signatures=self.signatures()
        )
        wrong = installation.problem(reader, self.ctx.verifier) if chain.ok else None
        if wrong is None:
            return chain
        return replace(chain, ok=False, problem=wrong)

    def signatures(self) -> audit.Signatures | None:
        """What signatures are checked with: the public key in config.yaml, if it names one."""
        verifier = self.ctx.verifier
        if verifier is None:
            return None
        return audit.Signatures(verifier, self.ctx.settings.audit.signed_from)

    def close(self) -> None:
        """Let go of the database connections (a command that ends does so anyway)."""
        self.ctx.engine.dispose()

    def trail_length(self, since: int = 0) -> int:
        return store.count_entries(self.ctx.engine, since)

    def allowed_actions(self, escalation: Escalation) -> list[str]:
        return machine_for(self.ctx.spec_for(escalation)).allowed_actions(escalation.stage)
