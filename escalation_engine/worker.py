"""``escalate run``: the long-running worker that makes deadlines take effect by themselves.

The database is the single source of truth for deadlines. APScheduler (in-process, in memory)
only decides when to look: a sweep every few seconds, and a wake-up at the nearest deadline. A
sweep applies everything due (``EscalationService.tick``) and delivers the outbox, so an alert
raised by another process is picked up at the next sweep, deadlines missed while the worker was
down are applied as soon as it starts, and nothing depends on a job store surviving a restart.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import IO, Any

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import update
from sqlmodel import Session, col, select

from .delivery import deliver_due
from .errors import ConfigError
from .outbox import undelivered
from .service import EscalationService
from .store import WorkerRow, unit_of_work

log = logging.getLogger("escalation_engine.worker")


def lock_path(service: EscalationService) -> Path:
    """Where the single-worker lock lives: beside the SQLite file, else beside config.yaml."""
    url = service.settings.database_url
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        return Path(url.removeprefix("sqlite:///") + ".worker.lock")
    return service.settings.path.with_name("escalate-worker.lock")


class SingleWorkerLock:
    """An exclusive OS file lock: released by the kernel even if the worker is killed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def acquire(self, started_at: datetime) -> None:
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise ConfigError(
                f"A worker is already running on this database ({holder}); stop it first, or"
                " check with 'escalate status'."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(
            f"pid {os.getpid()} on {socket.gethostname()}, started {started_at:%Y-%m-%d %H:%M:%S %Z}"
        )
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


class Worker:
    """Sweeps on a schedule until told to stop."""

    def __init__(self, service: EscalationService) -> None:
        self.service = service
        self.settings = service.settings
        self.stop = threading.Event()
        self._sweeping = threading.Lock()
        self._scheduler = BackgroundScheduler(timezone=UTC)
        self._worker_id: int | None = None

    def _heartbeat(self, now: datetime, *, stopped: bool = False) -> None:
        with unit_of_work(self.service.engine) as session:
            if self._worker_id is None:
                row = WorkerRow(
                    pid=os.getpid(), host=socket.gethostname(), started_at=now, heartbeat_at=now
                )
                session.add(row)
                session.flush()
                self._worker_id = row.id
                return
            values: dict[str, Any] = {"heartbeat_at": now}
            if stopped:
                values["stopped_at"] = now
            session.execute(
                update(WorkerRow).where(col(WorkerRow.id) == self._worker_id).values(**values)
            )

    def sweep(self) -> None:
        """Apply what is due, deliver notifications, and set the next wake-up. Never raises."""
        if not self._sweeping.acquire(blocking=False):
            return  # the other trigger's sweep is still running; it does the same work
        try:
            now = self.service.clock.now()
            self._heartbeat(now)
            report = self.service.tick(now, batch=self.settings.worker.batch, stop=self.stop.is_set)
            for item in report.applied:
                late = (report.now - item.due_at).total_seconds()
                log.info("%s: %s %s -> %s (due %s, applied %.0fs later)", item.reference,
                         item.kind, item.from_stage, item.to_stage, item.due_at.isoformat(), late)  # fmt: skip
            if not self.stop.is_set():
                deliver_due(self.service.engine, self.settings, self.service.clock.now())
                self._schedule_wake()
        except Exception:
            log.exception("sweep failed; the next sweep will try again")
        finally:
            self._sweeping.release()

    def _schedule_wake(self) -> None:
        nearest = self.service.next_due()
        if nearest is None:
            return
        now = self.service.clock.now()
        if nearest < now + timedelta(seconds=self.settings.worker.sweep_seconds):
            self._scheduler.add_job(
                self.sweep, "date", run_date=max(nearest, now) + timedelta(milliseconds=20),
                id="wake", replace_existing=True, misfire_grace_time=None,
            )  # fmt: skip

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info(
            "received %s: finishing the batch in hand, then stopping", signal.Signals(signum).name
        )
        self.stop.set()

    def run(self) -> None:
        """Run until SIGTERM or SIGINT; return after a clean stop."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        lock = SingleWorkerLock(lock_path(self.service))
        lock.acquire(self.service.clock.now())
        try:
            interval = self.settings.worker.sweep_seconds
            log.info("worker started (pid %s); sweeping every %gs", os.getpid(), interval)
            # misfire_grace_time=None: a sweep that is late (a busy machine, a suspended laptop)
            # still runs; APScheduler 3 would otherwise drop it silently.
            self._scheduler.add_job(
                self.sweep, "interval", seconds=interval, id="sweep", next_run_time=datetime.now(UTC),
                coalesce=True, max_instances=1, misfire_grace_time=None,
            )  # fmt: skip
            self._scheduler.start()
            while not self.stop.wait(0.5):
                pass
            self._scheduler.shutdown(wait=True)
            with self._sweeping:
                self._heartbeat(self.service.clock.now(), stopped=True)
            log.info("worker stopped cleanly")
        finally:
            lock.release()


@dataclass(frozen=True, slots=True)
class Status:
    worker_alive: bool
    worker: dict[str, Any] | None
    next_deadline: datetime | None
    overdue: int
    undelivered: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "worker_alive": self.worker_alive,
            "worker": self.worker,
            "next_deadline": self.next_deadline.isoformat() if self.next_deadline else None,
            "overdue": self.overdue,
            "undelivered_notifications": self.undelivered,
        }


def status(service: EscalationService) -> Status:
    """Whether a worker is alive (a recent heartbeat), the next deadline and the backlogs."""
    now = service.clock.now()
    with Session(service.engine) as session:
        row = session.exec(select(WorkerRow).order_by(WorkerRow.id.desc()).limit(1)).first()  # type: ignore[union-attr]
    worker = None
    alive = False
    if row is not None:
        stale_after = timedelta(seconds=3 * service.settings.worker.sweep_seconds + 5)
        alive = row.stopped_at is None and now - row.heartbeat_at <= stale_after
        worker = json.loads(json.dumps({
            "pid": row.pid, "host": row.host, "started_at": row.started_at, "heartbeat_at": row.heartbeat_at,
            "stopped_at": row.stopped_at,
        }, default=str))  # fmt: skip
    return Status(
        alive, worker, service.next_due(), service.overdue(now), undelivered(service.engine)
    )
