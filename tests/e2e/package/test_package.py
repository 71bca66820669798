"""The package as a newcomer gets it: a wheel built from this tree, installed into a fresh
virtual environment, used from an empty folder with no checkout of the repository beside it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from escalation_engine import __version__
from tests.support.shipped import ROOT


def _run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ESCALATE_", "VIRTUAL_ENV"))}
    return subprocess.run(
        command, cwd=cwd, env=clean | env, capture_output=True, text=True, timeout=600,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # Build from a copy of the working tree, so that the build writes nothing into it.
    tree = tmp_path_factory.mktemp("src") / "tree"
    skip = shutil.ignore_patterns(
        ".git", ".venv", ".*cache", ".hypothesis", "build", "dist", "*.egg-info", "__pycache__"
    )
    shutil.copytree(ROOT, tree, symlinks=True, ignore=skip)
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(tree)], tree
    )
    assert built.returncode == 0, built.stderr
    (found,) = out.glob("escalation_engine-*.whl")
    return found


def test_the_wheel_carries_the_config_template_workflows_examples_and_desk_pages(
    wheel: Path,
) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "escalation_engine/data/config.yaml" in names
    assert {
        "escalation_engine/data/workflows/dispute_resolution.yaml",
        "escalation_engine/data/workflows/case_alert.yaml",
        "escalation_engine/data/workflows/rag_rating.yaml",
        "escalation_engine/data/examples/workflows/quick_ladder.yaml",
        "escalation_engine/data/examples/legacy/escalations.csv",
        "escalation_engine/data/examples/legacy/mapping.yaml",
        "escalation_engine/spec/schema.json",
        "escalation_engine/store/migrations/versions/0001_core.py",
        "escalation_engine/web/templates/base.html",
        "escalation_engine/web/templates/escalation.html",
        "escalation_engine/web/static/govuk-frontend.min.css",
        "escalation_engine/web/static/desk.css",
    } <= names


@pytest.mark.slow
def test_installed_from_the_wheel_init_demo_and_raise_work_in_an_empty_folder(
    wheel: Path, tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    install = _run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)], tmp_path)  # fmt: skip
    assert install.returncode == 0, install.stderr
    escalate = str(env_dir / "bin" / "escalate")
    folder = tmp_path / "service"
    folder.mkdir()
    version = _run([escalate, "--version"], folder)
    assert version.returncode == 0, version.stderr
    assert version.stdout.split() == ["escalate", __version__]
    init = _run([escalate, "init", "--training"], folder)
    assert init.returncode == 0, init.stderr
    assert (folder / "config.yaml").is_file()
    assert (folder / "workflows" / "dispute_resolution.yaml").is_file()
    assert (folder / "examples" / "workflows" / "quick_ladder.yaml").is_file()
    raised = _run(
        [escalate, "raise", "--type", "practice_alert", "--case", "CLA-100234", "--category",
         "drift_and_delay", "--team", "north", "--summary", "No permanence plan", "--json"],
        folder, ESCALATE_USER="aisha",
    )  # fmt: skip
    assert raised.returncode == 0, raised.stderr
    assert '"reference": "ESC-' in raised.stdout
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    demo = _run([escalate, "demo"], elsewhere)
    assert demo.returncode == 0, demo.stderr
    assert "Audit trail verified" in demo.stdout
    assert list(elsewhere.iterdir()) == []


def test_the_demos_set_up_installs_nothing_for_the_tests(tmp_path: Path) -> None:
    # A checkout whose virtual environment is made (this one's) but whose tests' npm packages
    # are not, with npm and apt-get that refuse to run: the demo's set-up must not need them.
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / "scripts", checkout / "scripts")
    shutil.copy(ROOT / "pyproject.toml", checkout / "pyproject.toml")
    (checkout / ".venv").symlink_to(ROOT / ".venv")
    tools = tmp_path / "bin"
    tools.mkdir()
    for name in ("npm", "apt-get", "sudo"):
        (tools / name).write_text(f"#!/bin/sh\necho '{name} was run' >&2\nexit 97\n")
        (tools / name).chmod(0o755)
    env = dict(os.environ, PATH=f"{tools}{os.pathsep}{os.environ['PATH']}")

    def setup(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", str(checkout / "scripts" / "setup"), *args], env=env,
                              capture_output=True, text=True, timeout=600)  # fmt: skip

    demo = setup("--demo")
    assert demo.returncode == 0, demo.stderr
    assert "was run" not in demo.stderr
    assert "scripts/setup --demo" in (ROOT / "scripts" / "demo").read_text()
    tests = setup()  # the tests' set-up does want npm: shown here by the refusing one
    assert tests.returncode == 97
    assert "npm was run" in tests.stderr
