"""Keeping each open escalation's stored clocks to what its signed trail says.

Every entry records the clocks it leaves (``domain/clocks``). A stored deadline moved, or a
reminder cleared, by someone writing to the database would stop the escalation climbing; the
worker looks for any that disagree as it starts and every few minutes, puts each back to what the
trail says with a ``reconcile`` entry, and tells the IRO manager. ``status`` lists any it finds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from escalation_engine import store
from escalation_engine.domain.clocks import CLOCK_FIELDS, CLOCK_WORDS, Clocks, moment
from escalation_engine.domain.events import Reconciled, Written
from escalation_engine.domain.labels import local_text
from escalation_engine.service.context import ENGINE_ACTOR, Context
from escalation_engine.spec.model import IRO_MANAGER
from escalation_engine.store import unit_of_work


@dataclass(frozen=True, slots=True)
class Drift:
    """An open escalation whose stored clocks are not the ones its latest entry recorded."""

    reference: str
    #: Clock → (stored, recorded), each as the trail writes moments.
    moved: dict[str, tuple[str, str]]

    def said(self) -> str:
        """What moved, in London time as people read it."""
        return "; ".join(
            f"its {CLOCK_WORDS[name]} is stored as {_words(stored)}, the trail says"
            f" {_words(recorded)}"
            for name, (stored, recorded) in self.moved.items()
        )


def _words(value: str) -> str:
    return "none" if value == "none" else local_text(value)


def _drift(reference: str, stored: object, recorded: Clocks) -> Drift | None:
    moved = {name: (moment(s), moment(r)) for name, (s, r) in recorded.moved(stored).items()}
    return Drift(reference, moved) if moved else None


class ClockKeeping:
    """``disagreeing`` and ``reconcile``: stored clocks checked against the trail."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def disagreeing(self) -> list[Drift]:
        """Open escalations whose stored clocks differ from their latest entry's."""
        found = []
        for row in store.open_with_latest(self.ctx.engine):
            recorded = Written.read(json.loads(row.data)).clocks
            drift = _drift(row.reference, row, recorded) if recorded is not None else None
            if drift is not None:
                found.append(drift)
        return found

    def reconcile(self, now: datetime) -> list[Drift]:
        """Put each disagreeing escalation's clocks back to what its trail says, each with an
        entry that tells the IRO manager; return what was put back."""
        mended = []
        for seen in self.disagreeing():
            with unit_of_work(self.ctx.engine) as session:
                loaded = store.load(session, seen.reference, lock=True)
                escalation = loaded.escalation
                latest = store.last_entry(session, escalation.reference)
                recorded = Written.read(json.loads(latest.data)).clocks if latest else None
                as_stored = SimpleNamespace(**loaded.stored)
                drift = _drift(escalation.reference, as_stored, recorded) if recorded else None
                if drift is None or recorded is None:
                    continue  # written meanwhile: it agrees now
                for name in CLOCK_FIELDS:
                    setattr(escalation, name, getattr(recorded, name))
                spec = self.ctx.registry.of(session, escalation)
                alarm = tuple(
                    sorted(u for u, p in self.ctx.settings.people.items() if IRO_MANAGER in p.roles)
                )
                event = Reconciled(
                    clock=", ".join(drift.moved),
                    stored=", ".join(s for s, _ in drift.moved.values()),
                    restored=", ".join(r for _, r in drift.moved.values()),
                    alarm=alarm,
                )
                self.ctx.record(
                    session, loaded, spec, event, at=now, actor=ENGINE_ACTOR,
                    note=f"Put back what the trail says: {drift.said()}.",
                )  # fmt: skip
                mended.append(drift)
        return mended
