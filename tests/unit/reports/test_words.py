"""The report in a committee's words: when it was produced in London time, a period not yet over
said to be part of it, sheet names cut between words, and a star rating written "Green*"."""

from __future__ import annotations

from typing import Any

import pytest

from escalation_engine.reports.text import heading, produced
from escalation_engine.reports.xlsx import _sheet_name
from escalation_engine.spec.loader import load_workflow_text
from tests.support.shipped import ROOT


def _report(generated_at: str) -> dict[str, Any]:
    return {
        "title": "Escalations 2026-27", "generated_at": generated_at,
        "period": {"first": "2026-04-01", "last": "2027-03-31", "label": "2026-27",
                   "financial_year": True},
        "previous": {"first": "2025-04-01", "last": "2026-03-31", "label": "2025-26"},
    }  # fmt: skip


def test_a_report_of_a_year_not_yet_over_says_it_covers_part_of_it() -> None:
    said = heading(_report("2026-12-07T09:30:00+00:00"))
    assert said.startswith("Escalations 2026-27 (1 April 2026 to 31 March 2027), compared with")
    assert "Part of the period only: the figures are to 7 December 2026" in said
    assert "Part of" not in heading(_report("2027-04-02T09:30:00+00:00"))


def test_produced_is_said_in_london_time() -> None:
    # 23:30 UTC on 31 July is half past midnight on 1 August in London (summer time).
    assert produced(_report("2026-07-31T23:30:00+00:00")) == (
        "Produced Sat 01 Aug 2026 00:30 (London time) from the audit trail"
    )


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Highest stage reached, and resolved at each stage", "Highest stage reached, and"),
        ("Raised by workflow version", "Raised by workflow version"),
        ("Responses: on time/late", "Responses- on time-late"),
    ],
)
def test_sheet_names_fit_excel_and_are_cut_between_words(title: str, expected: str) -> None:
    name = _sheet_name(title, set())
    assert name == expected
    assert len(name) <= 31


def test_a_star_rating_with_no_label_is_written_as_reports_write_it() -> None:
    text = (ROOT / "workflows" / "rag_rating.yaml").read_text()
    text = text.replace('green_star: {label: "Green*", title: "Green*: exceptional practice",',
                        "green_star: {")  # fmt: skip
    assert "green_star: { positive: true}" in text
    spec = load_workflow_text(text)
    assert spec.rag is not None
    labels = {rating.name: rating.label for rating in spec.rag.ratings}
    assert labels["green_star"] == "Green*"
    assert labels["amber"] == "Amber"


def test_a_charts_legend_never_covers_a_bar() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from escalation_engine.reports.charts import drawn, legend_beside

    def draw(axes: Any) -> None:  # twelve months of full bars, eight categories stacked
        bottom = [0.0] * 12
        for category in range(8):
            axes.bar(range(12), [10.0] * 12, bottom=bottom, label=f"Category {category}")
            bottom = [b + 10.0 for b in bottom]
        legend_beside(axes, 7)

    figure = drawn(draw)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    (axes,) = figure.axes
    legend = axes.get_legend().get_window_extent(renderer)
    bars = [patch.get_window_extent(renderer) for patch in axes.patches]
    assert len(bars) == 96
    assert not any(legend.overlaps(bar) for bar in bars)
