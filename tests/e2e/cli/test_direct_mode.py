"""Direct mode, said for what it is: the computer login acts; ``--as`` and a pretended clock
only where the folder is set up for them, and every such entry says so."""

from __future__ import annotations

import getpass
import json
import sqlite3
from pathlib import Path

import pytest
import yaml

from tests.support.cli import NOW, RAISE, new_site, run


def _entries(site: Path) -> list[tuple[str, str, dict[str, object]]]:
    with sqlite3.connect(site / "escalations.db") as db:
        rows = db.execute("SELECT actor, action, data FROM audit_entry ORDER BY seq").fetchall()
    return [(actor, action, json.loads(data)) for actor, action, data in rows]


def _list_login_as_iro(site: Path) -> None:
    config = site / "config.yaml"
    data = yaml.safe_load(config.read_text())
    data["people"].append({"username": getpass.getuser(), "name": "Logged In", "roles": ["iro"],
                           "team": "iro_service", "manager": "priya"})  # fmt: skip
    config.write_text(yaml.safe_dump(data))


def test_a_live_database_refuses_a_pretended_clock_and_writes_nothing(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    _list_login_as_iro(site)
    for command in (RAISE, ("tick",)):
        result = run(site, *command, user=None, now=NOW)
        assert result.returncode == 1
        assert "ESCALATE_FAKE_NOW is set, and this database holds live escalations" in result.stderr
    assert _entries(site) == []


def test_on_a_live_folder_you_act_as_your_login_and_as_no_one_else(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    _list_login_as_iro(site)
    refused = run(site, *RAISE, "--as", "aisha", user=None)
    assert refused.returncode == 1
    assert "allow_act_as: true" in refused.stderr
    by_environment = run(site, *RAISE, user="aisha")  # ESCALATE_USER is --as by another name
    assert by_environment.returncode == 1
    assert _entries(site) == []
    assert run(site, *RAISE, user=None).returncode == 0
    [(actor, _, data)] = _entries(site)
    assert actor == getpass.getuser()
    assert "entered_by" not in data
    assert "training" not in data


def test_a_training_folder_records_who_typed_it_and_that_it_was_training(tmp_path: Path) -> None:
    site = new_site(tmp_path, "--training")
    assert run(site, *RAISE, user="aisha", now=NOW).returncode == 0
    assert run(site, "tick", user=None, now="2026-01-13T09:00:00+00:00").returncode == 0
    entries = _entries(site)
    assert [action for _, action, _ in entries] == ["raise", "timeout"]
    assert all(data["training"] is True for _, _, data in entries)
    actor, _, data = entries[0]
    assert (actor, data["entered_by"]) == ("aisha", getpass.getuser())
    timeline = run(site, "audit", "ESC-2026-0001", user="aisha").stdout
    assert "Training" in timeline
    assert "Entered by the computer login" in " ".join(timeline.split())


@pytest.mark.parametrize(("first", "then"), [((), ("--training",)), (("--training",), ())])
def test_what_a_database_is_for_never_changes(
    tmp_path: Path, first: tuple[str, ...], then: tuple[str, ...]
) -> None:
    site = new_site(tmp_path, *first)
    again = run(site, "init", *then, user=None)
    assert again.returncode == 1
    assert "that cannot change" in again.stderr
    with (
        pytest.raises(sqlite3.DatabaseError, match="written once"),
        sqlite3.connect(site / "escalations.db") as db,
    ):
        db.execute("UPDATE installation SET training = NOT training")
