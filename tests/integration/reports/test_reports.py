"""The annual report against a generated service-year whose every count is known.

The year is generated once per database (it runs about 480 escalations through the service and
its sweeps); every figure of the report must equal what the generator's own records say.
"""

from __future__ import annotations

import math
import shutil
import statistics
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from escalation_engine import store
from escalation_engine.clock import FakeClock
from escalation_engine.domain.periods import Period, financial_year
from escalation_engine.errors import InvalidInput, PermissionDenied
from escalation_engine.reports.glance import points
from escalation_engine.reports.model import Report
from escalation_engine.reports.raised import BANDS
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import load_settings
from tests.support.scenarios import practice_alert
from tests.support.service_year import LONDON, Record, ServiceYear
from tests.support.shipped import ROOT

pytestmark = pytest.mark.slow

THIS, BEFORE = financial_year("2025-26"), financial_year("2024-25")


def within(moment: datetime | None, period: Period) -> bool:
    return moment is not None and period.start <= moment < period.end


def figures(report: Report, table: str) -> dict[str, Any]:
    return {f.key: f.value for f in report.table(table).figures()}


def same(report: Report, table: str, expected: dict[str, Any]) -> None:
    """The table's figures are the expected ones; any it prints beyond them are zero."""
    actual = figures(report, table)
    wrong = {
        key: (actual.get(key), value) for key, value in expected.items() if actual.get(key) != value
    }
    assert not wrong, f"{table}: (report, generator) differ: {wrong}"
    extra = {
        key: value
        for key, value in actual.items()
        if key not in expected and value not in (0, None)
    }
    assert not extra, f"{table}: figures the generator has no count for: {extra}"


def cohort(records: list[Record], period: Period) -> list[Record]:
    return [r for r in records if not r.positive and within(r.raised, period)]


def closed_by(record: Record, period: Period) -> tuple[str, datetime, str] | None:
    return record.closed if record.closed and record.closed[1] < period.end else None


def test_the_summary_counts_the_year_against_the_one_before(year: ServiceYear) -> None:
    report = year.service.report("priya", THIS)
    records = year.records
    this, before = cohort(records, THIS), cohort(records, BEFORE)
    assert (len(this), len(before)) == (305, 140)  # the generator's own plan

    def resolved(period: Period) -> int:
        return sum(
            1
            for r in records
            if r.closed and r.closed[0] == "resolved" and within(r.closed[1], period)
        )

    def happened(kind: str, period: Period) -> int:
        return sum(1 for r in records for m in getattr(r, kind) if within(m, period))

    def open_at(period: Period) -> int:
        return sum(1 for r in records if not r.positive and r.raised and r.raised < period.end
                   and closed_by(r, period) is None)  # fmt: skip

    def steps(action: str, period: Period) -> int:
        return sum(1 for r in records for m in r.steps.get(action, []) if within(m, period))

    def good(period: Period) -> int:
        return sum(1 for r in records if r.positive and within(r.raised, period))

    rows = {
        "raised": (305, 140), "good_practice": (good(THIS), good(BEFORE)),
        "resolved": (resolved(THIS), resolved(BEFORE)),
        "cafcass": (happened("cafcass", THIS), happened("cafcass", BEFORE)),
        "overall_breaches": (happened("overall_breaches", THIS), happened("overall_breaches", BEFORE)),
        "meetings": (happened("meetings", THIS), happened("meetings", BEFORE)), "imported": (0, 0),
        "open_at_end": (open_at(THIS), open_at(BEFORE)),
        "bypasses": (steps("bypass", THIS), steps("bypass", BEFORE)),
        "extensions": (steps("extend", THIS), steps("extend", BEFORE)),
        "rejections": (steps("reject", THIS), steps("reject", BEFORE)),
        "early": (steps("escalate", THIS), steps("escalate", BEFORE)),
    }  # fmt: skip
    expected: dict[str, Any] = {}
    for row, (now, then) in rows.items():
        expected |= {f"summary.{row}.this": now, f"summary.{row}.previous": then,
                     f"summary.{row}.change": now - then,
                     f"summary.{row}.ratio": round(now / then, 2) if then else None}  # fmt: skip
    same(report, "summary", expected)
    # What the year holds, so the comparison above says something.
    assert rows["cafcass"] == (1, 0)
    assert rows["bypasses"][0] == 8 + 5  # the two plans that bypass, once each
    assert rows["rejections"][0] >= 35  # each escalation rejected to stage 2 at least
    assert rows["early"] == (5, 0)
    assert rows["overall_breaches"][0] == 5
    assert rows["open_at_end"] == (6, 10)  # raised in the last days of March both years
    # All but the withdrawn, the referral and the six still open; and the ten raised in March
    # 2025 and resolved in April.
    assert rows["resolved"][0] == 305 - 25 - 1 - 6 + 10
    assert {r.plan for r in records if r.overall_breaches} == {"bypassed_and_withdrawn"}


def test_the_children_the_escalations_concerned(year: ServiceYear) -> None:
    report = year.service.report("priya", THIS)

    def counted(period: Period) -> tuple[int, int, int]:
        refs = [r.case_refs for r in cohort(year.records, period)]
        each = Counter(ref for given in refs for ref in given)
        siblings = sum(1 for given in refs if len(given) > 1)
        return len(each), siblings, sum(1 for n in each.values() if n > 1)

    expected: dict[str, Any] = {}
    for column, period in (("this", THIS), ("previous", BEFORE)):
        children, siblings, repeated = counted(period)
        expected |= {f"children.children.{column}": children,
                     f"children.siblings.{column}": siblings,
                     f"children.repeated.{column}": repeated}  # fmt: skip
    same(report, "children", expected)
    # The year holds each kind, so the comparison says something.
    assert 0 < expected["children.siblings.this"] < expected["children.children.this"] < 305
    assert expected["children.repeated.this"] > 0
    [figure] = year.service.explain("priya", THIS, "children.siblings.this")
    assert len(figure.evidence) == expected["children.siblings.this"]


def test_raised_by_category_month_team_iro_and_workflow(year: ServiceYear) -> None:
    report = year.service.report("priya", THIS)
    this, before = cohort(year.records, THIS), cohort(year.records, BEFORE)

    def compared(table: str, key: Any) -> dict[str, int]:
        now, then = Counter(map(key, this)), Counter(map(key, before))
        found: dict[str, int] = {}
        for name in set(now) | set(then):
            found |= {f"{table}.{name}.this": now[name], f"{table}.{name}.previous": then[name],
                      f"{table}.{name}.change": now[name] - then[name]}  # fmt: skip
        return found

    same(report, "by_category", compared("by_category", lambda r: r.category))
    same(report, "by_team", compared("by_team", lambda r: "north"))
    same(report, "by_workflow", compared("by_workflow", lambda r: f"{r.workflow}:{_alert_type(r)}"))
    same(report, "by_iro", compared("by_iro", lambda r: r.raiser))
    month = Counter(r.raised.astimezone(LONDON).strftime("%Y-%m") for r in this if r.raised)
    shifted = Counter(
        f"{r.raised.astimezone(LONDON).year + 1}-{r.raised.astimezone(LONDON):%m}"
        for r in before
        if r.raised
    )
    expected = {f"by_month.{m}.this": n for m, n in month.items()}
    expected |= {f"by_month.{m}.previous": n for m, n in shifted.items()}
    by_category = Counter(
        (r.raised.astimezone(LONDON).strftime("%Y-%m"), r.category) for r in this if r.raised
    )
    expected |= {f"by_month.{m}.{c}": n for (m, c), n in by_category.items()}
    same(report, "by_month", expected)
    assert sum(figures(report, "by_version").values()) == 305


def _alert_type(record: Record) -> str:
    if record.workflow == "rag_rating":
        return "rag_concern"
    return "management_alert" if record.plan == "management_alert" else "practice_alert"


def test_the_highest_stage_resolution_at_each_stage_and_time_to_resolution(
    year: ServiceYear,
) -> None:
    service = year.service
    report = service.report("priya", THIS)
    this = cohort(year.records, THIS)
    order = {
        wf: [s.name for s in service.workflow(wf).stages]
        for wf in ("dispute_resolution", "rag_rating")
    }
    highest = Counter(
        (r.workflow, max((s for w, s in r.moves if w < THIS.end), key=order[r.workflow].index))
        for r in this
    )
    done = [(r, c) for r in this if (c := closed_by(r, THIS)) and c[0] == "resolved"]
    at_stage = Counter((r.workflow, c[2]) for r, c in done)
    expected = {f"highest_stage.{w}:{s}.reached": n for (w, s), n in highest.items()}
    expected |= {f"highest_stage.{w}:{s}.resolved": n for (w, s), n in at_stage.items()}
    same(report, "highest_stage", expected)
    assert highest[("dispute_resolution", "director")] == 13
    informal = sum(1 for r in this if {s for w, s in r.moves if w < THIS.end} == {"monitoring"})
    casual = {(wf, s.name) for wf in order for s in service.workflow(wf).stages if not s.formal}
    entered = sum(1 for r in this if (r.workflow, r.moves[0][1]) in casual)
    same(report, "formality", {
        "formality.informal.this": informal, "formality.formal.this": 305 - informal,
        "formality.entered_informal.this": entered, "formality.entered_formal.this": 305 - entered,
    })  # fmt: skip
    assert informal == 35
    assert entered == 35  # the Amber ratings, none since moved up

    calendar = service.calendar

    def days(r: Record, c: tuple[str, datetime, str]) -> int:
        assert r.raised is not None
        return calendar.working_days_between(calendar.local_day(r.raised), calendar.local_day(c[1]))

    def stats(chosen: list[tuple[Record, Any]]) -> tuple[int, float, int]:
        taken = sorted(days(r, c) for r, c in chosen)
        return len(taken), statistics.median(taken), taken[math.ceil(0.9 * len(taken)) - 1]

    expected = {}
    groups: dict[str, list[tuple[Record, Any]]] = {"all": done}
    for r, c in done:
        groups.setdefault(f"{r.workflow}:{c[2]}", []).append((r, c))
    for key, chosen in groups.items():
        count, median, p90 = stats(chosen)
        expected |= {f"resolution_time.{key}.resolved": count, f"resolution_time.{key}.median": median,
                     f"resolution_time.{key}.p90": p90}  # fmt: skip
    same(report, "resolution_time", expected)
    assert sum(figures(report, "resolution_bands").values()) == len(done)
    spread: Counter[str] = Counter()
    for r, c in done:
        taken = days(r, c)
        band = next(key for key, _, low, high in BANDS if low <= taken <= high)
        spread[f"resolution_spread.{r.workflow}:{c[2]}.{band}"] += 1
    same(report, "resolution_spread", dict(spread))
    assert len({key.rsplit(".", 1)[1] for key in spread}) > 1  # more than one band is used


def test_timeliness_at_each_stage(year: ServiceYear) -> None:
    report = year.service.report("priya", THIS)
    counts: Counter[str] = Counter()
    for r in year.records:
        for when, stage, in_time in r.responses:
            if within(when, THIS):
                counts[f"stages.{r.workflow}:{stage}.responses"] += 1
                counts[f"stages.{r.workflow}:{stage}.{'in_time' if in_time else 'late'}"] += 1
        for kind, column in (("timeouts", "timeouts"), ("breaches", "breaches")):
            for when, stage in getattr(r, kind):
                if within(when, THIS):
                    counts[f"stages.{r.workflow}:{stage}.{column}"] += 1
    same(report, "stages", dict(counts))
    assert counts["stages.dispute_resolution:director.late"] == 8
    assert counts["stages.dispute_resolution:director.breaches"] == 13
    assert counts["stages.dispute_resolution:team_manager.timeouts"] >= 40


def test_rag_ratings_by_level_and_red_ratings_followed_up(year: ServiceYear) -> None:
    report = year.service.report("priya", THIS)
    given = Counter(
        rating for r in year.records for when, rating in r.ratings if within(when, THIS)
    )
    before = Counter(
        rating for r in year.records for when, rating in r.ratings if within(when, BEFORE)
    )
    expected = {f"rag_levels.{k}.this": n for k, n in given.items()}
    expected |= {f"rag_levels.{k}.previous": n for k, n in before.items()}
    same(report, "rag_levels", expected)
    assert given == {"amber": 35, "red": 30, "green": 50, "green_star": 19}
    assert [row.label for row in report.table("rag_levels").rows] == [
        "Red",
        "Amber",
        "Green",
        "Green*",
    ]
    red = [r for r in year.records if any(x == "red" and within(w, THIS) for w, x in r.ratings)]
    same(report, "red_ratings", {"red_ratings.red.rated": len(red), "red_ratings.red.responded": len(red),
                                 "red_ratings.red.in_time": len(red), "red_ratings.red.resolved": len(red)})  # fmt: skip
    assert len(red) == 30


def test_outcomes_by_category_and_good_practice(year: ServiceYear) -> None:
    report = year.service.report("priya", THIS)
    expected: Counter[str] = Counter()
    for r in cohort(year.records, THIS):
        closed = closed_by(r, THIS)
        expected[f"outcomes.{r.category}.{closed[0] if closed else 'open'}"] += 1
        expected[f"outcomes.all.{closed[0] if closed else 'open'}"] += 1
    same(report, "outcomes", dict(expected))
    assert expected["outcomes.all.referred_to_cafcass"] == 1
    good = Counter(
        f"good_practice.{r.workflow}:{'exceptional_practice' if r.workflow == 'rag_rating' else 'good_practice'}:{r.category}.count"
        for r in year.records if r.positive and within(r.raised, THIS)
    )  # fmt: skip
    same(report, "good_practice", dict(good))


def test_a_calendar_period_compares_with_as_many_days_before_it(year: ServiceYear) -> None:
    """1 March to 30 April 2025 straddles the financial years; the period before is the 61 days
    up to 28 February."""
    period = Period(date(2025, 3, 1), date(2025, 4, 30))
    report = year.service.report("priya", period)
    assert report.previous == {
        "first": "2024-12-30",
        "last": "2025-02-28",
        "label": "30 Dec 2024 to 28 Feb 2025",
        "financial_year": False,
    }
    before = Period(date(2024, 12, 30), date(2025, 2, 28))
    this = len(cohort(year.records, period))
    then = len(cohort(year.records, before))
    assert figures(report, "summary")["summary.raised.this"] == this
    assert figures(report, "summary")["summary.raised.previous"] == then
    assert this > 10  # the straddlers of March 2025 are in it


def test_the_first_page_says_the_year_in_sentences_made_from_its_figures(
    year: ServiceYear,
) -> None:
    report = year.service.report("priya", THIS)
    said = points(report.as_dict())
    this, before = cohort(year.records, THIS), cohort(year.records, BEFORE)
    refs = Counter(ref for r in this for ref in r.case_refs)
    categories = Counter(r.category for r in this)
    [(top, most)] = categories.most_common(1)
    opened = sum(1 for r in this if closed_by(r, THIS) is None)
    texts = [point.text for point in said]
    assert (
        texts[0]
        == f"{len(this)} escalations were raised, {len(this) - len(before)} more than in 2024-25 ({len(before)})."
    )
    assert texts[1].startswith(f"They concerned {len(refs)} children;")
    assert f"({most})." in texts[2]
    assert year.service.words.category(top) in texts[2]
    assert (
        f"{sum(1 for r in year.records if r.cafcass and within(r.raised, THIS))} referral was made to Cafcass"
        in " ".join(texts)
    )
    assert texts[-1].startswith(f"{opened} escalations were still open")
    assert "5 escalations were moved up early" in " ".join(texts)
    # Each sentence names a figure the report has, so it can be explained.
    keys = {f.key for table in report.tables for f in table.figures()}
    assert {point.figure for point in said} <= keys


def test_explain_names_the_escalations_and_entries_behind_a_figure(year: ServiceYear) -> None:
    service = year.service
    [figure] = service.explain("priya", THIS, "summary.cafcass.this")
    [referred] = [r for r in year.records if r.cafcass]
    assert [ref for ref, _ in figure.evidence] == [referred.reference]
    [(_, seq)] = figure.evidence
    assert [e.action for e in service.trail(referred.reference) if e.seq == seq] == [
        "refer_cafcass"
    ]
    found = service.explain("priya", THIS, "by_category.safeguarding")
    this = {f.key: {ref for ref, _ in f.evidence} for f in found}
    assert this["by_category.safeguarding.this"] == {
        r.reference for r in cohort(year.records, THIS) if r.category == "safeguarding"
    }
    with pytest.raises(InvalidInput, match="No figure 'summary.nothing'"):
        service.explain("priya", THIS, "summary.nothing")


def test_the_report_is_for_the_iro_manager_and_auditors_only(year: ServiceYear) -> None:
    assert year.service.report("amir", THIS).table("summary")
    with pytest.raises(PermissionDenied, match="iro_manager or auditor"):
        year.service.report("jo", THIS)
    with pytest.raises(PermissionDenied):
        year.service.explain("aisha", THIS, "summary")


@pytest.mark.parametrize(
    "period", [THIS, BEFORE, Period(date(2025, 3, 1), date(2025, 4, 30))], ids=str
)
def test_counting_and_explaining_give_every_figure_alike(year: ServiceYear, period: Period) -> None:
    """The report counts in the database; --explain reads every entry. Every figure must be the
    same both ways, and every count must be the number of entries behind it."""
    service = year.service
    counted = service.report("priya", period)
    for table in counted.tables:
        explained = {f.key: f for f in service.explain("priya", period, table.key)}
        for figure in table.figures():
            assert explained[figure.key].value == figure.value, figure.key
            if figure.key.rsplit(".", 1)[1] not in ("change", "ratio", "median", "p90"):
                assert len(explained[figure.key].evidence) == figure.value, figure.key


def test_the_counts_kept_as_entries_are_written_agree_with_the_trail(year: ServiceYear) -> None:
    assert store.tallies.disagreement(year.service.engine) is None


def test_an_escalation_reopened_after_a_year_end_counts_as_it_stood_at_each(
    service: EscalationService, clock: FakeClock
) -> None:
    """Resolved in March 2026, reopened in April, withdrawn in May: at 31 March 2026 it stood
    resolved, whatever its row says now; counting and explaining agree."""
    steps = [((2026, 3, 3), "jo", "respond", {}), ((2026, 3, 4), "aisha", "accept", {}),
             ((2026, 4, 20), "aisha", "reopen", {"target": "team_manager"}),
             ((2026, 5, 1), "aisha", "withdraw", {})]  # fmt: skip
    clock.set(datetime(2026, 3, 2, 10, tzinfo=LONDON))
    esc = practice_alert(service)
    for day, who, action, extra in steps:
        clock.set(datetime(*day, 10, tzinfo=LONDON))
        service.act(esc.reference, who, action, note=f"{action} by {who}", **extra)  # type: ignore[arg-type]
    period = financial_year("2026-27")
    report = service.report("priya", period)
    summary = figures(report, "summary")
    assert summary["summary.resolved.previous"] == 1
    assert summary["summary.open_at_end.previous"] == 0
    assert summary["summary.open_at_end.this"] == 0
    for table in report.tables:
        explained = {f.key: f.value for f in service.explain("priya", period, table.key)}
        assert {f.key: f.value for f in table.figures()} == explained, table.key


def test_escalations_alike_in_every_figure_are_counted_together_and_alike(
    service: EscalationService, clock: FakeClock
) -> None:
    """Raised on one day and resolved on another with the same category, team, raiser and
    ladder, escalations are counted as one row standing for them all (grouped by the London
    day); every figure is what explaining them one by one gives."""

    def alert(raised: datetime, category: str = "drift_and_delay") -> str:
        clock.set(raised)
        reference = practice_alert(service, category=category).reference
        return reference

    morning = datetime(2025, 6, 2, 10, tzinfo=LONDON)
    made = [alert(morning), alert(morning), alert(morning),
            alert(morning, "placement"), alert(morning.replace(hour=15))]  # fmt: skip
    clock.set(datetime(2025, 6, 3, 10, tzinfo=LONDON))
    for reference in made:
        service.act(reference, "jo", "respond", note="Meeting booked.")
    clock.set(datetime(2025, 6, 9, 10, tzinfo=LONDON))
    for reference in made:
        service.act(reference, "aisha", "accept", note="Agreed.")
    rows = list(store.reporting.escalations(service.engine, BEFORE.start, THIS.end, alike=True))
    weights = sorted(row[12] for row in rows)
    assert weights == [1, 4]
    report = service.report("priya", THIS)
    assert figures(report, "summary")["summary.raised.this"] == 5
    assert figures(report, "by_category")["by_category.drift_and_delay.this"] == 4
    resolution = figures(report, "resolution_time")
    assert resolution["resolution_time.all.resolved"] == 5
    assert resolution["resolution_time.all.median"] == 5  # 2 June to 9 June, working days
    for table in report.tables:
        explained = {f.key: f.value for f in service.explain("priya", THIS, table.key)}
        assert {f.key: f.value for f in table.figures()} == explained, table.key


@pytest.fixture
def council(project: Path, engine: Engine, clock: FakeClock) -> EscalationService:
    """A service running the example council protocol, whose outcomes list reasons."""
    shutil.copy(ROOT / "examples" / "workflows" / "council_protocol.yaml", project / "workflows")
    return EscalationService(load_settings(project / "config.yaml"), engine, clock)


def test_outcome_reasons_are_counted_in_all_and_by_category(council: EscalationService) -> None:
    def alert(category: str) -> str:
        return council.raise_alert(
            username="aisha", workflow="council_protocol", alert_type="practice_alert",
            case_refs=["CLA-100234"], category=category, team="north", summary="Drift.",
        ).reference  # fmt: skip

    answered, wrong = alert("drift_and_delay"), alert("placement")
    council.act(answered, "jo", "respond", note="Meeting booked.")
    council.act(answered, "aisha", "accept", note="Good.", reason="plan_agreed")
    council.act(wrong, "aisha", "withdraw", note="Wrong child.", reason="raised_in_error")
    report = council.report("priya", THIS)
    assert figures(report, "outcome_reasons") == {
        "outcome_reasons.resolved:plan_agreed.all": 1,
        "outcome_reasons.resolved:plan_agreed.drift_and_delay": 1,
        "outcome_reasons.resolved:plan_agreed.placement": 0,
        "outcome_reasons.withdrawn:raised_in_error.all": 1,
        "outcome_reasons.withdrawn:raised_in_error.drift_and_delay": 0,
        "outcome_reasons.withdrawn:raised_in_error.placement": 1,
    }
    explained = council.explain("priya", THIS, "outcome_reasons.withdrawn:raised_in_error.all")
    assert [ref for ref, _ in explained[0].evidence] == [wrong]
