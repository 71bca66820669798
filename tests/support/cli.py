"""The installed ``escalate`` run as a real subprocess, as an IRO would run it, and service
folders set up by ``escalate init`` for it to run in."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from escalation_engine.settings.config import load_settings
from escalation_engine.store import make_engine
from tests.support.shipped import ROOT

ESCALATE = Path(sys.executable).with_name("escalate")


def run(
    folder: Path,
    *args: str,
    user: str | None = "aisha",
    now: str | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESCALATE_")} | (env or {})
    env["COLUMNS"] = "120"
    # A sign-in kept in the real home (a developer's own) must never steer a test's commands.
    env.setdefault("XDG_CONFIG_HOME", str(folder / ".test-config"))
    if user:
        env["ESCALATE_USER"] = user
    if now:
        env["ESCALATE_FAKE_NOW"] = now
    return subprocess.run(
        [str(ESCALATE), *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        **({"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}),
    )


def init_site(path: Path, url: str) -> Path:
    """``escalate init`` in ``path``, with config.yaml pointed at the database ``url``."""
    shutil.copy(ROOT / "config.yaml", path / "config.yaml")
    config = path / "config.yaml"
    config.write_text(
        config.read_text().replace("database_url: sqlite:///escalations.db", f"database_url: {url}")
        + "allow_act_as: true\n"
    )
    result = run(path, "init", "--training")
    assert result.returncode == 0, result.stderr
    return path


def site_engine(path: Path) -> Engine:
    return make_engine(load_settings(path / "config.yaml").database_url)


def raise_alert(
    folder: Path, *extra: str, now: str = "2026-01-05T09:00:00+00:00"
) -> dict[str, object]:
    result = run(
        folder, "raise", "--type", "practice_alert", "--case", "CLA-100234", "--category", "drift_and_delay",
        "--summary", "No permanence plan", "--team", "north", "--json", *extra, now=now,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


NOW = "2026-01-05T09:00:00+00:00"


RAISE = (
    "raise", "--type", "practice_alert", "--case", "CLA-100234", "--category", "drift_and_delay",
    "--team", "north", "--summary", "No permanence plan", "--json",
)  # fmt: skip


def new_site(tmp_path: Path, *options: str) -> Path:
    site = tmp_path / "service"
    result = run(tmp_path, "init", *options, str(site), user=None)
    assert result.returncode == 0, result.stderr
    return site
