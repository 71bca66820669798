"""The report as data: tables of figures, each figure named and traceable to entries.

Every renderer (the terminal, Markdown, CSV, JSON, HTML, XLSX, the web desk) prints this one
model, so a figure reads the same everywhere; ``--explain`` looks a figure up by its key and
lists the escalations and audit entries behind it. Evidence stays on the server: the JSON a client
receives carries the values, and the evidence of one figure is asked for by its key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: (escalation reference, audit entry number)
Evidence = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Figure:
    key: str
    value: int | float | None
    evidence: tuple[Evidence, ...] = ()


Cell = Figure | str | None


@dataclass(slots=True)
class Row:
    key: str
    label: str
    cells: list[Cell]


@dataclass(slots=True)
class Table:
    key: str
    title: str
    #: What it counts, in a sentence (printed under the table).
    note: str
    #: (key, title) of each column after the row's label.
    columns: list[tuple[str, str]]
    label: str = ""
    rows: list[Row] = field(default_factory=list)

    def add(self, key: str, label: str, *values: Any) -> None:
        """A row whose cells are figures keyed ``table.row.column`` (text stays text)."""
        cells: list[Cell] = []
        for (column, _), value in zip(self.columns, values, strict=True):
            if isinstance(value, Figure) or value is None or isinstance(value, str):
                cells.append(value)
            else:
                number, evidence = value
                cells.append(Figure(f"{self.key}.{key}.{column}", number, tuple(evidence)))
        self.rows.append(Row(key, label, cells))

    def figures(self) -> list[Figure]:
        return [cell for row in self.rows for cell in row.cells if isinstance(cell, Figure)]


@dataclass(slots=True)
class Report:
    title: str
    period: dict[str, Any]
    previous: dict[str, Any]
    generated_at: str
    tables: list[Table]

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    def matching(self, key: str) -> list[Figure]:
        """The figure ``key``, or every figure of a table or row it names the start of."""
        found = [f for t in self.tables for f in t.figures()]
        exact = [f for f in found if f.key == key]
        return exact or [f for f in found if f.key.startswith(key + ".")]

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON, without the evidence (ask for a figure's with ``--explain``)."""
        return {
            "title": self.title,
            "period": self.period,
            "previous": self.previous,
            "generated_at": self.generated_at,
            "tables": [
                {
                    "key": t.key,
                    "title": t.title,
                    "note": t.note,
                    "label": t.label,
                    "columns": [{"key": k, "title": title} for k, title in t.columns],
                    "rows": [
                        {"key": r.key, "label": r.label, "cells": [_cell(c) for c in r.cells]}
                        for r in t.rows
                    ],
                }  # fmt: skip
                for t in self.tables
            ],
        }


def _cell(cell: Cell) -> Any:
    if isinstance(cell, Figure):
        return {"value": cell.value, "figure": cell.key}
    return cell
