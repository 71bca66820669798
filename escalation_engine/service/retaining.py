"""The retention schedule applied: each day the worker removes the personal text of every closed
escalation whose time under the schedule has run out, one signed redaction entry per field, and
tells the data protection officer what it removed.

The skeleton (dates, stages, outcomes, categories, ratings) stays, so past years' reports do not
change. Each field is removed in its own transaction and text already removed is skipped, so a
worker killed halfway picks up where it stopped and nothing is removed twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from escalation_engine import store
from escalation_engine.domain import patterns
from escalation_engine.domain.retention import Due
from escalation_engine.domain.visibility import DATA_PROTECTION
from escalation_engine.errors import InvalidInput, one_of
from escalation_engine.legacy.files import Cell, Sheet
from escalation_engine.service import alarms
from escalation_engine.service.context import ENGINE_ACTOR, Context
from escalation_engine.service.disclosure import Disclosure
from escalation_engine.service.redacting import Redacting
from escalation_engine.trail.openings import redactions

#: The outbox's name for the summary the data protection officer is sent.
SUMMARY = "retention"
#: What importing case dates is, as a refusal names it.
IMPORTING = "import the case record's retention dates"
#: Problems an import names before counting the rest.
SHOWN = 20


def _day(cell: Cell) -> date | None:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    try:
        return date.fromisoformat(str(cell or "").strip())
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Retained:
    """What one run removed: how many fields, from which escalations."""

    fields: int
    references: tuple[str, ...]


def rule_of(due: Due) -> str:
    """The schedule's rule for ``due``, as its redactions record it."""
    if due.kept_until is not None:
        return f"kept until {due.kept_until.isoformat()}, the case record's date"
    return f"{due.years} years after closure on {due.closed_on.isoformat()}"


class Retaining:
    """Applying the schedule, and telling the data protection role."""

    def __init__(self, ctx: Context, disclosure: Disclosure, redacting: Redacting) -> None:
        self.ctx = ctx
        self.disclosure = disclosure
        self.redacting = redacting

    def import_dates(self, username: str, sheet: Sheet) -> int:
        """Hold each case's date from ``sheet`` (columns ``case`` and ``keep_until``, from the
        case-record system): every row checked first, all or nothing; how many cases."""
        self.redacting.viewing.require_role(username, (DATA_PROTECTION,), IMPORTING)
        columns = {h.strip().lower().replace(" ", "_"): i for i, h in enumerate(sheet.headers)}
        if "case" not in columns or "keep_until" not in columns:
            raise InvalidInput(
                f"{sheet.name} needs a column 'case' (the child's case reference) and a column"
                f" 'keep_until' (the day the records may be removed from); its columns are"
                f" {one_of(sheet.headers) if sheet.headers else 'none'}."
            )
        pattern = self.ctx.settings.case_reference_pattern
        dates: dict[str, date] = {}
        problems: list[str] = []
        for number, cells in sheet.rows:
            said = [
                cells[i] if i < len(cells) else None
                for i in (columns["case"], columns["keep_until"])
            ]
            case, day = str(said[0] or "").strip().upper(), _day(said[1])
            if not patterns.matches(pattern, case):
                problems.append(
                    f"row {number}: {case[: patterns.MAX_REFERENCE]!r} is not a case reference"
                )
            elif day is None:
                problems.append(f"row {number}: {str(said[1])[:20]!r} is not a day (YYYY-MM-DD)")
            elif dates.setdefault(case, day) != day:
                problems.append(f"row {number}: {case} is given two different days")
        if problems:
            more = f"; and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
            raise InvalidInput(
                f"{sheet.name} has {len(problems)} problem(s), so nothing was imported: "
                + "; ".join(problems[:SHOWN])
                + more
                + "."
            )
        with store.unit_of_work(self.ctx.engine) as session:
            store.case_dates.replace(session, dates, self.ctx.clock.now(), username, sheet.digest)
        return len(dates)

    def due(self, today: date) -> list[Due]:
        """The escalations whose text falls due on or before ``today``."""
        return [due for due in self.disclosure.plan() if due.remove_on <= today]

    def apply(self, now: datetime) -> Retained:
        """Remove the text of everything due by ``now``'s London day; what was removed."""
        removed: list[str] = []
        for due in self.due(self.ctx.calendar.local_day(now)):
            for seq, field in store.texts.kept_for(self.ctx.engine, due.reference):
                self.redacting.remove(
                    due.reference, seq, field, "Retention schedule: its time has run out",
                    actor=ENGINE_ACTOR, rule=rule_of(due), finish=False,
                )  # fmt: skip
                removed.append(due.reference)
        if removed:
            self.redacting.finish()
        return Retained(len(removed), tuple(dict.fromkeys(removed)))

    def tell(self, now: datetime) -> int:
        """Tell the data protection role of the schedule's redactions since it was last told
        (those of a run cut short too); how many were told of."""
        with store.unit_of_work(self.ctx.engine) as session:
            last = store.notifications.last_of(session, SUMMARY)
            since = [r for r in redactions(self.ctx.engine)
                     if r.rule is not None and (last is None or r.at > last)]  # fmt: skip
            if not since:
                return 0
            references = sorted({r.reference for r in since})
            body = (
                f"The retention schedule removed the text of {len(since)} field(s) from"
                f" {len(references)} closed escalation(s): {', '.join(references)}.\n\nEach"
                " removal is a signed entry in the trail; 'escalate audit verify' lists them.\n"
            )
            subject = f"Retention: text removed from {len(references)} closed escalation(s)"
            rows = alarms.rows_for(self.ctx.settings, DATA_PROTECTION, SUMMARY, subject, body, now)
            if rows:
                store.queue_notifications(session, rows)
        return len(since)
