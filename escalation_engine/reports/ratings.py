"""RAG ratings given and Red ratings followed up; each stage's responses, timeouts and breaches;
good-practice alerts. All count what happened in the period, whenever the escalation was raised.
"""

from __future__ import annotations

from escalation_engine.reports.basis import Basis, Event
from escalation_engine.reports.model import Evidence, Table


def _label(basis: Basis, digest: str, rating: str) -> tuple[str, str]:
    """(row key, printed label) of a rating: its label ("Green*") where the workflow gives one."""
    rag = basis.specs[digest].rag
    for given in rag.ratings if rag is not None else ():
        if given.name == rating:
            return given.name, given.label or given.title
    return rating, rating


def _red(basis: Basis, digest: str, rating: str) -> bool:
    rag = basis.specs[digest].rag
    return rag.is_red(rating) if rag is not None else rating.casefold() == "red"


def rag_levels(basis: Basis) -> Table:
    table = Table("rag_levels", "RAG ratings given", "Ratings given in each period (when raising"
                  " or later), by level.", [("this", "This period"), ("previous", "Previous period")],
                  "Rating")  # fmt: skip
    given: dict[tuple[str, bool], list[Event]] = {}
    labels: dict[str, str] = {}
    for spec in basis.specs.values():
        for rating in spec.rag.ratings if spec.rag else ():
            labels.setdefault(rating.name, rating.label or rating.title)
    for event in basis.events:
        if event.action in ("raise", "rate") and isinstance(event.detail, str) and event.detail:
            key, label = _label(basis, event.digest, event.detail)
            labels.setdefault(key, label)
            given.setdefault((key, event.this), []).append(event)
    for key, label in labels.items():
        table.add(key, label, basis.weigh(given.get((key, True), [])),
                  basis.weigh(given.get((key, False), [])))  # fmt: skip
    return table


def red_ratings(basis: Basis) -> Table:
    """Escalations rated Red in the period: responded to after the rating, in time, resolved."""
    end = basis.this.end
    table = Table("red_ratings", "Red ratings followed up", "Escalations given a Red rating in the"
                  " period: whether a response came after it, within the stage's timescale, and"
                  " whether it was resolved, by the period's end.",
                  [("rated", "Rated Red"), ("responded", "Responded to"),
                   ("in_time", "Responded to on time"), ("resolved", "Resolved")], "")  # fmt: skip
    rated: list[Evidence] = []
    responded: list[Evidence] = []
    in_time: list[Evidence] = []
    resolved: list[Evidence] = []
    for facts in basis.followed:
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
        closing = facts.closing_by(end)
        if closing is not None and closing.outcome == "resolved" and closing.seq > seq:
            resolved.append((facts.reference, closing.seq))
    table.add(
        "red",
        "Red",
        basis.tally(rated),
        basis.tally(responded),
        basis.tally(in_time),
        basis.tally(resolved),
    )
    return table


def stages(basis: Basis) -> Table:
    """Per stage: responses (and how many came within the stage's timescale), timeouts, and
    deadlines passed at the top of the ladder, in the period."""
    table = Table("stages", "Timeliness at each stage", "What happened in the period at each"
                  " stage: responses, those within the stage's timescale, the stage's deadline"
                  " passing with no satisfactory response (moved up), and deadlines passed at the"
                  " top of the ladder.", [("responses", "Responses"), ("in_time", "Within"
                  " timescale"), ("late", "Late"), ("timeouts", "Timed out"), ("breaches",
                  "Breached at the top")], "Stage")  # fmt: skip
    cells: dict[tuple[str, str | None], dict[str, list[Event]]] = {}
    columns = {"respond": "responses", "timeout": "timeouts", "stage_breach": "breaches"}
    for event in basis.events:
        column = columns.get(event.action)
        if (
            column is None
            or not event.this
            or (event.digest, event.alert_type) in basis.positive_types
        ):
            continue
        cell = cells.setdefault((basis.specs[event.digest].name, event.stage), {})
        cell.setdefault(column, []).append(event)
        if event.action == "respond" and event.detail is not None:
            cell.setdefault("in_time" if event.detail else "late", []).append(event)
    active = [f for f in basis.facts if not basis.positive(f)]
    for spec, stage in basis.ladders(active):
        found = cells.get((spec.name, stage.name), {})
        table.add(f"{spec.name}:{stage.name}", basis.stage_label(spec, stage.name),
                  *(basis.weigh(found.get(column, [])) for column, _ in table.columns))  # fmt: skip
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
        table.add(f"{key[0]}:{key[1]}", labels[key], basis.tally(evidence))
    return table
