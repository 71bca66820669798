"""Watching from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run
from tests.support.scenarios import (
    svc,  # noqa: F401  (the fixture: a service with a team south)
)


def test_watching_from_the_command_line(tmp_path: Path) -> None:
    from tests.support.cli import RAISE

    site = tmp_path / "service"
    assert run(tmp_path, "init", "--training", str(site)).returncode == 0
    assert run(site, *RAISE, user="aisha").returncode == 0
    done = run(site, "watch", "ESC-2026-0001", user="ellie")
    assert done.returncode == 0, done.stderr
    assert "You are watching ESC-2026-0001" in done.stdout
    listed = run(site, "list", "--watching", "--json", user="ellie")
    assert [e["reference"] for e in json.loads(listed.stdout)] == ["ESC-2026-0001"]
    mixed = run(site, "list", "--watching", "--mine", user="ellie")
    assert mixed.returncode != 0
    assert "--watching" in mixed.stderr
    assert "--mine" in mixed.stderr
    refused = run(site, "watch", "ESC-2026-0001", user="tom")
    assert refused.returncode == 1
    assert "No escalation has the reference 'ESC-2026-0001' that you may see" in " ".join(
        refused.stderr.split()
    )
    stopped = run(site, "watch", "ESC-2026-0001", "--stop", user="ellie")
    assert stopped.returncode == 0
    assert "no longer watch" in stopped.stdout
    assert json.loads(run(site, "list", "--watching", "--json", user="ellie").stdout) == []
