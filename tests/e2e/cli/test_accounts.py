"""Local accounts from the command line."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import run

GOOD = "violet kettle harbour lamp"


def test_accounts_from_the_command_line(tmp_path: Path) -> None:
    site = tmp_path / "service"
    assert run(tmp_path, "init", "--training", str(site)).returncode == 0
    added = run(site, "user", "add", "jo", "--password-stdin", user="priya", stdin=GOOD + "\n")
    assert added.returncode == 0, added.stderr
    again = run(site, "user", "add", "jo", "--password-stdin", user="priya", stdin=GOOD + "\n")
    assert again.returncode == 1
    assert "already has an account" in again.stderr
    assert run(site, "user", "disable", "priya", user="jo").returncode == 1
    assert run(site, "user", "disable", "jo", user="priya").returncode == 0
    assert GOOD not in (site / "escalations.db").read_bytes().decode("latin-1")
