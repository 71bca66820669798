"""Legacy import: a spreadsheet comes in whole or not at all, once, dated as it happened."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from escalation_engine.domain.periods import financial_year
from escalation_engine.errors import PermissionDenied
from escalation_engine.legacy import files
from escalation_engine.legacy.mapping import Mapping
from escalation_engine.legacy.rows import Checker
from escalation_engine.service import EscalationService
from escalation_engine.trail import audit
from tests.support.databases import fingerprint

HEADER = (
    "Case reference,Alert type,Category,Team,Raised by,Raised on,Highest stage,Outcome,Closed on"
)
GOOD = [
    "CLA-300001,practice_alert,safeguarding,north,aisha,2024-03-04,team_manager,resolved,2024-03-11",
    "CLA-300002,Practice Alert,Placement,north,Tom Reid,14/05/2024,service_manager,withdrawn,20/05/2024",
    "CLA-300003,practice_alert,contact,north,aisha,2025-01-06,director,referred_to_cafcass,2025-02-03",
    "CLA-300004,good_practice,participation,north,tom,2025-02-10,,,",
    "CLA-300005,practice_alert,pep,north,aisha,2025-03-27,team_manager,resolved,2025-04-03",
]


def _import(service: EscalationService, path: Path, mapping: Mapping | None = None) -> list[str]:
    """Check and import ``path`` as the IRO manager; the problems found, if any."""
    sheet = files.read(path)
    today = service.calendar.local_day(service.clock.now())
    rows, problems = Checker(service.settings, service.workflows, mapping or Mapping(), today,
                             "dispute_resolution").rows(sheet)  # fmt: skip
    if not problems:
        service.importing.import_rows("priya", sheet, rows)
    return problems


def _csv(folder: Path, lines: list[str], name: str = "legacy.csv") -> Path:
    path = folder / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_a_good_file_imports_everything_exactly_once_keeping_its_dates(
    service: EscalationService, tmp_path: Path
) -> None:
    path = _csv(tmp_path, GOOD)
    assert _import(service, path) == []
    imported = {e.reference: e for e in service.all()}
    assert sorted(imported) == ["ESC-2024-0001", "ESC-2024-0002", "ESC-2025-0001", "ESC-2025-0002",
                                "ESC-2025-0003"]  # fmt: skip
    first = imported["ESC-2024-0001"]
    assert (first.stage, first.raised_by, first.category) == ("resolved", "aisha", "safeguarding")
    assert first.raised_at.date() == date(2024, 3, 4)
    assert imported["ESC-2025-0001"].stage == "referred_to_cafcass"
    assert imported["ESC-2025-0001"].stages_reached[-1] == "director"
    for entry in audit.entries(service.engine):
        marker = json.loads(entry.data)["imported"]
        assert marker["file"] == "legacy.csv"
        assert marker["by"] == "priya"
        assert len(marker["digest"]) == 64
    assert service.verify_all().ok
    before = fingerprint(service.engine)
    assert _import(service, path) == []  # the same file again
    assert fingerprint(service.engine) == before
    # The reports count them in their own years.
    report = service.report("priya", financial_year("2024-25"))
    summary = {f.key: f.value for f in report.table("summary").figures()}
    assert summary["summary.raised.this"] == 3  # May 2024, Jan 2025, Mar 2025
    assert summary["summary.raised.previous"] == 1  # March 2024
    assert summary["summary.imported.this"] == 3
    assert summary["summary.cafcass.this"] == 1
    assert summary["summary.good_practice.this"] == 1
    assert summary["summary.open_at_end.this"] == 1  # raised 27 March 2025, resolved in April


def test_a_file_with_bad_rows_imports_nothing_and_names_every_bad_row(
    service: EscalationService, tmp_path: Path
) -> None:
    bad = [
        GOOD[0],
        "Jane Smith,practice_alert,safeguarding,north,aisha,2024-03-04,,resolved,2024-03-11",
        "CLA-300007,practice_alert,no_such_category,north,aisha,2024-03-04,,resolved,2024-03-11",
        "CLA-300008,practice_alert,safeguarding,north,nobody,31/02/2024,,resolved,2024-03-11",
        "CLA-300009,practice_alert,safeguarding,north,aisha,2024-03-04,,,",
        "CLA-300010,practice_alert,safeguarding,north,aisha,2024-03-04,team_manager,unresolved,2024-03-11",
        "CLA-300011,practice_alert,safeguarding,north,aisha,2024-03-04,,resolved,2024-03-01",
        "CLA-300012,management_alert,safeguarding,north,aisha,2024-03-04,team_manager,resolved,2024-03-11",
        GOOD[1],
    ]
    before = fingerprint(service.engine)
    problems = _import(service, _csv(tmp_path, bad))
    assert fingerprint(service.engine) == before
    rows = sorted({int(p.split(":")[0].split()[1]) for p in problems})
    assert rows == [3, 4, 5, 6, 7, 8, 9]
    text = "\n".join(problems)
    assert "'JANE SMITH' does not match" in text
    assert "Unknown category 'no_such_category'" in text
    assert "'nobody' is nobody listed" in text
    assert "'31/02/2024' is not a date" in text
    assert "no outcome" in text
    assert "cannot end 'unresolved'" in text
    assert "closed on 2024-03-01 is before raised on 2024-03-04" in text
    assert "is not above 'Stage 2: service manager or head of service'" in text


def test_an_xlsx_workbook_with_date_cells_imports_like_the_csv(
    service: EscalationService, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["CLA-300001", "practice_alert", "safeguarding", "north", "aisha",
                  datetime(2024, 3, 4), "service_manager", "resolved", datetime(2024, 3, 18)])  # fmt: skip
    sheet.append([300002, "practice_alert", "safeguarding", "north", "aisha", datetime(2024, 3, 4),
                  None, "withdrawn", datetime(2024, 3, 5)])  # fmt: skip
    path = tmp_path / "legacy.xlsx"
    book.save(path)
    problems = _import(service, path)
    assert problems == [
        "row 3: case reference '300002' does not match ^[A-Z]{2,5}-?[0-9]{3,10}$ (a case reference, never a name)"
    ]
    sheet["A3"] = "CLA-300002"
    book.save(path)
    assert _import(service, path) == []
    [first, second] = service.all()
    assert first.stages_reached == ("team_manager", "service_manager")
    assert first.closed_at is not None
    assert first.closed_at.date() == date(2024, 3, 18)
    assert second.outcome == "withdrawn"


def test_only_the_iro_manager_or_an_administrator_imports(
    service: EscalationService, tmp_path: Path
) -> None:
    sheet = files.read(_csv(tmp_path, GOOD))
    with pytest.raises(PermissionDenied, match="may not import"):
        service.importing.import_rows("jo", sheet, [])
