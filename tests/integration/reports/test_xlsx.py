"""The report's XLSX holds the same numbers as the report, one sheet per table."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from escalation_engine.domain.periods import financial_year
from escalation_engine.reports.xlsx import workbook
from tests.support.service_year import ServiceYear

pytestmark = pytest.mark.slow
THIS = financial_year("2025-26")


def test_the_xlsx_holds_the_same_numbers_one_sheet_per_table(year: ServiceYear) -> None:
    report = year.service.report("priya", THIS).as_dict()
    book = load_workbook(io.BytesIO(workbook(report)))
    assert book.sheetnames[0] == "About"
    assert len(book.sheetnames) == 1 + len(report["tables"])
    for sheet_name, table in zip(book.sheetnames[1:], report["tables"], strict=True):
        sheet = book[sheet_name]
        header = [cell.value for cell in sheet[1]]
        assert header[1:] == [c["title"] for c in table["columns"]]
        for index, row in enumerate(table["rows"], start=2):
            cells = [cell.value for cell in sheet[index]]
            assert cells[0] == row["label"]
            expected = [c.get("value") if isinstance(c, dict) else c for c in row["cells"]]
            assert cells[1 : 1 + len(expected)] == expected, (table["key"], row["key"])
    summary = book[book.sheetnames[1]]
    assert [summary.cell(2, column).value for column in (2, 3)] == [305, 140]
