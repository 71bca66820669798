"""The trail across escalations: filters, periods across 1 April, the read rules, the access log,
and exports that a spreadsheet opens safely."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.support.cli import NOW, RAISE, new_site, run


def test_the_cli_exports_csv_a_spreadsheet_opens_safely_and_json(tmp_path: Path) -> None:
    site = new_site(tmp_path, "--training")
    formula = (
        "raise",
        *RAISE[1 : RAISE.index("--summary") + 1],
        '=HYPERLINK("http://x")',
        "--json",
    )
    assert run(site, *formula, user="aisha", now=NOW).returncode == 0
    exported = run(site, "audit", "--format", "csv", user="amir", now=NOW)
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [row["action"] for row in rows] == ["raise"]
    assert rows[0]["note"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["actor_name"] == "Aisha Khan"
    as_json = run(site, "audit", "--json", "--category", "drift_and_delay", user="amir", now=NOW)
    assert [entry["reference"] for entry in json.loads(as_json.stdout)] == ["ESC-2026-0001"]
    refused = run(site, "audit", "--format", "pdf", user="amir", now=NOW)
    assert refused.returncode == 1
    assert "--format 'pdf' is not one of table, csv, json" in refused.stderr
