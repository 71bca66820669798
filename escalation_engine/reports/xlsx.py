"""The report as an Excel workbook: a sheet saying what it is, then one sheet per table, with
numbers as numbers (so they sum and chart) and text made inert."""

from __future__ import annotations

import io
import re
from typing import Any

from escalation_engine.reports.cells import inert
from escalation_engine.reports.glance import points
from escalation_engine.reports.text import heading, produced

_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, taken: set[str]) -> str:
    """An Excel sheet name (31 characters, none of []:*?/\\), unique in the workbook."""
    base = _shortened(_BAD.sub("-", title), 31) or "Table"
    name, number = base, 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.casefold())
    return name


def _shortened(text: str, most: int) -> str:
    """``text`` in at most ``most`` characters, cut between words (never mid-word)."""
    text = text.strip()
    if len(text) <= most:
        return text
    cut = text[: most + 1].rsplit(" ", 1)[0] if " " in text[:most] else text[:most]
    return cut.rstrip(" ,;-(").strip()


def workbook(report: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    about = book.active
    about.title = "About"
    about.append([inert(report["title"])])
    about["A1"].font = Font(bold=True, size=14)
    about.append([inert(heading(report))])
    about.append([f"{produced(report)}."])
    about.append([])
    about.append(["The period at a glance"])
    about.cell(about.max_row, 1).font = Font(bold=True)
    for point in points(report):
        about.append([inert(point.text)])
    taken = {"about"}
    for table in report["tables"]:
        sheet = book.create_sheet(_sheet_name(table["title"], taken))
        sheet.append(
            [
                inert(table["label"] or table["title"]),
                *(inert(c["title"]) for c in table["columns"]),
            ]
        )
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table["rows"]:
            values: list[Any] = [inert(row["label"])]
            for cell in row["cells"]:
                values.append(cell.get("value") if isinstance(cell, dict) else cell)
            sheet.append(values)
        sheet.append([])
        sheet.append([inert(table["note"])])
        sheet.column_dimensions["A"].width = min(
            70, max(12, *(len(str(r["label"])) for r in table["rows"]), 12) + 2
        )
        for index in range(len(table["columns"])):
            sheet.column_dimensions[get_column_letter(index + 2)].width = 16
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
