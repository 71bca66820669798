"""The shipped legacy example imports from the command line, once."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.cli import init_site, run
from tests.support.shipped import ROOT

EXAMPLE = ROOT / "escalation_engine" / "data" / "examples" / "legacy"


def test_the_shipped_example_imports_from_the_command_line_once(tmp_path: Path) -> None:
    site = init_site(tmp_path, "sqlite:///escalations.db")
    shutil.copytree(EXAMPLE, tmp_path / "legacy")
    args = ["import", "legacy/escalations.csv", "--mapping", "legacy/mapping.yaml"]
    first = run(site, *args, user="priya")
    assert first.returncode == 0, first.stderr
    assert (
        "Imported 8 escalations from escalations.csv: ESC-2023-0001 to ESC-2024-0003."
        in first.stdout
    )
    again = run(site, *args, user="priya")
    assert again.returncode == 0, again.stderr
    assert "nothing was imported again" in again.stdout
    verify = run(site, "audit", "verify", user="priya")
    assert verify.returncode == 0, verify.stdout
    broken = tmp_path / "legacy" / "broken.csv"
    broken.write_text(
        (tmp_path / "legacy" / "escalations.csv").read_text().replace("Aisha Khan", "A Nobody")
    )
    refused = run(site, "import", str(broken), "--mapping", "legacy/mapping.yaml", user="priya")
    assert refused.returncode == 1
    assert "row 2: raised by 'A Nobody'" in refused.stderr
    assert "nothing was imported" in refused.stderr
    checked = run(
        site,
        "import",
        "legacy/escalations.csv",
        "--mapping",
        "legacy/mapping.yaml",
        "--check",
        user="priya",
    )
    assert "all 8 rows are ready to import" in checked.stdout
