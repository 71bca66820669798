"""The layers are enforced, not remembered: ``lint-imports`` passes on the package as it is, and
fails, naming the import, on a scratch copy where a lower layer reaches up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.shipped import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy(tmp_path: Path) -> Path:
    """The package and its contracts, in a folder of their own."""
    shutil.copytree(ROOT / "escalation_engine", tmp_path / "escalation_engine",
                    ignore=shutil.ignore_patterns("__pycache__", "data", "static", "templates"))  # fmt: skip
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(folder: Path) -> subprocess.CompletedProcess[str]:
    # The copy comes first on the path, so the contracts are checked against it, not the
    # installed package.
    env = os.environ | {"PYTHONPATH": str(folder)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=folder, env=env, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip


def test_the_package_keeps_its_layers(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "reaching", "broken"),
    [
        ("domain/policy.py", "from escalation_engine.store import engine", "domain is not allowed"),
        ("spec/model.py", "from escalation_engine.domain import calendar", "spec is not allowed"),
        ("domain/routing.py", "import sqlalchemy", "sqlalchemy"),
        ("domain/stages.py", "from escalation_engine import clock", "escalation_engine.clock"),
        ("web/forms.py", "from escalation_engine.cli import views", "web is not allowed"),
    ],
    ids=[
        "domain reaches the store",
        "spec reaches the domain",
        "domain imports SQLAlchemy",
        "domain reads the clock",
        "web reaches the CLI",
    ],  # fmt: skip
)
def test_a_lower_layer_reaching_up_is_refused_naming_the_import(
    tmp_path: Path, module: str, reaching: str, broken: str
) -> None:
    folder = _copy(tmp_path)
    path = folder / "escalation_engine" / module
    path.write_text(path.read_text() + f"\n{reaching}  # noqa\n")
    result = _lint(folder)
    assert result.returncode == 1, result.stdout
    assert broken in result.stdout
    assert "BROKEN" in result.stdout or "broken" in result.stdout
