"""The tables about what happened in the period: the summary against the period before, the
months, RAG ratings given, Red ratings followed up, each stage's timeliness, good practice."""

from __future__ import annotations

from datetime import date

from .basis import Basis, Span, day, pairs
from .facts import Facts
from .model import Evidence, Table
from .raised import open_at


def _happened(basis: Basis, span: Span, marks: str) -> list[Evidence]:
    """Entries of kind ``marks`` (a list on the facts) made in ``span``."""
    return [(f.reference, m[1]) for f in basis.facts for m in getattr(f, marks) if span.holds(m[0])]


def _resolved(basis: Basis, span: Span) -> list[Evidence]:
    found = []
    for facts in basis.facts:
        closing = basis.closed_by(facts, span)
        if closing and closing.outcome == "resolved" and span.holds(closing.at):
            found.append((facts.reference, closing.seq))
    return found


def summary(basis: Basis) -> Table:
    table = Table("summary", "Summary", "Raised: escalations raised in the period, good practice"
                  " left out. The other rows count what happened in the period, or how things"
                  " stood at its end.", [("this", "This period"), ("previous", "Previous period"),
                                         ("change", "Change"), ("ratio", "Ratio")], "")  # fmt: skip

    def row(key: str, label: str, this: list[Evidence], before: list[Evidence]) -> None:
        ratio = round(len(this) / len(before), 2) if before else None
        table.add(key, label, pairs(this), pairs(before), (len(this) - len(before), this),
                  (ratio, this))  # fmt: skip

    def raised(chosen: list[Facts]) -> list[Evidence]:
        return [(f.reference, f.raise_seq) for f in chosen]

    this, before = basis.this, basis.before
    row("raised", "Escalations raised", raised(basis.cohort), raised(basis.cohort_before))
    row("good_practice", "Good-practice alerts", raised(basis.good_practice(this)),
        raised(basis.good_practice(before)))  # fmt: skip
    row("resolved", "Resolved in the period", _resolved(basis, this), _resolved(basis, before))
    row("cafcass", "Cafcass referrals", _happened(basis, this, "cafcass"),
        _happened(basis, before, "cafcass"))  # fmt: skip
    row("overall_breaches", "Overall time limit passed", _happened(basis, this, "overall_breaches"),
        _happened(basis, before, "overall_breaches"))  # fmt: skip
    row("meetings", "Dispute resolution meetings held", _happened(basis, this, "meetings"),
        _happened(basis, before, "meetings"))  # fmt: skip
    row("open_at_end", "Open at the period's end", open_at(basis, this), open_at(basis, before))
    imported = [f for f in basis.cohort if f.imported]
    imported_before = [f for f in basis.cohort_before if f.imported]
    row("imported", "Of those raised, imported from earlier records", raised(imported),
        raised(imported_before))  # fmt: skip
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


def _bucket_of(buckets: list[tuple[str, str, date]], moment: int) -> int:
    when = day(moment)
    index = 0
    for position, (_, _, first) in enumerate(buckets):
        if first <= when:
            index = position
    return index


def by_month(basis: Basis, by: str) -> Table:
    """Raised in each month (or quarter), by category, beside the same month of the period
    before."""
    these, before = _buckets(basis.this, by), _buckets(basis.before, by)
    categories = [c for c in basis.words.settings.categories if any(
        f.category == c for f in basis.cohort)]  # fmt: skip
    categories += sorted({f.category for f in basis.cohort} - set(categories))
    word = "quarter" if by == "quarter" else "month"
    table = Table(f"by_{word}", f"Raised by {word}", f"Escalations raised in each {word}, by"
                  f" category, beside the same {word} of the period before; good practice left"
                  " out.", [("this", "Raised"), ("previous", "Previous period")]
                  + [(c, basis.words.category(c)) for c in categories], word.capitalize())  # fmt: skip
    cells: list[dict[str, list[Evidence]]] = [{} for _ in these]
    for facts in basis.cohort:
        slot = cells[_bucket_of(these, facts.raised)]
        slot.setdefault("this", []).append((facts.reference, facts.raise_seq))
        slot.setdefault(facts.category, []).append((facts.reference, facts.raise_seq))
    for facts in basis.cohort_before:
        position = _bucket_of(before, facts.raised)
        if position < len(cells):
            cells[position].setdefault("previous", []).append((facts.reference, facts.raise_seq))
    for (key, label, _), slot in zip(these, cells, strict=True):
        table.add(key, label, *(pairs(slot.get(name, [])) for name, _ in table.columns))
    return table
