"""The children a period's escalations concerned: how many distinct children, how many alerts
were about brothers and sisters together, and how many children more than one alert was about.
Counted from each escalation's case references one by one (the rows the report groups as alike
in every other figure may be about different children)."""

from __future__ import annotations

from escalation_engine.reports.basis import Basis
from escalation_engine.reports.model import Evidence, Table


def children(basis: Basis) -> Table:
    """The children the cohort concerned: how many, how many alerts were about brothers and
    sisters together, and how many children more than one alert was about. Each figure's
    entries are one raising per thing counted: the first escalation about each child, each
    escalation about siblings, the second escalation about each child raised about again."""
    table = Table("children", "Children the escalations concerned", "Escalations raised in each"
                  " period, good practice left out, by the children's case references.",
                  [("this", "This period"), ("previous", "Previous period")], "")  # fmt: skip
    raise_seq = {f.reference: f.raise_seq for f in basis.facts} if basis.keep else {}
    rows: dict[str, list[tuple[int, list[Evidence]]]] = {"children": [], "siblings": [],
                                                         "repeated": []}  # fmt: skip
    for span in (basis.this, basis.before):
        first: dict[str, str] = {}
        second: dict[str, str] = {}
        siblings: list[str] = []
        for reference, digest, alert, raised, refs in basis.children:
            if not span.holds(raised) or (digest, alert) in basis.positive_types:
                continue
            if len(refs) > 1:
                siblings.append(reference)
            for ref in refs:
                if ref not in first:
                    first[ref] = reference
                elif ref not in second:
                    second[ref] = reference
        for key, chosen in (("children", list(first.values())), ("siblings", siblings),
                            ("repeated", list(second.values()))):  # fmt: skip
            evidence = [(ref, raise_seq.get(ref, 0)) for ref in chosen] if basis.keep else []
            rows[key].append((len(chosen), evidence))
    for key, label in (("children", "Children (distinct case references)"),
                       ("siblings", "Escalations about brothers and sisters together"),
                       ("repeated", "Children more than one escalation was about")):  # fmt: skip
        table.add(key, label, *rows[key])
    return table
