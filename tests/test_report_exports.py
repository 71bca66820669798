"""The report's exports: the HTML opens in a real browser with its charts drawn, the XLSX holds
the same numbers, and the CLI prints what the service worked out."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import Browser

from escalation_engine.periods import financial_year
from escalation_engine.reports.html import page
from escalation_engine.reports.xlsx import workbook

from .conftest import ROOT
from .service_year import ServiceYear
from .test_cli import run

pytestmark = pytest.mark.slow
THIS = financial_year("2025-26")
CHARTS = ("raised_by_category", "previous_beside", "highest_stage", "resolution_time")


def _values(report: dict[str, Any]) -> dict[str, Any]:
    return {
        cell["figure"]: cell["value"]
        for table in report["tables"] for row in table["rows"] for cell in row["cells"]
        if isinstance(cell, dict)
    }  # fmt: skip


def test_the_html_opens_in_chromium_and_shows_its_charts(
    year: ServiceYear, browser: Browser, request: pytest.FixtureRequest
) -> None:
    report = year.service.report("priya", THIS).as_dict()
    path = year.folder / "report.html"
    path.write_text(page(report), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    try:
        opened.goto(path.as_uri())
        assert opened.title() == "Escalations 2025-26"
        artefacts = ROOT / "test-artefacts"
        artefacts.mkdir(exist_ok=True)
        opened.screenshot(path=str(artefacts / f"{request.node.name}.png"), full_page=True)
        for key in CHARTS:
            image = opened.locator(f"#chart-{key} img")
            drawn = image.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
            assert drawn[0], key
            assert drawn[1] > 500, (key, drawn)
            assert drawn[2] > 200, (key, drawn)
            assert image.get_attribute("alt")
            shot = Image.open(io.BytesIO(image.screenshot()))
            colours = shot.convert("RGB").getcolors(maxcolors=1 << 16)
            assert colours is None or len(colours) > 20, f"{key} looks blank"
        shown = opened.locator("#summary + table tbody tr").first.inner_text()
        assert "305" in shown
        assert "140" in shown
        assert opened.locator("script").count() == 0  # pictures, not script: they paste into Word
    finally:
        context.close()


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


def test_the_cli_prints_the_services_figures_in_every_format(year: ServiceYear) -> None:
    expected = year.service.report("priya", THIS).as_dict()
    result = run(year.folder, "report", "--year", "2025-26", "--format", "json", user="priya")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert _values(printed) == _values(expected)
    table = run(year.folder, "report", "--year", "2025-26", user="priya")
    assert table.returncode == 0, table.stderr
    assert "Escalations raised" in table.stdout
    assert "305" in table.stdout
    markdown = run(year.folder, "report", "--year", "2025-26", "--format", "markdown", user="priya")
    assert "| Escalations raised | 305 | 140 | +165 | 2.18× |" in markdown.stdout
    csv_out = run(year.folder, "report", "--year", "2025-26", "--format", "csv", user="priya")
    assert (
        "2025-26,Summary,Escalations raised,This period,305,summary.raised.this" in csv_out.stdout
    )
    for output in ("html", "xlsx"):
        target = year.folder / f"report.{output}"
        made = run(year.folder, "report", "--year", "2025-26", "--format", output, "-o", str(target),
                   user="priya")  # fmt: skip
        assert made.returncode == 0, made.stderr
        assert target.stat().st_size > 10_000
    explained = run(year.folder, "report", "--year", "2025-26", "--explain", "summary.cafcass.this",
                    "--format", "json", user="priya")  # fmt: skip
    [figure] = json.loads(explained.stdout)
    [referred] = [r for r in year.records if r.cafcass]
    assert figure["value"] == 1
    assert [e["reference"] for e in figure["evidence"]] == [referred.reference]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2025"], "is not a financial year"),
        (["--year", "2025-26", "--from", "2025-01-01"], "not both"),
        (["--format", "pdf"], "is not one of table, markdown"),
        (["--by", "week"], "is not one of month, quarter"),
        (["--explain", "nothing.here"], "No figure 'nothing.here'"),
    ],
)
def test_bad_report_options_are_refused_plainly(
    year: ServiceYear, args: list[str], message: str
) -> None:
    result = run(year.folder, "report", *args, user="priya")
    assert result.returncode == 1
    assert message in result.stderr


def test_someone_without_the_role_is_refused(year: ServiceYear) -> None:
    result = run(year.folder, "report", "--year", "2025-26", user="jo")
    assert result.returncode == 1
    assert "may not produce the escalations report" in result.stderr
