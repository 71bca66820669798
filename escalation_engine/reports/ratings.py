"""RAG ratings given and Red ratings followed up; each stage's responses, timeouts and breaches;
good-practice alerts. All count what happened in the period, whenever the escalation was raised.
"""

from __future__ import annotations

from .basis import Basis, pairs
from .model import Evidence, Table


def _label(basis: Basis, digest: str, rating: str) -> tuple[str, str]:
    """(row key, printed label) of a rating: its label ("Green*") where the workflow gives one."""
    rag = basis.specs[digest].rag
    for given in rag.ratings if rag is not None else ():
        if given.name == rating:
            return given.name, given.label or given.title
    return rating, rating


def _red(basis: Basis, digest: str, rating: str) -> bool:
    key, label = _label(basis, digest, rating)
    return "red" in (key.casefold(), label.casefold())


def rag_levels(basis: Basis) -> Table:
    table = Table("rag_levels", "RAG ratings given", "Ratings given in each period (when raising"
                  " or later), by level.", [("this", "This period"), ("previous", "Previous period")],
                  "Rating")  # fmt: skip
    this: dict[str, list[Evidence]] = {}
    before: dict[str, list[Evidence]] = {}
    labels: dict[str, str] = {}
    for spec in basis.specs.values():
        for given in spec.rag.ratings if spec.rag else ():
            labels.setdefault(given.name, given.label or given.title)
    for facts in basis.facts:
        for at, seq, rating in facts.ratings:
            key, label = _label(basis, facts.digest, rating)
            labels.setdefault(key, label)
            if basis.this.holds(at):
                this.setdefault(key, []).append((facts.reference, seq))
            elif basis.before.holds(at):
                before.setdefault(key, []).append((facts.reference, seq))
    for key, label in labels.items():
        table.add(key, label, pairs(this.get(key, [])), pairs(before.get(key, [])))
    return table


def red_ratings(basis: Basis) -> Table:
    """Escalations rated Red in the period: responded to after the rating, in time, resolved."""
    end = basis.this.end
    table = Table("red_ratings", "Red ratings followed up", "Escalations given a Red rating in the"
                  " period: whether a response came after it, within the stage's timescale, and"
                  " whether it was resolved, by the period's end.",
                  [("rated", "Rated Red"), ("responded", "Responded to"),
                   ("in_time", "Responded to on time"), ("resolved", "Resolved")], "")  # fmt: skip
    rated, responded, in_time, resolved = [], [], [], []
    for facts in basis.facts:
        reds = [(at, seq) for at, seq, r in facts.ratings
                if basis.this.holds(at) and _red(basis, facts.digest, r)]  # fmt: skip
        if not reds:
            continue
        at, seq = reds[0]
        rated.append((facts.reference, seq))
        after = [r for r in facts.responses if r.seq > seq and r.at < end]
        if after:
            responded.append((facts.reference, after[0].seq))
            if after[0].in_time:
                in_time.append((facts.reference, after[0].seq))
        closing = basis.closed_at_end(facts)
        if closing is not None and closing.outcome == "resolved" and closing.seq > seq:
            resolved.append((facts.reference, closing.seq))
    table.add("red", "Red", pairs(rated), pairs(responded), pairs(in_time), pairs(resolved))
    return table


def stages(basis: Basis) -> Table:
    """Per stage: responses (and how many came within the stage's timescale), timeouts, and
    deadlines passed at the top of the ladder, in the period."""
    span = basis.this
    table = Table("stages", "Timeliness at each stage", "What happened in the period at each"
                  " stage: responses, those within the stage's timescale, the stage's deadline"
                  " passing with no satisfactory response (moved up), and deadlines passed at the"
                  " top of the ladder.", [("responses", "Responses"), ("in_time", "Within"
                  " timescale"), ("late", "Late"), ("timeouts", "Timed out"), ("breaches",
                  "Breached at the top")], "Stage")  # fmt: skip
    active = [f for f in basis.facts if not basis.positive(f)]
    cells: dict[tuple[str, str], dict[str, list[Evidence]]] = {}

    def put(facts_workflow: str, stage: str, column: str, evidence: Evidence) -> None:
        cells.setdefault((facts_workflow, stage), {}).setdefault(column, []).append(evidence)

    for facts in active:
        name = basis.spec(facts).name
        for response in facts.responses:
            if span.holds(response.at):
                evidence = (facts.reference, response.seq)
                put(name, response.stage, "responses", evidence)
                if response.in_time is not None:
                    put(name, response.stage, "in_time" if response.in_time else "late", evidence)
        for at, seq, left in facts.timeouts:
            if span.holds(at):
                put(name, left, "timeouts", (facts.reference, seq))
        for at, seq, left in facts.breaches:
            if span.holds(at):
                put(name, left, "breaches", (facts.reference, seq))
    for spec, stage in basis.ladders(active):
        found = cells.get((spec.name, stage.name), {})
        table.add(f"{spec.name}:{stage.name}", basis.stage_label(spec, stage.name),
                  *(pairs(found.get(column, [])) for column, _ in table.columns))  # fmt: skip
    return table


def good_practice(basis: Basis) -> Table:
    table = Table("good_practice", "Good-practice alerts", "Alerts recognising good practice"
                  " raised in the period, by type and category.", [("count", "Alerts")],
                  "Type and category")  # fmt: skip
    groups: dict[tuple[str, str], list[Evidence]] = {}
    labels: dict[tuple[str, str], str] = {}
    for facts in basis.good_practice(basis.this):
        spec = basis.spec(facts)
        key = (f"{facts.workflow}:{facts.alert_type}", facts.category)
        labels[key] = (
            f"{spec.alert_type(facts.alert_type).title}: {basis.words.category(facts.category)}"
        )
        groups.setdefault(key, []).append((facts.reference, facts.raise_seq))
    for key, evidence in sorted(groups.items(), key=lambda kv: labels[kv[0]]):
        table.add(f"{key[0]}:{key[1]}", labels[key], pairs(evidence))
    return table
