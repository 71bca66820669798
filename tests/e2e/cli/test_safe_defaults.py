"""Safe defaults: the team is asked for when more than one could receive an alert, nobody is told
silently that they were notified, secrets stay out of rows and logs, SMTP uses TLS, and a broken
workflow file stops nothing but itself."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from tests.support.cli import run
from tests.support.worker import (
    dispose_all,
    make_site,
    raise_quick,
    start_worker,
    wait_for,
)
from tests.support.worker import service as worker_service


def test_init_and_status_say_plainly_that_nobody_is_notified(tmp_path: Path) -> None:
    init = run(tmp_path, "init")
    assert init.returncode == 0, init.stderr
    assert "Nobody will be notified" in init.stdout
    status = run(tmp_path, "status")
    assert status.returncode == 1
    assert "nobody is being notified" in " ".join(status.stderr.split())
    assert json.loads(run(tmp_path, "status", "--json").stdout)["notifications_configured"] is False


BROKEN = "name: draft\nstages: [\n"


def test_a_broken_workflow_file_stops_only_itself(tmp_path: Path) -> None:
    assert run(tmp_path, "init", "--training").returncode == 0
    raised = run(tmp_path, "raise", "--type", "practice_alert", "--case", "CLA-1234", "--category", "pep",
                 "--summary", "s", "--json", now="2026-01-05T09:00:00+00:00")  # fmt: skip
    assert raised.returncode == 0, raised.stderr
    reference = json.loads(raised.stdout)["reference"]
    (tmp_path / "workflows" / "draft.yaml").write_text(BROKEN)
    # The file an escalation started under is broken too: it keeps running on the stored version.
    (tmp_path / "workflows" / "dispute_resolution.yaml").write_text(BROKEN)
    listed = run(tmp_path, "workflows", "list")
    assert listed.returncode == 0
    assert "draft.yaml is left out until fixed" in " ".join(listed.stderr.split())
    assert "case_alert" in listed.stdout
    other = run(tmp_path, "raise", "--workflow", "case_alert", "--type", "case_alert", "--case", "CLA-5678",
                "--category", "pep", "--summary", "s", "--date", "review_date=2026-01-05", now="2026-01-05T09:00:00+00:00")  # fmt: skip
    assert other.returncode == 0, other.stderr
    refused = run(
        tmp_path,
        "raise",
        "--type",
        "practice_alert",
        "--case",
        "CLA-1234",
        "--category",
        "pep",
        "--summary",
        "s",
    )
    assert refused.returncode == 1
    assert "dispute_resolution.yaml has problems" in " ".join(refused.stderr.split())
    ticked = run(tmp_path, "tick", "--json", now="2026-01-13T09:00:00+00:00")
    assert ticked.returncode == 0, ticked.stderr
    assert {"reference": reference, "kind": "timeout"}.items() <= json.loads(ticked.stdout)[
        "applied"
    ][0].items()
    shown = run(tmp_path, "show", reference, "--json")
    assert json.loads(shown.stdout)["stage"] == "service_manager"
    status = run(tmp_path, "status", "--json")
    assert status.returncode == 1
    assert set(json.loads(status.stdout)["broken_workflow_files"]) == {
        str(tmp_path / "workflows" / "draft.yaml"),
        str(tmp_path / "workflows" / "dispute_resolution.yaml"),
    }


def test_no_config_names_the_folders_searched_and_creates_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-service"
    folder.mkdir()
    result = run(folder, "list")
    assert result.returncode == 1
    said = " ".join(result.stderr.split())
    assert f"No config.yaml in {folder}, {tmp_path}" in said
    assert "escalate init" in said
    assert list(folder.iterdir()) == []


def test_a_config_without_its_database_creates_none(tmp_path: Path) -> None:
    assert run(tmp_path, "init", "--training").returncode == 0
    (tmp_path / "escalations.db").unlink()
    result = run(tmp_path / "workflows", "list")  # from a folder below: config.yaml is found above
    assert result.returncode == 1
    assert "There is no database at" in " ".join(result.stderr.split())
    assert not (tmp_path / "escalations.db").exists()


def test_config_may_follow_the_command(tmp_path: Path) -> None:
    service_folder = tmp_path / "svc"
    service_folder.mkdir()
    assert run(service_folder, "init", "--training").returncode == 0
    config = str(service_folder / "config.yaml")
    assert run(tmp_path, "list", "--config", config).returncode == 0
    assert run(tmp_path, "--config", config, "list").returncode == 0
    noted = run(tmp_path, "raise", "--type", "practice_alert", "--case", "CLA-1234", "--category", "pep",
                "--summary", "--config", "--config", config)  # fmt: skip
    assert noted.returncode == 0, noted.stderr


def test_demo_keep_suggests_a_command_that_works(tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    result = run(tmp_path, "demo", "--keep", str(kept))
    assert result.returncode == 0, result.stderr
    suggestion = " ".join(result.stdout.split()).split(" try ", 1)[1].split()
    assert suggestion[0] == "escalate"
    again = run(tmp_path, *suggestion[1:])
    assert again.returncode == 0, again.stderr
    assert "ESC-2026-0001" in again.stdout


@pytest.mark.slow
def test_the_worker_log_names_a_broken_file_and_says_would_tell(tmp_path: Path) -> None:
    site = make_site(tmp_path, f"sqlite:///{tmp_path / 'escalations.db'}")
    (site / "workflows" / "draft.yaml").write_text(BROKEN)
    worker = start_worker(site)
    try:
        reference = raise_quick(worker_service(site))
        log = site / "worker.log"
        wait_for(lambda: f"{reference}: timeout" in log.read_text(), 30, "the first timeout")
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
        dispose_all()
    text = log.read_text()
    assert "nobody is being notified" in text
    assert "would tell (no notification channel is configured)" in text
    assert "draft.yaml is left out until fixed" in text
