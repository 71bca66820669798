"""The report's exports: the HTML opens in a real browser with its charts drawn, the XLSX holds
the same numbers, and the CLI prints what the service worked out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from escalation_engine.domain.periods import financial_year
from tests.support.cli import run
from tests.support.service_year import ServiceYear

pytestmark = pytest.mark.slow
THIS = financial_year("2025-26")


def _values(report: dict[str, Any]) -> dict[str, Any]:
    return {
        cell["figure"]: cell["value"]
        for table in report["tables"] for row in table["rows"] for cell in row["cells"]
        if isinstance(cell, dict)
    }  # fmt: skip


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


def test_a_report_written_into_a_folder_not_there_yet_makes_the_folder(
    year: ServiceYear, tmp_path: Path
) -> None:
    target = tmp_path / "reports" / "2025-26" / "report.html"
    result = run(year.folder, "report", "--year", "2025-26", "--format", "html", "-o",
                 str(target), user="priya")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_a_report_that_cannot_be_written_where_asked_is_refused_plainly(
    year: ServiceYear, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("not a folder\n")
    for target, said in (
        (tmp_path / "notes.txt" / "report.html", "is a file, not a folder"),
        (tmp_path, "is a folder: give a file's name"),
    ):
        result = run(year.folder, "report", "--year", "2025-26", "--format", "html", "-o",
                     str(target), user="priya")  # fmt: skip
        assert result.returncode == 1
        assert said in " ".join(result.stderr.split())
        assert "Traceback" not in result.stderr
