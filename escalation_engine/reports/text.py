"""The report as text: each figure as people read it, Markdown for a committee paper, CSV for a
spreadsheet. Works on the report's JSON, so a client prints what the server worked out."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from typing import IO, Any

from escalation_engine.domain.calendar import LONDON
from escalation_engine.domain.labels import local_text
from escalation_engine.reports.cells import inert
from escalation_engine.reports.glance import points


def shown(column: str, cell: Any) -> str:
    """A cell as printed: counts with thousands separators, a change signed, a ratio as 2.05×,
    no figure as a dash."""
    if cell is None:
        return "–"
    if isinstance(cell, str):
        return cell
    value = cell["value"]
    if value is None:
        return "–"
    if column == "ratio":
        return f"{value:.2f}×"
    if column == "change":
        return f"{value:+,}" if value else "0"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _days(period: dict[str, str]) -> str:
    first, last = date.fromisoformat(period["first"]), date.fromisoformat(period["last"])
    return f"{first:%-d %B %Y} to {last:%-d %B %Y}"


def heading(report: dict[str, Any]) -> str:
    """What the report covers: ``Escalations 2025-26 (1 April 2025 to 31 March 2026), compared
    with 2024-25 (...)``; a period not yet over says the figures are for part of it."""
    period, previous = report["period"], report["previous"]
    covers = f" ({_days(period)})" if period.get("financial_year") else ""
    said = f"{report['title']}{covers}, compared with {previous['label']}"
    made = _produced_day(report)
    if made is not None and made <= date.fromisoformat(period["last"]):
        said += (
            f". Part of the period only: the figures are to {made:%-d %B %Y}, and the period runs"
            f" to {date.fromisoformat(period['last']):%-d %B %Y}"
        )
    return said


def _produced_day(report: dict[str, Any]) -> date | None:
    made = report.get("generated_at")
    return datetime.fromisoformat(made).astimezone(LONDON).date() if made else None


def produced(report: dict[str, Any]) -> str:
    """When the report was produced, in London time as people read it."""
    return f"Produced {local_text(report['generated_at'])} (London time) from the audit trail"


def rows(table: dict[str, Any]) -> Iterator[list[str]]:
    """The table's header, then each row, as printed text."""
    yield [table["label"], *(c["title"] for c in table["columns"])]
    keys = [c["key"] for c in table["columns"]]
    for row in table["rows"]:
        yield [row["label"], *(shown(k, c) for k, c in zip(keys, row["cells"], strict=True))]


def _escaped(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(report: dict[str, Any]) -> str:
    """The report as Markdown: a heading, then each table with what it counts under it."""
    lines = [f"# {report['title']}", "", heading(report) + ".", "", "## The period at a glance", ""]
    lines += [f"- {_escaped(point.text)}" for point in points(report)] + [""]
    for table in report["tables"]:
        lines += [f"## {table['title']}", ""]
        printed = list(rows(table))
        lines.append("| " + " | ".join(_escaped(cell) or " " for cell in printed[0]) + " |")
        lines.append("|" + "|".join([" --- "] + [" ---: "] * (len(printed[0]) - 1)) + "|")
        lines += ["| " + " | ".join(_escaped(cell) for cell in row) + " |" for row in printed[1:]]
        if len(printed) == 1:
            lines.append("| None in the period |" + " |" * (len(printed[0]) - 1))
        lines += ["", f"_{table['note']}_", ""]
    return "\n".join(lines)


def write_csv(report: dict[str, Any], stream: IO[str]) -> None:
    """One line per figure: table, row, column, value and the figure's name (for --explain)."""
    writer = csv.writer(stream)
    writer.writerow(["period", "table", "row", "column", "value", "figure"])
    label = report["period"]["label"]
    for table in report["tables"]:
        for row in table["rows"]:
            for column, cell in zip(table["columns"], row["cells"], strict=True):
                value = cell.get("value") if isinstance(cell, dict) else cell
                figure = cell.get("figure", "") if isinstance(cell, dict) else ""
                writer.writerow([inert(label), inert(table["title"]), inert(row["label"]),
                                 inert(column["title"]), "" if value is None else value, figure])  # fmt: skip
