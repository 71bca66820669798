"""The engine's own work: applying what falls due, oldest first, in batches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from escalation_engine import store
from escalation_engine.domain import policy, sweep
from escalation_engine.domain.stages import StageKeeper
from escalation_engine.service import outbox
from escalation_engine.service.absences import Availability
from escalation_engine.service.context import ENGINE_ACTOR, Context
from escalation_engine.store import Loaded, unit_of_work


@dataclass(frozen=True, slots=True)
class Applied:
    """One thing the engine did in a tick."""

    reference: str
    kind: str
    due_at: datetime
    from_stage: str
    to_stage: str
    told: tuple[str, ...] = ()
    #: When it was applied (``due_at`` earlier than this is how late it was).
    applied_at: datetime | None = None


@dataclass(slots=True)
class TickReport:
    now: datetime
    applied: list[Applied] = field(default_factory=list)
    #: Escalations whose due work could not be applied this time, with why; the rest went on.
    failed: dict[str, str] = field(default_factory=dict)


class Sweeping:
    """``tick``: timeouts, breaches, reminders and ended absences, applied as they fall due."""

    def __init__(self, ctx: Context, availability: Availability) -> None:
        self.ctx = ctx
        self.availability = availability

    def tick(
        self,
        now: datetime | None = None,
        *,
        batch: int = 200,
        stop: Callable[[], bool] | None = None,
        on_batch: Callable[[list[Applied], dict[str, str]], None] | None = None,
    ) -> TickReport:
        """Apply everything due at ``now`` (default: the clock): timeouts, breaches, reminders.

        Idempotent: running it twice at the same moment does nothing the second time, and two
        sweeps at once apply each item once (each batch is claimed under a write lock, rows
        another sweeper holds are skipped). Escalations are taken oldest deadline first, up to
        ``batch`` in one transaction; ``on_batch`` hears of each batch as it commits, and
        ``stop`` is asked between batches, so a worker that is told to stop finishes the batch
        in hand.
        """
        now = now or self.ctx.clock.now()
        report = TickReport(now=now)
        self.availability.end_absences(now)
        # Only escalations that failed, or had nothing to apply although due, are left out of
        # later batches: every other one claimed is no longer due once applied. (Leaving out all
        # those done would grow the query with the backlog.)
        skip: set[str] = set()
        while True:
            applied, failed, claimed = self._apply_batch(now, batch, skip)
            report.applied += applied
            report.failed |= failed
            skip |= set(failed) | (claimed - {a.reference for a in applied})
            if on_batch is not None and (applied or failed):
                on_batch(applied, failed)
            if not claimed or (stop is not None and stop()):
                return report

    def _apply_batch(
        self, now: datetime, batch: int, skip: set[str]
    ) -> tuple[list[Applied], dict[str, str], set[str]]:
        applied: list[Applied] = []
        failed: dict[str, str] = {}
        with unit_of_work(self.ctx.engine) as session:
            claimed = store.claim_due(session, now, batch, skip)
            keeper = (
                self.ctx.keeper.among(self.ctx.people_at(session, now))
                if claimed
                else self.ctx.keeper
            )
            for loaded in claimed:
                # One escalation that cannot be applied (say, its stored workflow no longer
                # loads) must not stop the deadlines of all the others: its savepoint is undone.
                try:
                    with session.begin_nested():
                        applied += self._apply_due(session, keeper, loaded, now)
                except Exception as exc:
                    failed[loaded.escalation.reference] = f"{type(exc).__name__}: {exc}"
        return applied, failed, {loaded.escalation.reference for loaded in claimed}

    def _apply_due(
        self, session: Connection, keeper: StageKeeper, loaded: Loaded, now: datetime
    ) -> list[Applied]:
        applied: list[Applied] = []
        escalation = loaded.escalation
        reference = escalation.reference
        spec = self.ctx.registry.of(session, escalation)
        keeper.prepare(spec, escalation)
        entry = None
        while items := policy.due_items(escalation, now):
            due_at, kind = items[0]
            # Stamped with the moment it is applied, so the trail records real lateness.
            at = max(now, self.ctx.clock.now())
            from_stage = escalation.stage
            due = sweep.Due(keeper, spec, escalation, due_at, now, at)
            event, note = sweep.HANDLERS[kind](due)
            if event is None:
                continue
            entry = self.ctx.append(
                session, escalation, at=at, actor=f"{ENGINE_ACTOR} ({spec.label})",
                actor_kind="engine", action=event.ACTION, from_stage=from_stage,
                to_stage=escalation.stage, note=note, data=event.data(), tell=(spec, event.told),
            )  # fmt: skip
            told = tuple(outbox.recipients(self.ctx.settings, escalation, entry, event.told))
            applied.append(
                Applied(reference, event.ACTION, due_at, from_stage, escalation.stage, told, at)
            )
        if entry is not None:
            store.save(session, loaded, entry.hash)
        return applied
