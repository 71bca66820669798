"""The tables about what happened in the period: the summary against the period before, the
months, RAG ratings given, Red ratings followed up, each stage's timeliness, good practice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from escalation_engine.domain.labels import upper_first
from escalation_engine.reports.basis import Basis, Span, day
from escalation_engine.reports.model import Evidence, Table
from escalation_engine.reports.raised import open_at


def _resolved(basis: Basis, span: Span) -> list[Evidence]:
    this, start, end = span is basis.this, span.start, span.end
    found = []
    for facts in basis.facts:
        closing = facts.at_end if this else facts.at_end_before
        if closing is not None and closing.outcome == "resolved" and start <= closing.at < end:
            found.append((facts.reference, closing.seq))
    return found


def summary(basis: Basis) -> Table:
    table = Table("summary", "Summary", "Raised: escalations raised in the period, good practice"
                  " left out. The other rows count what happened in the period, or how things"
                  " stood at its end.", [("this", "This period"), ("previous", "Previous period"),
                                         ("change", "Change"), ("ratio", "Ratio")], "")  # fmt: skip

    Counted = tuple[int, list[Evidence]]

    def row(key: str, label: str, this: Counted, before: Counted) -> None:
        ratio = round(this[0] / before[0], 2) if before[0] else None
        table.add(key, label, this, before, (this[0] - before[0], this[1]), (ratio, this[1]))

    raised = basis.raisings

    def happened(action: str, this: bool, imported: bool = False) -> Counted:
        chosen = [e for e in basis.happened(action, this) if e.imported or not imported]
        if imported:
            chosen = [e for e in chosen if (e.digest, e.alert_type) not in basis.positive_types]
        return basis.weigh(chosen)

    this, before = basis.this, basis.before
    row("raised", "Escalations raised", raised(basis.cohort), raised(basis.cohort_before))
    row("good_practice", "Good-practice alerts", raised(basis.good_practice(this)),
        raised(basis.good_practice(before)))  # fmt: skip
    row("resolved", "Resolved in the period", basis.tally(_resolved(basis, this)),
        basis.tally(_resolved(basis, before)))  # fmt: skip
    for key, label, action in (("cafcass", "Cafcass referrals", "refer_cafcass"),
                               ("overall_breaches", "Overall time limit passed", "overall_breach"),
                               ("meetings", "Dispute resolution meetings held", "meeting"),
                               ("bypasses", "Tiers bypassed (straight to a higher tier)", "bypass"),
                               ("extensions", "Deadlines extended", "extend"),
                               ("rejections", "Responses not accepted (rejected)", "reject"),
                               ("early", "Escalated early, before the deadline", "escalate")):  # fmt: skip
        row(key, label, happened(action, True), happened(action, False))
    row("open_at_end", "Open at the period's end", basis.tally(open_at(basis, this)),
        basis.tally(open_at(basis, before)))  # fmt: skip
    row("imported", "Of those raised, imported from earlier records",
        happened("raise", True, imported=True), happened("raise", False, imported=True))  # fmt: skip
    return table


def _month(first: date, step: int) -> date:
    months = first.year * 12 + first.month - 1 + step
    return date(months // 12, months % 12 + 1, 1)


def _buckets(span: Span, by: str) -> list[tuple[str, str, date]]:
    """(key, label, first day) of each month or quarter of ``span``."""
    step = 3 if by == "quarter" else 1
    found, start = [], span.period.first.replace(day=1)
    while start <= span.period.last:
        label = start.strftime("%b %Y")
        if by == "quarter":
            label = f"{start:%b} to {_month(start, 2):%b %Y}"
        found.append((start.strftime("%Y-%m"), label, start))
        start = _month(start, step)
    return found


def _positions(buckets: list[tuple[str, str, date]], by: str) -> Callable[[int], int]:
    """Which of ``buckets`` a moment falls in (by its UK month), found by a look-up."""
    step = 3 if by == "quarter" else 1
    months = {
        (month.year, month.month): position
        for position, (_, _, first) in enumerate(buckets)
        for month in (_month(first, n) for n in range(step))
    }

    hours: dict[int, int] = {}

    def find(moment: int) -> int:
        hour = moment - moment % 3600  # the hour decides the UK day
        found = hours.get(hour)
        if found is None:
            when = day(hour)
            found = hours[hour] = months.get((when.year, when.month), 0)
        return found

    return find


def by_month(basis: Basis, by: str) -> Table:
    """Raised in each month (or quarter), by category, beside the same month of the period
    before."""
    these, before = _buckets(basis.this, by), _buckets(basis.before, by)
    seen = {f.category for f in basis.cohort}
    categories = [c for c in basis.words.categories if c in seen]
    categories += sorted(seen - set(categories))
    word = "quarter" if by == "quarter" else "month"
    table = Table(f"by_{word}", f"Raised by {word}", f"Escalations raised in each {word}, by"
                  f" category, beside the same {word} of the period before; good practice left"
                  " out.", [("this", "Raised"), ("previous", "Previous period")]
                  + [(c, basis.words.category(c)) for c in categories], upper_first(word))  # fmt: skip
    cells: list[dict[str, list[Evidence]]] = [{} for _ in these]
    now, then = _positions(these, by), _positions(before, by)
    for facts in basis.cohort:
        slot = cells[now(facts.raised)]
        slot.setdefault("this", []).append((facts.reference, facts.raise_seq))
        slot.setdefault(facts.category, []).append((facts.reference, facts.raise_seq))
    for facts in basis.cohort_before:
        position = then(facts.raised)
        if position < len(cells):
            cells[position].setdefault("previous", []).append((facts.reference, facts.raise_seq))
    for (key, label, _), slot in zip(these, cells, strict=True):
        table.add(key, label, *(basis.tally(slot.get(name, [])) for name, _ in table.columns))
    return table
