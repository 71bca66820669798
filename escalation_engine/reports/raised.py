"""The tables about the escalations raised in the period: how many, by what, against the period
before, how far they went and how they ended by the period's end."""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Callable

from escalation_engine.domain.labels import upper_first, version_words
from escalation_engine.reports.basis import Basis, Span
from escalation_engine.reports.facts import Facts
from escalation_engine.reports.model import Evidence, Table
from escalation_engine.spec.model import OUTCOMES

Key = Callable[[Facts], str]


def compared(basis: Basis, table: Table, keys: list[tuple[str, str]], key: Key) -> Table:
    """Rows ``keys`` (key, label) counting the cohort by ``key``, this period and the one
    before, with the change; keys seen but not listed are added after them."""
    this: dict[str, list[Facts]] = {}
    before: dict[str, list[Facts]] = {}
    for facts in basis.cohort:
        this.setdefault(key(facts), []).append(facts)
    for facts in basis.cohort_before:
        before.setdefault(key(facts), []).append(facts)
    listed = dict(keys)
    for name in [*this, *before]:
        listed.setdefault(name, name)
    for name, label in listed.items():
        now, then = this.get(name, []), before.get(name, [])
        counted, earlier = basis.raisings(now), basis.raisings(then)
        table.add(name, label, counted, earlier, (counted[0] - earlier[0], counted[1]))
    return table


def _columns() -> list[tuple[str, str]]:
    return [("this", "This period"), ("previous", "Previous period"), ("change", "Change")]


def by_category(basis: Basis) -> Table:
    table = Table("by_category", "Raised by category", "Escalations raised in each period, good"
                  " practice left out.", _columns(), "Category")  # fmt: skip
    categories = list(basis.words.categories.items())
    return compared(basis, table, categories, lambda f: f.category)


def by_workflow(basis: Basis) -> Table:
    table = Table("by_workflow", "Raised by workflow and alert type", "Escalations raised in each"
                  " period, good practice left out.", _columns(), "Workflow and alert type")  # fmt: skip
    kinds = {(f.digest, f.alert_type) for f in [*basis.cohort, *basis.cohort_before]}
    labels: dict[str, str] = {}
    for digest, alert_type in kinds:
        spec = basis.specs[digest]
        labels[f"{spec.name}:{alert_type}"] = f"{spec.title}: {spec.alert_type(alert_type).title}"
    return compared(basis, table, sorted(labels.items(), key=lambda kv: kv[1]),
                    lambda f: f"{f.workflow}:{f.alert_type}")  # fmt: skip


def by_team(basis: Basis) -> Table:
    table = Table("by_team", "Raised by the child's team", "Escalations raised in each period,"
                  " good practice left out.", _columns(), "Team")  # fmt: skip
    teams = sorted({f.team for f in [*basis.cohort, *basis.cohort_before]})
    return compared(basis, table, [(t, basis.words.team(t)) for t in teams], lambda f: f.team)


def by_iro(basis: Basis) -> Table:
    table = Table("by_iro", "Raised by IRO", "Escalations raised in each period by each IRO (the"
                  " raiser it now stands with), good practice left out.", _columns(), "IRO")  # fmt: skip
    people = sorted({f.raiser for f in [*basis.cohort, *basis.cohort_before]},
                    key=basis.words.person)  # fmt: skip
    return compared(basis, table, [(p, basis.words.person(p)) for p in people], lambda f: f.raiser)


def by_version(basis: Basis) -> Table:
    table = Table("by_version", "Raised by workflow version", "Escalations raised in the period"
                  " under each version of each workflow (before and after a revision).",
                  [("this", "Raised")], "Workflow version")  # fmt: skip
    groups: dict[str, list[Facts]] = {}
    for facts in basis.cohort:
        groups.setdefault(facts.digest, []).append(facts)
    said: dict[str, int] = {}
    for digest, chosen in sorted(groups.items(), key=lambda kv: basis.specs[kv[0]].label):
        words = version_words(basis.specs[digest])
        said[words] = said.get(words, 0) + 1
        # A file edited without raising its version number is another text of that version.
        again = f" (text {said[words]})" if said[words] > 1 else ""
        table.add(digest[:12], words + again, basis.raisings(chosen))
    return table


def highest_stage(basis: Basis) -> Table:
    table = Table("highest_stage", "Highest stage reached, and resolved at each stage",
                  "Escalations raised in the period, by the highest stage each had reached by the"
                  " period's end, and those resolved at that stage by then.",
                  [("reached", "Highest stage"), ("resolved", "Resolved there")], "Stage")  # fmt: skip
    top: dict[tuple[str, str], list[Facts]] = {}
    resolved: dict[tuple[str, str], list[Evidence]] = {}
    for f in basis.cohort:
        name = basis.spec(f).name
        highest = basis.highest(f)
        if highest is not None:
            top.setdefault((name, highest.name), []).append(f)
        closing = f.at_end
        if closing is not None and closing.outcome == "resolved" and closing.stage:
            resolved.setdefault((name, closing.stage), []).append((f.reference, closing.seq))
    for spec, stage in basis.ladders(basis.cohort):
        key = (spec.name, stage.name)
        table.add(f"{spec.name}:{stage.name}", basis.stage_label(spec, stage.name),
                  basis.raisings(top.get(key, [])), basis.tally(resolved.get(key, [])))  # fmt: skip
    return table


def formality(basis: Basis) -> Table:
    table = Table("formality", "Informal and formal", "Escalations raised in the period, across"
                  " workflows: the stage each entered when raised, and whether it had reached a"
                  " formal stage by the period's end.", [("this", "Raised")], "Route")  # fmt: skip
    for key, label, test, formal in (
        ("entered_informal", "Entered at an informal stage", basis.entered_formal, False),
        ("entered_formal", "Entered straight at a formal stage", basis.entered_formal, True),
        ("informal", "Stayed informal (no formal stage)", basis.formal_at_end, False),
        ("formal", "Reached a formal stage", basis.formal_at_end, True),
    ):
        table.add(key, label, basis.raisings([f for f in basis.cohort if test(f) is formal]))
    return table


def _p90(values: list[int]) -> int:
    """The nearest-rank 90th percentile: 90 % took this many working days or fewer."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def resolution(basis: Basis) -> tuple[Table, Table, Table]:
    """Working days from raising to resolution, overall and by the stage it was resolved at;
    in bands (for the chart); and in bands by the stage it was resolved at."""
    done: list[tuple[Facts, int, int, str]] = []
    working_days = basis.working_days
    for facts in basis.cohort:
        closing = facts.at_end
        if closing is not None and closing.outcome == "resolved":
            days = working_days(facts.raised, closing.at)
            done.append((facts, closing.seq, days, closing.stage or ""))
    table = Table("resolution_time", "Working days to resolution", "Escalations raised in the"
                  " period and resolved by its end: working days from raising to resolution.",
                  [("resolved", "Resolved"), ("median", "Median"), ("p90", "90th percentile")],
                  "Resolved at")  # fmt: skip

    def add(key: str, label: str, chosen: list[tuple[Facts, int, int, str]]) -> None:
        evidence = [(f.reference, seq) for f, seq, _, _ in chosen]
        days = [d for f, _, d, _ in chosen for _ in range(f.weight)]
        median = statistics.median(days) if days else None
        table.add(key, label, basis.tally(evidence), (median, evidence),
                  (_p90(days) if days else None, evidence))  # fmt: skip

    add("all", "All stages", done)
    by_stage: dict[tuple[str, str], list[tuple[Facts, int, int, str]]] = {}
    names = {digest: spec.name for digest, spec in basis.specs.items()}
    for item in done:
        by_stage.setdefault((names[item[0].digest], item[3]), []).append(item)
    for spec, stage in basis.ladders(basis.cohort):
        here = by_stage.get((spec.name, stage.name), [])
        if here:
            add(f"{spec.name}:{stage.name}", basis.stage_label(spec, stage.name), here)
    bands = Table("resolution_bands", "Time to resolution in bands", "Escalations raised in the"
                  " period and resolved by its end, by working days taken.",
                  [("resolved", "Resolved")], "Working days")  # fmt: skip
    for (key, label, _, _), chosen in zip(BANDS, _banded(done), strict=True):
        bands.add(key, label, basis.tally(chosen))
    spread = Table("resolution_spread", "Time to resolution by the stage resolved at",
                   "Escalations raised in the period and resolved by its end, by the stage they"
                   " were resolved at and the working days taken.",
                   [(key, label) for key, label, _, _ in BANDS], "Resolved at")  # fmt: skip
    for spec, stage in basis.ladders(basis.cohort):
        here = by_stage.get((spec.name, stage.name), [])
        if here:
            spread.add(f"{spec.name}:{stage.name}", basis.stage_label(spec, stage.name),
                       *(basis.tally(chosen) for chosen in _banded(here)))  # fmt: skip
    return table, bands, spread


def _banded(done: list[tuple[Facts, int, int, str]]) -> list[list[Evidence]]:
    """The entries of ``done`` (facts, entry, working days, stage) in each of ``BANDS``."""
    banded: list[list[Evidence]] = [[] for _ in BANDS]
    lows = [low for _, _, low, _ in BANDS]
    for f, seq, d, _ in done:
        banded[bisect.bisect_right(lows, d) - 1].append((f.reference, seq))
    return banded


BANDS = (("0-5", "Up to 5", 0, 5), ("6-10", "6 to 10", 6, 10), ("11-20", "11 to 20", 11, 20),
         ("21-40", "21 to 40", 21, 40), ("41+", "More than 40", 41, 10**9))  # fmt: skip


def outcomes(basis: Basis) -> tuple[Table, Table]:
    """How the cohort stood at the period's end, by category; and the reasons given."""
    kinds = [o for o in OUTCOMES if o != "recorded"]
    table = Table("outcomes", "Outcomes by category", "Escalations raised in the period, as they"
                  " stood at its end.", [(o, upper_first(basis.words.outcome(None, o)))
                                         for o in kinds] + [("open", "Still open")],
                  "Category")  # fmt: skip
    reasons: dict[tuple[str, str], dict[str, list[Evidence]]] = {}
    totals: dict[str, list[Evidence]] = {name: [] for name in [*kinds, "open"]}
    groups: dict[str, list[Facts]] = {}
    for facts in basis.cohort:
        groups.setdefault(facts.category, []).append(facts)
    for category, chosen in sorted(groups.items(), key=lambda kv: basis.words.category(kv[0])):
        cells: dict[str, list[Evidence]] = {name: [] for name in [*kinds, "open"]}
        for facts in chosen:
            closing = facts.at_end
            if closing is None:
                cells["open"].append((facts.reference, facts.raise_seq))
                continue
            cells.setdefault(closing.outcome, []).append((facts.reference, closing.seq))
            if closing.reason:
                given = reasons.setdefault((closing.outcome, closing.reason), {})
                for column in ("all", category):
                    given.setdefault(column, []).append((facts.reference, closing.seq))
        table.add(category, basis.words.category(category),
                  *(basis.tally(cells[name]) for name in [*kinds, "open"]))  # fmt: skip
        for name in totals:
            totals[name] += cells.get(name, [])
    if groups:  # a committee reads the whole year's outcomes first
        table.add("all", "All categories", *(basis.tally(totals[name]) for name in totals))
    categories = sorted({c for given in reasons.values() for c in given if c != "all"},
                        key=basis.words.category)  # fmt: skip
    why = Table("outcome_reasons", "Outcome reasons by category", "Escalations raised in the"
                " period and closed by its end with a reason the workflow lists, in all and by"
                " category.", [("all", "All")] + [(c, basis.words.category(c)) for c in categories],
                "Outcome and reason")  # fmt: skip
    titles = {(o, r): t for spec in basis.specs.values()
              for o, listed in spec.outcome_reasons.items() for r, t in listed.items()}  # fmt: skip
    for (outcome, reason), given in sorted(reasons.items()):
        label = f"{upper_first(basis.words.outcome(None, outcome))}: {titles.get((outcome, reason), reason)}"
        why.add(f"{outcome}:{reason}", label,
                *(basis.tally(given.get(column, [])) for column, _ in why.columns))  # fmt: skip
    return table, why


def open_at(basis: Basis, span: Span) -> list[Evidence]:
    """Escalations raised before ``span`` ends and open at its end (good practice left out)."""
    this, end, positive = span is basis.this, span.end, basis.positive_types
    return [
        (f.reference, f.raise_seq) for f in basis.facts
        if f.raised < end and (f.at_end if this else f.at_end_before) is None
        and (f.digest, f.alert_type) not in positive
    ]  # fmt: skip
