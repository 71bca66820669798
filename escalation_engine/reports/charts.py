"""The report's charts, drawn with matplotlib as PNG images: raised per month by category, the
highest stage reached, time to resolution, and this period beside the one before.

PNG, not SVG or script: a picture pasted from the HTML into a Word committee paper stays a picture.
The charts read the report's JSON (its tables), so they show exactly the figures printed.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: The GOV.UK Design System's colours, in an order that keeps neighbours apart.
COLOURS = ("#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c", "#28a197", "#912b88",
           "#b58840", "#505a5f", "#85994b", "#6f72af", "#f499be")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Chart:
    key: str
    title: str
    #: What the picture shows, for people who cannot see it.
    alt: str
    png: bytes


def _table(report: dict[str, Any], *keys: str) -> dict[str, Any] | None:
    return next((t for t in report["tables"] if t["key"] in keys), None)


def _column(table: dict[str, Any], key: str) -> list[float]:
    index = [c["key"] for c in table["columns"]].index(key)
    values = []
    for row in table["rows"]:
        cell = row["cells"][index]
        values.append(float(cell["value"] or 0) if isinstance(cell, dict) else 0.0)
    return values


def _png(draw: Callable[[Any], None], height: float = 3.6, counts: str = "y") -> bytes:
    figure = drawn(draw, height, counts)
    buffer = io.BytesIO()
    # "tight" takes in the legend beside the plot, which tight_layout leaves out.
    figure.savefig(buffer, format="png", metadata={"Software": None}, bbox_inches="tight")
    return buffer.getvalue()


def legend_beside(axes: Any, fontsize: int) -> None:
    """The legend to the right of the plot, where it can never cover a bar."""
    axes.legend(fontsize=fontsize, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                borderaxespad=0.0)  # fmt: skip


def drawn(draw: Callable[[Any], None], height: float = 3.6, counts: str = "y") -> Any:
    """The chart ``draw`` makes, laid out (a matplotlib ``Figure``)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, height), dpi=150)
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    draw(axes)
    from matplotlib.ticker import MaxNLocator

    # Counts: whole numbers on the value axis, never 0.2 of an escalation.
    (axes.yaxis if counts == "y" else axes.xaxis).set_major_locator(MaxNLocator(integer=True))
    figure.tight_layout()
    return figure


def _months(report: dict[str, Any]) -> list[Chart]:
    table = _table(report, "by_month", "by_quarter")
    if table is None:
        return []
    labels = [row["label"] for row in table["rows"]]
    categories = [c for c in table["columns"] if c["key"] not in ("this", "previous")]
    positions = list(range(len(labels)))

    def stacked(axes: Any) -> None:
        bottom = [0.0] * len(labels)
        for index, column in enumerate(categories):
            values = _column(table, column["key"])
            axes.bar(positions, values, bottom=bottom, label=column["title"],
                     color=COLOURS[index % len(COLOURS)])  # fmt: skip
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        axes.set_xticks(positions, labels, rotation=45, ha="right", fontsize=8)
        axes.set_ylabel("Escalations raised")
        if categories:
            legend_beside(axes, 7)

    def beside(axes: Any) -> None:
        width = 0.4
        axes.bar([p - width / 2 for p in positions], _column(table, "previous"), width,
                 label=f"Previous period ({report['previous']['label']})", color=COLOURS[8])  # fmt: skip
        axes.bar([p + width / 2 for p in positions], _column(table, "this"), width,
                 label=f"This period ({report['period']['label']})", color=COLOURS[0])  # fmt: skip
        axes.set_xticks(positions, labels, rotation=45, ha="right", fontsize=8)
        axes.set_ylabel("Escalations raised")
        legend_beside(axes, 8)

    word = table["label"].lower()
    total = int(sum(_column(table, "this")))
    before = int(sum(_column(table, "previous")))
    return [
        Chart("raised_by_category", f"Raised each {word}, by category",
              f"Stacked bars of escalations raised each {word} by category; {total} in all.",
              _png(stacked)),
        Chart("previous_beside", "This period beside the previous one",
              f"Bars for each {word}: {total} raised this period against {before} in the"
              " previous one.", _png(beside)),
    ]  # fmt: skip


def _bars(report: dict[str, Any], table_key: str, column: str, key: str, title: str,
          what: str) -> list[Chart]:  # fmt: skip
    table = _table(report, table_key)
    if table is None or not table["rows"]:
        return []
    labels = [row["label"] for row in table["rows"]]
    values = _column(table, column)

    def draw(axes: Any) -> None:
        positions = list(range(len(labels)))[::-1]
        axes.barh(positions, values, color=COLOURS[0])
        axes.set_yticks(positions, labels, fontsize=7)
        axes.set_xlabel(what)
        for position, value in zip(positions, values, strict=True):
            axes.text(value, position, f" {int(value)}", va="center", fontsize=7)

    alt = "; ".join(f"{label}: {int(value)}" for label, value in zip(labels, values, strict=True))
    return [
        Chart(
            key, title, f"{title}. {alt}.", _png(draw, max(2.4, 0.32 * len(labels) + 1), counts="x")
        )
    ]


def charts(report: dict[str, Any]) -> list[Chart]:
    """Every chart of the report, drawn from its tables."""
    return [
        *_months(report),
        *_bars(report, "highest_stage", "reached", "highest_stage", "Highest stage reached",
               "Escalations raised in the period"),
        *_bars(report, "resolution_bands", "resolved", "resolution_time",
               "Working days to resolution", "Escalations resolved"),
    ]  # fmt: skip
