"""An auditor exports the access log as CSV from the command line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.support.cli import run


def test_an_auditor_exports_the_access_log_as_csv_from_the_command_line(tmp_path: Path) -> None:
    from tests.support.cli import RAISE

    site = tmp_path / "service"
    assert run(tmp_path, "init", "--training", str(site)).returncode == 0
    assert run(site, *RAISE, user="aisha").returncode == 0
    refused = run(site, "show", "ESC-2026-0001", user="tom")
    assert refused.returncode == 1
    said = " ".join(refused.stderr.split())
    unknown = " ".join(run(site, "show", "ESC-2026-0999", user="tom").stderr.split())
    assert said == unknown.replace("0999", "0001")  # as if it did not exist
    assert run(site, "show", "ESC-2026-0001", user="jo").returncode == 0
    assert "No escalations" in run(site, "list", user="tom").stdout
    exported = run(site, "access-log", "--csv", user="amir")
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [(r["viewer"], r["reference"], r["view"]) for r in rows] == [
        ("tom", "ESC-2026-0001", "refused"),
        ("jo", "ESC-2026-0001", "show"),
    ]
    assert run(site, "access-log", user="jo").returncode == 1
