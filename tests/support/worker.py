"""Helpers for tests that run the real worker: a service folder, a process, a mail server, a
webhook receiver, and waiting without fixed sleeps."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import Engine

from escalation_engine.clock import SystemClock
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import load_settings
from escalation_engine.store import create_schema, make_engine
from escalation_engine.trail import audit
from tests.support.shipped import ROOT

ESCALATE = Path(sys.executable).with_name("escalate")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_site(
    folder: Path, url: str, *, smtp_port: int | None = None, webhook: str | None = None
) -> Path:
    shutil.copy(ROOT / "config.yaml", folder / "config.yaml")
    shutil.copytree(ROOT / "workflows", folder / "workflows")
    shutil.copy(ROOT / "examples" / "workflows" / "quick_ladder.yaml", folder / "workflows")
    config = folder / "config.yaml"
    config.write_text(
        config.read_text().replace("database_url: sqlite:///escalations.db", f"database_url: {url}")
    )
    # The tests act as several people from one login, as a training folder allows.
    extra = "allow_act_as: true\nworker:\n  sweep_seconds: 1\nnotifications:\n  retry_base_seconds: 0.5\n  retry_max_seconds: 1\n"
    if smtp_port:
        extra += f"  email: {{host: 127.0.0.1, port: {smtp_port}, starttls: false, from: iro@example.org}}\n"
    if webhook:
        extra += f"  webhook_url: {webhook}\n"
    with (folder / "config.yaml").open("a") as config:
        config.write(extra)
    settings = load_settings(folder / "config.yaml")
    engine = make_engine(settings.database_url)
    create_schema(engine)
    engine.dispose()
    return folder


#: Engines the helpers opened; ``dispose_all`` closes them before a test database is dropped.
ENGINES: list[Engine] = []


def service(folder: Path) -> EscalationService:
    settings = load_settings(folder / "config.yaml")
    engine = make_engine(settings.database_url)
    ENGINES.append(engine)
    return EscalationService(settings, engine, SystemClock())


def dispose_all() -> None:
    while ENGINES:
        ENGINES.pop().dispose()


def raise_quick(svc: EscalationService, case: str = "CLA-100001") -> str:
    return svc.raise_alert(
        username="aisha", workflow="quick_ladder", alert_type="quick_alert", case_refs=[case],
        category="placement", summary="A concern", team="north",
    ).reference  # fmt: skip


def escalate(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``escalate ARGS`` run in ``folder`` as the service account would, on real time."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESCALATE_")}
    return subprocess.run(
        [str(ESCALATE), *args], cwd=folder, env=env, capture_output=True, text=True, timeout=60
    )


def start_worker(folder: Path, log_name: str = "worker.log") -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESCALATE_")}
    with (folder / log_name).open("ab") as log:  # the child keeps its own copy of the handle
        return subprocess.Popen(
            [str(ESCALATE), "run"],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
        )


def stop(process: subprocess.Popen[bytes]) -> int:
    """Stop the worker, as a service manager does; a bound, not a race: a sweep under way
    finishes its escalation first, which a loaded two-core machine can make slow."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=90)
    except subprocess.TimeoutExpired:
        process.kill()  # never left running to spoil the tests after this one
        process.wait()
        raise


#: Waits are upper bounds, never expectations: a passing test returns the moment its condition
#: holds, so they are generous enough for a busy two-core machine.
PATIENCE = 4


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    timeout *= PATIENCE
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def assert_each_deadline_applied_once(svc: EscalationService) -> None:
    """No deadline was applied twice, and the trail verifies."""
    applied = Counter(
        (e.reference, e.action, e.from_stage, json.loads(e.data)["due_at"])
        for e in audit.entries(svc.engine)
        if e.actor_kind == "engine"
    )
    doubled = [key for key, count in applied.items() if count > 1]
    assert not doubled, f"applied more than once: {doubled}"
    assert audit.verify(svc.engine).ok


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 Message accepted for delivery"


@dataclass(frozen=True, slots=True)
class Mail:
    """Where the SMTP server listens, and what it was given."""

    port: int
    inbox: Inbox

    def told(self, address: str, *words: str) -> bool:
        """Whether a message to ``address`` holding every one of ``words`` arrived."""
        return any(
            address in to and all(word in body for word in words)
            for to, body in self.inbox.messages
        )


def start_smtp(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


class Hooks:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                hooks.received.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
