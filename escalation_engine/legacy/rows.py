"""Every row of a legacy spreadsheet checked before anything is written: each problem named with
its row number, so the file can be mended in one pass and imported whole.

A row becomes the facts of one finished escalation: who raised it about which child, when, under
which workflow and alert type, the highest stage it reached (reached the way the workflow climbs,
one tier at a time), and how and when it ended. A row with no outcome is refused: an escalation
still open in the old system is raised afresh, so that its clock runs from today.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from escalation_engine.domain import filters, patterns, people
from escalation_engine.domain.machine import moves_of
from escalation_engine.errors import EscalationError, did_you_mean, one_of
from escalation_engine.legacy.files import Cell, Sheet
from escalation_engine.legacy.mapping import Mapping
from escalation_engine.settings.config import Settings
from escalation_engine.spec.model import OUTCOMES, WorkflowSpec

#: The action whose entry closes an escalation with each outcome.
CLOSING = {"resolved": "accept", "withdrawn": "withdraw", "superseded": "supersede",
           "referred_to_cafcass": "refer_cafcass", "unresolved": "reject"}  # fmt: skip
_DAY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
MAX_SUMMARY = 2_000
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class LegacyRow:
    row: int
    legacy_id: str | None
    workflow: str
    alert_type: str
    case_refs: tuple[str, ...]
    category: str
    team: str
    raised_by: str
    raised_on: date
    summary: str
    #: Where it entered its workflow (a stage, or ``recorded`` for good practice).
    entry_stage: str
    #: The stages it climbed through after the one it entered at, in order.
    climbed: tuple[str, ...]
    outcome: str
    closed_on: date
    reason: str | None
    rating: str | None


def parse_day(value: Cell, what: str, today: date) -> date:
    """A day as a spreadsheet holds it: a date cell, 2024-03-14, or 14/03/2024 (UK order)."""
    if isinstance(value, date):
        day = value
    else:
        text = (value or "").strip()
        found = _DAY.match(text)
        try:
            day = (
                date(int(found[3]), int(found[2]), int(found[1]))
                if found
                else date.fromisoformat(text)
            )
        except ValueError:
            raise ValueError(
                f"{what} {text[:30]!r} is not a date (write 2024-03-14 or 14/03/2024)"
            ) from None
    if not date(1990, 1, 1) <= day <= today:
        raise ValueError(f"{what} {day} is not between 1990 and today")
    return day


class Checker:
    """Checks rows against the service's people, teams, categories and workflows."""

    def __init__(self, settings: Settings, specs: dict[str, WorkflowSpec], mapping: Mapping,
                 today: date, default_workflow: str) -> None:  # fmt: skip
        self.settings, self.specs, self.mapping, self.today = settings, specs, mapping, today
        self.default_workflow = default_workflow
        self._moves = {spec.digest: moves_of(spec) for spec in specs.values()}

    def rows(self, sheet: Sheet) -> tuple[list[LegacyRow], list[str]]:
        """The checked rows, and every problem found (``row N: ...``); any problem means none
        of the rows may be imported."""
        columns = self.mapping.resolve(sheet.headers)
        checked: list[LegacyRow] = []
        problems: list[str] = []
        seen: dict[str, int] = {}
        for number, cells in sheet.rows:
            values = {name: cells[i] if i < len(cells) else None for name, i in columns.items()}
            wrong: list[str] = []
            row = self._row(number, values, wrong)
            if row is not None and row.legacy_id:
                if row.legacy_id in seen:
                    wrong.append(
                        f"legacy ID {row.legacy_id!r} is also on row {seen[row.legacy_id]}"
                    )
                seen.setdefault(row.legacy_id, number)
            problems += [f"row {number}: {problem}" for problem in wrong]
            if row is not None and not wrong:
                checked.append(row)
        if not sheet.rows:
            problems.append(f"{sheet.name} has a header but no rows to import")
        return checked, problems

    def _text(self, values: dict[str, Cell], name: str) -> str:
        value = values.get(name)
        if value is None or value == "":
            value = self.mapping.defaults.get(name, "")
        text = value.isoformat() if isinstance(value, date) else str(value).strip()
        return self.mapping.translate(name, text) if text else ""

    def _row(self, number: int, values: dict[str, Cell], wrong: list[str]) -> LegacyRow | None:
        def attempt(check: Callable[[], T]) -> T | None:
            try:
                return check()
            except (EscalationError, ValueError) as exc:
                wrong.append(str(exc).rstrip(".").replace("\n", " "))
                return None

        def text(name: str) -> str:
            return self._text(values, name)

        name = text("workflow") or self.default_workflow
        spec = self.specs.get(name)
        if spec is None:
            known = list(self.specs)
            wrong.append(
                f"no workflow {name!r}.{did_you_mean(name, known)} Workflows: {one_of(known)}"
            )
            return None
        alert = attempt(lambda: filters.alert_type([spec], text("alert_type")))
        category = attempt(lambda: filters.category(self.settings.categories, text("category")))
        team = attempt(lambda: filters.team(people.teams(self.settings.people), text("team")))
        raiser = attempt(lambda: self._person(text("raised_by")))
        cases = attempt(lambda: self._cases(text("case")))
        raised = attempt(lambda: self._day(values, "raised_on", "raised on"))
        rating = attempt(lambda: self._rating(spec, text("rating"))) if text("rating") else None
        if alert is None or category is None or team is None or raiser is None:
            return None
        if cases is None or raised is None:
            return None
        kind = spec.alert_type(alert)
        entry = "recorded" if kind.positive else kind.enters_at or "recorded"
        if rating is not None and spec.rag is not None and not kind.positive:
            entry = spec.rag.drives.get(rating, entry)
        climbed = attempt(lambda: self._climb(spec, entry, text("stage")))
        outcome = attempt(lambda: self._outcome(kind.positive, text("outcome")))
        closed = (
            raised
            if kind.positive
            else attempt(lambda: self._day(values, "closed_on", "closed on"))
        )
        if climbed is None or outcome is None or closed is None:
            return None
        if closed < raised:
            wrong.append(f"closed on {closed} is before raised on {raised}")
        top = climbed[-1] if climbed else entry
        moves = self._moves[spec.digest]
        if not kind.positive and (CLOSING[outcome], top, outcome) not in moves:
            allowed = sorted(o for o, a in CLOSING.items() if (a, top, o) in moves)
            wrong.append(
                f"an escalation at {spec.stage(top).title!r} cannot end {outcome!r} under"
                f" {spec.name} (it can end {one_of(allowed)})"
            )
        reason = attempt(lambda: self._reason(spec, outcome, text("outcome_reason")))
        return LegacyRow(
            row=number, legacy_id=text("legacy_id") or None, workflow=spec.name, alert_type=alert,
            case_refs=cases, category=category, team=team, raised_by=raiser, raised_on=raised,
            summary=text("summary")[:MAX_SUMMARY] or f"Imported (row {number})", entry_stage=entry,
            climbed=climbed, outcome=outcome, closed_on=closed, reason=reason, rating=rating,
        )  # fmt: skip

    def _day(self, values: dict[str, Cell], name: str, what: str) -> date:
        value = values.get(name) or self._text(values, name)
        return parse_day(value, what, self.today)

    @staticmethod
    def _reason(spec: WorkflowSpec, outcome: str, given: str) -> str | None:
        if not given:
            return None
        listed = spec.outcome_reasons.get(outcome, {})
        for key, title in listed.items():
            if given.casefold() in (key.casefold(), title.casefold()):
                return key
        raise ValueError(
            f"outcome reason {given!r} is not one {spec.name} lists for {outcome}"
            f" ({one_of(list(listed)) or 'it lists none'})"
        )

    def _person(self, value: str) -> str:
        listed = self.settings.people
        for person in listed.values():
            if value.casefold() in (person.username.casefold(), person.name.casefold()):
                return person.username
        raise ValueError(
            f"raised by {value!r} is nobody listed under people.{did_you_mean(value, listed)}"
        )

    def _cases(self, value: str) -> tuple[str, ...]:
        refs = tuple(
            dict.fromkeys(r.strip().upper() for r in re.split(r"[;,]", value) if r.strip())
        )
        pattern = self.settings.case_reference_pattern
        bad = [r for r in refs if not patterns.matches(pattern, r)]
        if not refs or bad:
            shown = bad[0][: patterns.MAX_REFERENCE] if bad else ""
            raise ValueError(
                f"case reference {shown!r} does not match {pattern} (a case reference, never a name)"
            )
        return refs

    @staticmethod
    def _rating(spec: WorkflowSpec, value: str) -> str:
        found = spec.rag.resolve(value) if spec.rag else None
        if found is None:
            names = [r.label or r.name for r in spec.rag.ratings] if spec.rag else []
            raise ValueError(
                f"rating {value!r} is not one {spec.name} gives ({one_of(names) or 'it has no ratings'})"
            )
        return found

    @staticmethod
    def _climb(spec: WorkflowSpec, entry: str, value: str) -> tuple[str, ...]:
        """The stages from ``entry`` up to ``value``, one tier at a time."""
        if not value or entry in OUTCOMES:
            return ()
        target = filters._match(
            value, {s.name: s.title for s in spec.stages}, "stage", spec.stage_names
        )
        path: list[str] = []
        current = entry
        while current != target:
            following = spec.stage(current).on_unsatisfactory
            if following not in spec.stage_names or following in path:
                raise ValueError(
                    f"stage {value!r} is not above {spec.stage(entry).title!r}, where this alert enters {spec.name}"
                )
            path.append(following)
            current = following
        return tuple(path)

    @staticmethod
    def _outcome(positive: bool, value: str) -> str:
        if positive:
            return "recorded"
        if not value:
            raise ValueError(
                "no outcome: only finished escalations are imported; raise one still open afresh with 'escalate raise', so its clock runs from today"
            )
        found = filters.outcome(value)
        if found == "recorded":
            raise ValueError("outcome 'recorded' is for good-practice alerts; give how it ended")
        return found


def moment(day: date, tz: object) -> datetime:
    """Midday on ``day`` in UK time: the moment an imported entry is given (dates only are known)."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=tz)  # type: ignore[arg-type]
