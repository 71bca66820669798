"""The installed ``escalate`` command, run as a real subprocess, as an IRO would run it."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import make_url

from escalation_engine.settings.config import load_settings
from tests.support.cli import ESCALATE, init_site, raise_alert, run, site_engine
from tests.support.databases import ADMIN_URL, DATABASES, database, fingerprint
from tests.support.shipped import ROOT


@pytest.fixture(scope="module", params=DATABASES)
def folder(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("iro")
    with database(request.param, path) as url:
        yield init_site(path, url)


@pytest.fixture(params=DATABASES)
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """A fresh service folder of its own, on each database."""
    with database(request.param, tmp_path) as url:
        yield init_site(tmp_path, url)


def test_calendar_due_skips_the_state_funeral(tmp_path: Path) -> None:
    result = run(tmp_path, "calendar", "due", "2022-09-15", "--working-days", "3", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["due"] == "2022-09-21T17:00:00+01:00"
    assert {
        "date": "2022-09-19",
        "reason": "bank holiday: State Funeral of Queen Elizabeth II",
    } in data["skipped"]


def test_calendar_due_counts_the_councils_closures_and_refuses_a_config_it_cannot_read(
    tmp_path: Path,
) -> None:
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    counted = run(tmp_path, "calendar", "due", "2026-12-28", "--working-days", "3", "--json")
    assert counted.returncode == 0, counted.stderr
    assert json.loads(counted.stdout)["due"] == "2027-01-06T17:00:00+00:00"  # closures skipped
    config = tmp_path / "config.yaml"
    config.write_text(config.read_text().replace("date: 2026-12-29", "date: 2026-02-30"))
    refused = run(tmp_path, "calendar", "due", "2026-12-28", "--working-days", "3")
    assert refused.returncode == 1
    assert "'2026-02-30' cannot be read" in " ".join(refused.stderr.split())
    assert "Due:" not in refused.stdout


def test_raise_then_tick_past_the_deadline_moves_it_to_the_next_tier(site: Path) -> None:
    reference = raise_alert(site)["reference"]
    result = run(site, "tick", "--json", now="2026-01-13T09:00:00+00:00")
    assert result.returncode == 0, result.stderr
    assert {
        "reference": reference,
        "kind": "timeout",
        "to_stage": "service_manager",
    }.items() <= json.loads(result.stdout)["applied"][0].items()
    shown = json.loads(run(site, "show", str(reference), "--json").stdout)
    assert shown["stage"] == "service_manager"
    assert shown["with_people"] == ["mark"]
    assert [e["action"] for e in shown["timeline"]] == ["raise", "timeout"]
    assert shown["timeline"][1]["actor_kind"] == "engine"


def test_list_finds_by_search_and_says_how_late_the_late_ones_are(site: Path) -> None:
    reference = str(raise_alert(site)["reference"])
    later = "2026-01-16T10:00:00+00:00"  # a week on: the first stage's five days have passed
    late = run(site, "list", "--due", "overdue", "--search", reference[-4:], user="jo", now=later)
    assert late.returncode == 0, late.stderr
    assert reference in late.stdout
    assert "Overdue by" in " ".join(late.stdout.split())
    found = json.loads(run(site, "list", "-q", reference.lower(), "--json", user="jo").stdout)
    assert [e["reference"] for e in found] == [reference]
    none = run(site, "list", "--due", "today", user="jo", now=later)
    assert "No escalations match." in none.stdout


def test_the_dashboard_at_a_terminal_counts_what_is_open_where(site: Path) -> None:
    raise_alert(site)
    shown = run(site, "dashboard", user="jo", now="2026-01-16T10:00:00+00:00")
    assert shown.returncode == 0, shown.stderr
    said = " ".join(shown.stdout.split())
    assert "Open: 1; overdue 1" in said
    assert "Dispute Resolution Protocol: 1 open" in said
    found = json.loads(run(site, "dashboard", "--json", user="tom").stdout)
    assert found["counts"]["all"] == 0  # another IRO: nothing of aisha's


def test_a_manager_responds_and_the_iro_accepts(site: Path) -> None:
    reference = str(raise_alert(site)["reference"])
    result = run(
        site,
        "respond",
        reference,
        "--note",
        "Meeting booked",
        user="jo",
        now="2026-01-06T10:00:00+00:00",
    )
    assert result.returncode == 0, result.stderr
    waiting = json.loads(run(site, "list", "--waiting", "--json").stdout)
    assert reference in [e["reference"] for e in waiting]
    result = run(site, "accept", reference, "--note", "Satisfied", now="2026-01-06T11:00:00+00:00")
    assert result.returncode == 0, result.stderr
    assert "resolved" in result.stdout


def snapshot(folder: Path) -> dict[str, str]:
    """The database's files (SQLite) and the content of every table (both databases)."""
    files = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.db*"))
    }
    engine = site_engine(folder)
    try:
        return files | {"rows": fingerprint(engine)}
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=DATABASES)
def with_one_alert(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """A service folder holding one open alert, ESC-2026-0001, raised on 2 November 2026."""
    path = tmp_path_factory.mktemp("bad-input")
    with database(request.param, path) as url:
        init_site(path, url)
        raise_alert(path, now="2026-11-02T09:00:00+00:00")
        yield path


def raise_args(**changes: str) -> list[str]:
    """A valid ``escalate raise`` command line, with the named options changed."""
    options = {
        "type": "practice_alert",
        "case": "CLA-1234",
        "category": "pep",
        "summary": "s",
    } | changes
    return ["raise", *[part for name, value in options.items() for part in (f"--{name}", value)]]


@pytest.mark.parametrize(
    ("args", "user", "message"),
    [
        (raise_args(workflow="nope", type="x"), "aisha", "No workflow named 'nope'"),
        (raise_args(category="drift"), "aisha", "Unknown category 'drift'"),
        (raise_args(), "mallory", "'mallory' is not listed"),
        (raise_args(case="Jane Smith"), "aisha", "is not a case reference"),
        (raise_args(), "jo", "may not raise"),
        (["accept", "ESC-2026-0001"], "jo", "may not accept"),
        (["rate", "ESC-2026-0001", "--rating", "red"], "aisha", "Cannot rate ESC-2026-0001"),
        (
            ["extend", "ESC-2026-0001", "--until", "2020-01-01", "--note", "x"],
            "priya",
            "is not in the future",
        ),
        (["show", "ESC-2026-9999"], "aisha", "No escalation has the reference"),
    ],
    ids=[
        "workflow",
        "category",
        "user",
        "case-ref",
        "role",
        "disallowed-role",
        "disallowed-action",
        "past-date",
        "unknown-ref",
    ],
)
def test_bad_input_is_refused_plainly_and_leaves_the_database_byte_identical(
    with_one_alert: Path, args: list[str], user: str, message: str
) -> None:
    site = with_one_alert
    before = snapshot(site)
    result = run(site, *args, user=user, now="2026-11-03T09:00:00+00:00")
    assert result.returncode == 1
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr
    assert snapshot(site) == before


def test_misuse_exits_2(tmp_path: Path) -> None:
    assert run(tmp_path, "raise", "--bogus").returncode == 2


def _sql(site: Path, statement: str) -> None:
    """Run ``statement`` on the site's database directly, as its owner could."""
    url = load_settings(site / "config.yaml").database_url
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(site / "escalations.db")) as connection, connection:
            connection.execute(statement)
        return
    psql = [
        "psql",
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False),
    ]
    subprocess.run([*psql, "-c", statement], check=True, capture_output=True)


def test_an_edit_behind_the_engines_back_is_caught_by_audit_verify(site: Path) -> None:
    raise_alert(site)
    assert run(site, "audit", "verify").returncode == 0
    sqlite = load_settings(site / "config.yaml").database_url.startswith("sqlite")
    _sql(site, "DROP TRIGGER audit_entry_no_update" if sqlite
               else "ALTER TABLE audit_entry DISABLE TRIGGER USER")  # fmt: skip
    _sql(site, "UPDATE audit_entry SET note = 'nothing to see' WHERE seq = 1")
    result = run(site, "audit", "verify")
    assert result.returncode == 1
    assert "entry 1" in result.stderr
    assert json.loads(run(site, "audit", "verify", "--json").stdout)["first_bad_seq"] == 1
    # From a checkpoint past the edit, the rest of the trail still verifies.
    raise_alert(site)
    after = run(site, "audit", "verify", "--since", "1", "--json")
    assert after.returncode == 0, after.stdout
    assert json.loads(after.stdout)["since"] == 1
    assert "after entry 1" in run(site, "audit", "verify", "--since", "1").stdout


def test_report_counts_that_disagree_with_the_trail_are_named_and_recounted(site: Path) -> None:
    raise_alert(site)
    assert "The report's counts agree with the trail." in run(site, "audit", "verify").stdout
    _sql(site, "INSERT INTO report_tally VALUES ('2026-01-05', 'abc', 'practice_alert', 'timeout',"
               " 'team_manager', '', false, 3)")  # fmt: skip
    found = run(site, "audit", "verify")
    assert found.returncode == 1
    assert "the report's count of timeout entries" in found.stderr
    assert "escalate db recount" in found.stderr
    recounted = run(site, "db", "recount", user=None)
    assert recounted.returncode == 0, recounted.stderr
    assert run(site, "audit", "verify").returncode == 0


def test_workflows_validate_exit_codes(tmp_path: Path) -> None:
    assert (
        run(
            ROOT, "workflows", "validate", *map(str, sorted((ROOT / "workflows").glob("*.yaml")))
        ).returncode
        == 0
    )
    broken = ROOT / "tests" / "fixtures" / "workflows" / "unknown_stage.yaml"
    result = run(tmp_path, "workflows", "validate", str(broken))
    assert result.returncode == 1
    assert "Did you mean 'second'?" in result.stderr


def test_workflows_show_draws_a_mermaid_diagram(folder: Path) -> None:
    result = run(folder, "workflows", "show", "dispute_resolution", "--mermaid")
    assert result.returncode == 0
    assert result.stdout.startswith("flowchart TD")
    assert "team_manager -- timeout --> service_manager" in result.stdout


def test_marking_managers_away_moves_the_alert_to_the_duty_manager_and_back(site: Path) -> None:
    now = "2026-01-05T10:00:00+00:00"
    reference = str(raise_alert(site)["reference"])
    assert run(site, "away", "ellie", "--as", "jo", now=now).returncode == 0
    result = run(
        site, "away", "jo", "--until", "2026-01-09", "--note", "Leave", "--as", "mark", now=now
    )
    assert result.returncode == 0, result.stderr
    assert f"{reference}: now with Dev Patel" in result.stdout
    waiting = json.loads(run(site, "list", "--waiting", "--as", "dev", "--json", now=now).stdout)
    assert [e["reference"] for e in waiting] == [reference]
    listed = json.loads(run(site, "away", "--json", now=now).stdout)
    assert listed == [
        {"username": "ellie", "until": None},
        {"username": "jo", "until": "2026-01-09"},
    ]
    refused = run(site, "back", "jo", "--as", "tom", now=now)
    assert refused.returncode == 1
    assert "may not mark jo back" in refused.stderr
    assert run(site, "back", "ellie", "--as", "ellie", now=now).returncode == 0
    shown = json.loads(run(site, "show", reference, "--json", now=now).stdout)
    assert shown["with_people"] == ["ellie"]
    assert [e["action"] for e in shown["timeline"]] == ["raise", *["reroute"] * 3]


def test_python_dash_m_runs_the_same_command(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "escalation_engine", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert "Raise, follow and escalate" in result.stdout


@pytest.mark.parametrize("kind", DATABASES)
def test_demo_runs_and_verifies_its_audit_trail(tmp_path: Path, kind: str) -> None:
    extra = {} if kind == "sqlite" else {"ESCALATE_DATABASE_URL": ADMIN_URL}
    result = run(tmp_path, "demo", env=extra)
    assert result.returncode == 0, result.stderr
    assert "Audit trail verified" in result.stdout
    assert "refers ESC-2026-0001 to Cafcass" in result.stdout
    assert list(tmp_path.iterdir()) == []  # leaves nothing behind


def test_raise_asks_for_what_is_missing_at_a_terminal(site: Path) -> None:
    import pty

    env = {k: v for k, v in os.environ.items() if not k.startswith("ESCALATE_")}
    env |= {
        "ESCALATE_USER": "aisha",
        "ESCALATE_FAKE_NOW": "2026-01-05T09:00:00+00:00",
        "COLUMNS": "120",
    }
    master, replica = pty.openpty()
    process = subprocess.Popen(
        [str(ESCALATE), "raise", "--type", "practice_alert", "--team", "north"],
        cwd=site, env=env, stdin=replica, stdout=replica, stderr=replica,
    )  # fmt: skip
    os.close(replica)
    os.write(master, b"CLA-555555\ncontact\nContact plan not reviewed since the move\n")
    output = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=60) == 0, output.decode()
    os.close(master)
    text = re.sub(r"\x1b\[[0-9;]*m", "", output.decode())
    assert "Child's case reference" in text
    assert "Category" in text
    assert "Raised ESC-2026-" in text
