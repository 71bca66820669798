"""Legacy import: a spreadsheet's finished escalations brought into the trail, whole or not at
all, each marked as imported (the file's digest and the row) and dated as it happened.

Each row becomes the entries the engine would have written: its raising, a move up for each tier
it climbed, and the entry that closed it, on the dates the spreadsheet gives, so reports count it
in its own year and ``audit verify`` replays it like any other. Nobody is told: it is history.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from escalation_engine import store
from escalation_engine.domain.actions import catalogue
from escalation_engine.domain.actions.judging import Escalated
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.events import ImportedFrom, Raised, Written
from escalation_engine.legacy.files import Sheet
from escalation_engine.legacy.rows import CLOSING, LegacyRow, moment
from escalation_engine.service.context import Context
from escalation_engine.service.viewing import Viewing
from escalation_engine.spec.model import OUTCOMES
from escalation_engine.store import unit_of_work
from escalation_engine.trail import audit
from escalation_engine.trail.audit import Entry

#: Who may import: the IRO manager and administrators.
IMPORTERS = ("iro_manager", "administrator")


@dataclass
class _Writes:
    """What an import writes, kept and written many rows at a time (a statement per batch, not
    per entry): its entries, its escalations and the report's counts."""

    tallied: Counter[store.tallies.Key] = field(default_factory=Counter)
    entries: list[Entry] = field(default_factory=list)
    escalations: list[tuple[Escalation, str]] = field(default_factory=list)

    def flush(self, session: Any) -> None:
        store.insert_entries(session, self.entries)
        store.insert_many(session, self.escalations)
        self.entries, self.escalations = [], []


#: Rows whose writes are kept before they are written.
BATCH = 1_000


@dataclass(frozen=True, slots=True)
class Imported:
    rows: int
    first: str | None = None
    last: str | None = None
    #: Set when the same file was imported before: when, and by whom.
    before: Any = None


class Importing:
    """``import``: an earlier system's finished escalations, brought in whole or not at all."""

    def __init__(self, ctx: Context, viewing: Viewing) -> None:
        self.ctx = ctx
        self.viewing = viewing

    def require_importer(self, username: str) -> None:
        self.viewing.require_role(username, IMPORTERS, "import escalations")

    def import_rows(
        self, username: str, sheet: Sheet, rows: list[LegacyRow],
        progress: Callable[[int], None] | None = None,
    ) -> Imported:  # fmt: skip
        """Write every row of ``sheet`` (all already checked) in one transaction; a file
        imported before (the same bytes) imports nothing."""
        self.require_importer(username)
        now = self.ctx.clock.now()
        with unit_of_work(self.ctx.engine) as session:
            before = store.imports.find(session, sheet.digest)
            if before is not None:
                return Imported(0, before=before)
            keeper = self.ctx.keeper.among(self.ctx.people_at(session, now))
            for spec in {row.workflow: self.ctx.workflow(row.workflow) for row in rows}.values():
                self.ctx.registry.remember(session, spec, now)
            references: list[str] = []
            last: Entry | None = None
            writes = _Writes()
            for done, row in enumerate(rows, start=1):
                reference, last = self._import_row(
                    session, keeper, username, sheet, row, last, writes
                )
                references.append(reference)
                if done % BATCH == 0:
                    writes.flush(session)
                if progress is not None:
                    progress(done)
            writes.flush(session)
            store.tallies.add(session, writes.tallied)
            if last is not None:
                audit.seal_end(session, last, self.ctx.signer)
            store.imports.record(
                session, digest=sheet.digest, file_name=sheet.name, rows=len(rows),
                first_reference=references[0], last_reference=references[-1],
                imported_at=now, imported_by=username,
            )  # fmt: skip
        return Imported(len(rows), references[0], references[-1])

    def _import_row(
        self, session: Any, keeper: Any, username: str, sheet: Sheet, row: LegacyRow,
        last: Entry | None, writes: _Writes,
    ) -> tuple[str, Entry]:  # fmt: skip
        """Write one row's escalation: its entries follow ``last`` (the chain's head, kept
        here rather than read again), and the chain is sealed once, after the whole file."""
        spec = self.ctx.workflow(row.workflow)
        tz = self.ctx.calendar.tz
        raised, closed = moment(row.raised_on, tz), moment(row.closed_on, tz)
        typed = self.ctx.entered_by if self.ctx.entered_by not in (None, username) else None
        marker = ImportedFrom(file=sheet.name, digest=sheet.digest, row=row.row, by=username,
                          entered_by=typed, legacy_id=row.legacy_id or None)  # fmt: skip
        kind = spec.alert_type(row.alert_type)
        entry_stage = row.entry_stage
        esc = Escalation(
            reference=store.next_reference(session, row.raised_on.year), workflow=spec.name,
            workflow_digest=spec.digest, alert_type=row.alert_type, category=row.category,
            case_refs=row.case_refs, summary=row.summary, team=row.team, looked_after=True,
            raised_by=row.raised_by, raised_at=raised, stage=entry_stage, rag=row.rating,
        )  # fmt: skip
        entered = None if entry_stage in OUTCOMES else keeper.enter(spec, esc, raised)
        if entry_stage in OUTCOMES:
            keeper.close(esc, entry_stage, raised)
        raise_event = Raised(
            workflow=spec.label, alert_type=row.alert_type, category=row.category,
            case_refs=row.case_refs, team=row.team, looked_after=True, rating=row.rating,
            dates={}, entered=entered,
        )  # fmt: skip
        entry = self._imported(session, last, esc, raised, row.raised_by, "raise", None,
                               row.summary, raise_event.data(), marker, writes)  # fmt: skip
        for stage in row.climbed:
            left, esc.stage = esc.stage, stage
            moved = Escalated(entered=keeper.enter(spec, esc, raised))
            note = f"Imported: reached {spec.stage(stage).title} in the earlier records."
            entry = self._imported(session, entry, esc, raised, row.raised_by, "escalate", left,
                                   note, moved.data(), marker, writes)  # fmt: skip
        if not kind.positive:
            left, esc.stage = esc.stage, row.outcome
            keeper.close(esc, left, closed)
            if row.outcome == "referred_to_cafcass":
                esc.cafcass_referred_at = closed
            action = CLOSING[row.outcome]
            closing = catalogue.named(action).event(reason=row.reason)
            entry = self._imported(session, entry, esc, closed, row.raised_by, action, left,
                                   f"Imported: {self.ctx.words.outcome(spec, row.outcome)} in the earlier records.",
                                   closing.data(), marker, writes)  # fmt: skip
        writes.escalations.append((esc, entry.hash))
        return esc.reference, entry

    def _imported(self, session: Any, after: Entry | None, esc: Escalation, at: Any, actor: str,
                  action: str, left: str | None, note: str, data: dict[str, Any],
                  marker: ImportedFrom, writes: _Writes) -> Entry:  # fmt: skip
        return self.ctx.append(
            session, esc, at=at, actor=actor, actor_kind="person",
            action=action, from_stage=left, to_stage=esc.stage, note=note,
            data=data | Written(imported=marker).data(), record_login=False, after=after, seal=False, tallied=writes.tallied,
            pending=writes.entries,
            watch=False,  # it arrives as it ended in the earlier records: nobody is told of it now
        )  # fmt: skip
