"""Start-up stays lean: commands import only what they use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import run

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "apscheduler", "rich", "transitions", "holidays")

PROBE = """
import contextlib, io, sys
sys.argv = ["escalate", *sys.argv[1:]]
from escalation_engine.cli import main
with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
    main()
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def _imported(folder: Path, *args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split()) & set(HEAVY)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    assert run(tmp_path, "init").returncode == 0
    return tmp_path


def test_help_imports_no_database_layer_scheduler_or_rich(tmp_path: Path) -> None:
    assert _imported(tmp_path, "--help") == set()


@pytest.mark.parametrize("command", [["calendar", "due", "2026-01-05", "--working-days", "3"],
                                     ["workflows", "validate"]])  # fmt: skip
def test_commands_that_need_no_database_do_not_import_it(folder: Path, command: list[str]) -> None:
    imported = _imported(folder, *command)
    assert not imported & {"sqlalchemy", "sqlmodel", "alembic", "apscheduler"}, imported


def test_only_the_worker_imports_the_scheduler_and_only_init_and_db_import_alembic(
    folder: Path,
) -> None:
    imported = _imported(folder, "list")
    assert "sqlalchemy" in imported  # the probe does see what a command loads
    assert not imported & {"apscheduler", "alembic"}, imported
