"""A live service for tests: ``escalate serve`` started as a real subprocess on a free loopback
port, over a service folder with local accounts, and client folders that reach it."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from escalation_engine.clock import SystemClock
from escalation_engine.domain.escalation import Escalation
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import load_settings
from escalation_engine.store import make_engine
from tests.support.cli import ESCALATE, run
from tests.support.shipped import ROOT

PASSWORD = "violet kettle harbour lamp"
ACCOUNTS = ("aisha", "tom", "jo", "mark", "priya", "amir", "dana")


@dataclass
class Live:
    folder: Path
    url: str
    process: subprocess.Popen[str]

    def client(self, home: Path, username: str | None = None) -> Path:
        """A client's folder whose config.yaml names only the server; signed in as ``username``."""
        home.mkdir(parents=True, exist_ok=True)
        (home / "config.yaml").write_text(f"server:\n  url: {self.url}\n")
        if username is not None:
            result = as_client(home, "login", "--username", username, stdin=PASSWORD + "\n")
            assert result.returncode == 0, result.stderr
        return home

    def raised(self, case: str, category: str = "drift_and_delay") -> Escalation:
        """A practice alert Aisha raises about ``case`` in north, straight through the service
        (what a page is then tried on)."""
        return self.service.raise_alert(
            username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
            case_refs=[case], category=category, team="north",
            summary="No permanence plan four months after the second review.",
        )  # fmt: skip

    @functools.cached_property
    def service(self) -> EscalationService:
        """The service over the same database, for looking at what the server wrote."""
        settings = load_settings(self.folder / "config.yaml")
        return EscalationService(settings, make_engine(settings.database_url), SystemClock())


def as_client(
    home: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``escalate`` run in a client folder, with its own config directory (its own sign-in)."""
    return run(
        home,
        *args,
        user=None,
        stdin=stdin,
        env={"XDG_CONFIG_HOME": str(home / ".config")} | (env or {}),
    )


def service_folder(path: Path, url: str, extra: str = "") -> Path:
    """A live (not training) service folder on ``url`` with local accounts for ``ACCOUNTS``."""
    shutil.copy(ROOT / "config.yaml", path / "config.yaml")
    config = path / "config.yaml"
    config.write_text(
        config.read_text().replace("database_url: sqlite:///escalations.db", f"database_url: {url}")
        + extra
    )
    result = run(path, "init", user=None)
    assert result.returncode == 0, result.stderr
    settings = load_settings(config)
    engine = make_engine(settings.database_url)
    service = EscalationService(settings, engine, SystemClock())
    for username in ACCOUNTS:
        service.accounts.add_account("priya", username, PASSWORD)
    engine.dispose()
    return path


@contextmanager
def serving(folder: Path, env: dict[str, str] | None = None) -> Iterator[Live]:
    """``escalate serve --port 0`` in ``folder`` until the block ends."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ESCALATE_")} | (env or {})
    process = subprocess.Popen(
        [str(ESCALATE), "serve", "--host", "127.0.0.1", "--port", "0"],
        cwd=folder, env=clean, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # printed once the port is bound and listening
        found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if found is None:
            process.kill()
            _, stderr = process.communicate(timeout=30)
            raise AssertionError(f"escalate serve did not start: {line!r} {stderr}")
        url = f"http://127.0.0.1:{found.group(1)}"
        assert httpx.get(url + "/health", timeout=30).status_code == 200
        live = Live(folder, url, process)
        yield live
        if "service" in live.__dict__:
            live.service.engine.dispose()
    finally:
        process.terminate()
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def sign_in(live: Live, username: str, password: str = PASSWORD) -> httpx.Client:
    """An HTTP client carrying ``username``'s bearer token."""
    answer = httpx.post(
        live.url + "/api/v1/sessions", json={"username": username, "password": password},
        timeout=30,
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    token = answer.json()["token"]
    return httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
