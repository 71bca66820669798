"""The workloads ``bench/run.py`` measures: each builds its own database and reports a figure."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.pool import NullPool

from escalation_engine.app import skeleton
from escalation_engine.clock import FakeClock
from escalation_engine.domain.escalation import Escalation
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import Settings, load_settings
from escalation_engine.settings.database import redact
from escalation_engine.store import (
    AuditRow,
    EscalationRow,
    create_schema,
    make_engine,
    row_values,
    unit_of_work,
)
from escalation_engine.trail import audit

#: The worker's default sweep interval (config.yaml's worker.sweep_seconds).
SWEEP_SECONDS = 15.0
MONDAY = datetime(2026, 1, 5, 9, tzinfo=UTC)
_DROP: list[str] = []


def safe(url: str) -> str:
    return redact(url)


def reachable(url: str) -> bool:
    try:
        engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def fresh_postgres(admin_url: str) -> str:
    name = f"escalate_bench_{os.getpid()}_{len(_DROP)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    _DROP.append(name)
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def cleanup(admin_url: str | None = None) -> None:
    if not _DROP:
        return
    from bench.run import POSTGRES

    admin = create_engine(admin_url or POSTGRES, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        for name in _DROP:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    _DROP.clear()


def settings_for(url: str) -> Settings:
    folder = Path(tempfile.mkdtemp(prefix="escalate-bench-"))
    skeleton.write_config(folder)
    skeleton.copy_workflows(folder)
    config = folder / skeleton.CONFIG
    config.write_text(
        config.read_text().replace("database_url: sqlite:///escalations.db", f"database_url: {url}")
    )
    return load_settings(config)


def _raise(service: EscalationService, n: int) -> Escalation:
    return service.raise_alert(
        username="aisha", workflow="dispute_resolution", alert_type="practice_alert",
        case_refs=[f"CLA-{100000 + n}"], category="drift_and_delay", team="north",
        summary="Permanence plan has drifted",
    )  # fmt: skip


@dataclass
class Burst:
    applied_once: int
    per_second: float
    p50: float
    p99: float


#: The rehearsal ladder with its first stage held for this long (and no reminder), so that every
#: alert raised at one moment falls due at one moment, while the real worker runs.
_HELD = """
    clock: {seconds: %d}
    reminder: none
"""


def deadline_burst(url: str, count: int) -> Burst:
    """``count`` alerts raised at one moment, all falling due together a little later, while the
    real worker (``escalate run``, its default sweep interval) runs on real time; lateness as the
    trail records it, from each deadline to the moment its timeout was applied."""
    settings = settings_for(url)
    folder = settings.path.parent
    hold = int(60 + count * 0.006)
    ladder = (skeleton.data() / "examples" / "workflows" / "quick_ladder.yaml").read_text()
    first_stage = "    clock: {seconds: 4}\n    reminder: {seconds: 2}\n"
    assert first_stage in ladder, "the rehearsal ladder's first stage has changed"
    (folder / "workflows" / "quick_ladder.yaml").write_text(
        ladder.replace(first_stage, _HELD.lstrip("\n") % hold)
    )
    settings = load_settings(settings.path)
    engine = make_engine(settings.database_url)
    create_schema(engine)
    raised_at = datetime.now(UTC)
    service = EscalationService(settings, engine, FakeClock(raised_at))
    for n in range(count):
        service.raise_alert(
            username="aisha", workflow="quick_ladder", alert_type="quick_alert",
            case_refs=[f"CLA-{100000 + n}"], category="placement", team="north", summary="x",
        )  # fmt: skip
    due = raised_at + timedelta(seconds=hold)
    if datetime.now(UTC) > due - timedelta(seconds=SWEEP_SECONDS):
        raise RuntimeError(f"raising {count:,} alerts took longer than the {hold} s they are held")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESCALATE_")}
    worker = subprocess.Popen([str(Path(sys.executable).parent / "escalate"), "run"], cwd=folder,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        while _timed_out(engine) < count:
            if worker.poll() is not None:
                raise RuntimeError(f"the worker stopped (exit code {worker.returncode})")
            time.sleep(1)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=120)
    lateness, timed_out, applied = [], [], []
    for entry in audit.entries(engine):
        if entry.action == "timeout" and entry.from_stage == "team_manager":
            data = json.loads(entry.data)
            timed_out.append(entry.reference)
            at = datetime.fromisoformat(data["applied_at"])
            applied.append(at)
            lateness.append((at - datetime.fromisoformat(data["due_at"])).total_seconds())
    engine.dispose()
    lateness.sort()
    once = len(set(timed_out)) if len(timed_out) == len(set(timed_out)) else 0
    return Burst(
        applied_once=once,
        per_second=len(applied) / max((max(applied) - min(applied)).total_seconds(), 1e-3),
        p50=statistics.median(lateness),
        p99=lateness[int(len(lateness) * 0.99) - 1],
    )


def _timed_out(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(
            "SELECT count(*) FROM audit_entry WHERE action = 'timeout'"
            " AND from_stage = 'team_manager'"
        )).scalar_one())  # fmt: skip


def fill_trail(url: str, count: int) -> None:
    """A chained trail of ``count`` entries like the engine's, written in bulk."""
    engine = make_engine(url)
    create_schema(engine)
    prev = audit.GENESIS
    table = AuditRow.__table__  # type: ignore[attr-defined]
    chunk: list[dict[str, object]] = []
    at = MONDAY
    for seq in range(1, count + 1):
        at += timedelta(seconds=7)
        row = {
            "seq": seq, "schema_version": audit.SCHEMA_VERSION,
            "reference": f"ESC-2026-{seq % 5000:04d}", "at": at, "actor": "jo",
            "actor_kind": "person", "action": "respond", "from_stage": "team_manager",
            "to_stage": "team_manager", "note": "Permanence meeting booked for 12 March; Zoë's plan",
            "data": audit.canonical_json({"as": "team_manager", "due": at.isoformat(), "copy": ["aisha"]}),
            "prev_hash": prev,
        }  # fmt: skip
        row["hash"] = prev = hashlib.sha256(audit.canonical(SimpleNamespace(**row))).hexdigest()
        chunk.append(row)
        if len(chunk) == 20_000:
            with unit_of_work(engine) as session:
                session.execute(insert(table), chunk)
            chunk = []
    if chunk:
        with unit_of_work(engine) as session:
            session.execute(insert(table), chunk)
    engine.dispose()


def worker_start(count: int) -> tuple[float, float]:
    """Seconds from ``escalate run`` to its first sweep, and its memory then, with ``count`` open
    escalations whose deadlines are weeks away."""
    folder = Path(tempfile.mkdtemp(prefix="escalate-worker-"))
    settings = settings_for(f"sqlite:///{folder / 'escalations.db'}")
    engine = make_engine(settings.database_url)
    create_schema(engine)
    service = EscalationService(settings, engine, FakeClock(datetime.now(UTC)))
    template = _raise(service, 0)
    values = row_values(template) | {"audit_head": ""}
    table = EscalationRow.__table__  # type: ignore[attr-defined]
    rows = [values | {"reference": f"ESC-2027-{n:06d}"} for n in range(1, count)]
    with unit_of_work(engine) as session:
        session.execute(insert(table), rows)
    engine.dispose()
    escalate = str(Path(sys.executable).parent / "escalate")
    start = time.perf_counter()
    worker = subprocess.Popen(
        [escalate, "--config", str(settings.path), "run"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert worker.stderr is not None
        for line in worker.stderr:
            if "worker started" in line:
                break
        took = time.perf_counter() - start
        status = Path(f"/proc/{worker.pid}/status").read_text()
        rss_kib = next(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    return took, rss_kib / 1024
