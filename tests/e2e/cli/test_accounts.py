"""Local accounts from the command line."""

from __future__ import annotations

import getpass
from pathlib import Path

from escalation_engine.clock import SystemClock
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import load_settings
from escalation_engine.store import make_engine
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


def test_init_names_the_first_administrator_and_refuses_one_who_is_not(tmp_path: Path) -> None:
    site = tmp_path / "service"
    plain = run(tmp_path, "init", str(site), user=None)
    assert plain.returncode == 0, plain.stderr
    assert "escalate init --admin USERNAME" in " ".join(plain.stdout.split())  # the next step
    refused = run(site, "init", "--admin", "aisha", "--password-stdin", user=None,
                  stdin=GOOD + "\n")  # fmt: skip
    assert refused.returncode == 1
    said = " ".join(refused.stderr.split())
    assert "Aisha Khan (aisha) cannot be the first administrator" in said
    assert "roles: [administrator] or roles: [iro_manager]" in said
    unknown = run(site, "init", "--admin", "priyaa", "--password-stdin", user=None,
                  stdin=GOOD + "\n")  # fmt: skip
    assert unknown.returncode == 1
    assert "Did you mean 'priya'" in " ".join(unknown.stderr.split())
    named = run(site, "init", "--admin", "priya", "--password-stdin", user=None,
                stdin=GOOD + "\n")  # fmt: skip
    assert named.returncode == 0, named.stderr
    assert "Priya Shah can now sign in as priya" in " ".join(named.stdout.split())
    assert "Nobody can sign in yet" not in named.stdout
    settings = load_settings(site / "config.yaml")
    service = EscalationService(settings, make_engine(settings.database_url), SystemClock())
    try:
        assert service.accounts.sign_in("priya", GOOD, source="test").username == "priya"
    finally:
        service.engine.dispose()
