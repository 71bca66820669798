"""Local accounts from the command line."""

from __future__ import annotations

import getpass
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


def test_the_first_account_on_a_live_service_says_how_before_asking_for_a_password(
    tmp_path: Path,
) -> None:
    site = tmp_path / "service"
    assert run(tmp_path, "init", str(site), user=None).returncode == 0  # live: no --as
    login = getpass.getuser()
    config = (site / "config.yaml").read_text()
    assert f"username: {login}," not in config  # the host's login is not one of the people yet
    refused = run(site, "user", "add", "aisha", user=None, stdin=GOOD + "\n" + GOOD + "\n")
    assert refused.returncode == 1
    said = " ".join(refused.stderr.split())
    assert f"Your login {login!r} is not listed under people" in said
    assert "roles: [administrator] or roles: [iro_manager]" in said
    assert "--as" not in said  # a live folder refuses it: never suggested there
    assert "New password" not in refused.stdout + refused.stderr  # nothing was asked
    listed = config.replace(
        "people:\n",
        f"people:\n  - {{username: {login}, name: Service Admin, roles: [administrator], team: iro_service}}\n",
        1,
    )
    (site / "config.yaml").write_text(listed)
    added = run(site, "user", "add", "aisha", "--password-stdin", user=None, stdin=GOOD + "\n")
    assert added.returncode == 0, added.stderr
