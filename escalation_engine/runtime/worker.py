"""``escalate run``: the long-running worker that makes deadlines take effect by themselves.

The database is the single source of truth for deadlines. APScheduler (in-process, in memory)
only decides when to look: a sweep every few seconds, and a wake-up at the nearest deadline. A
sweep applies everything due (``EscalationService.tick``) and delivers the outbox, so an alert
raised by another process is picked up at the next sweep, deadlines missed while the worker was
down are applied as soon as it starts, and nothing depends on a job store surviving a restart.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import socket
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import IO

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from escalation_engine import store
from escalation_engine.app.health import raise_alarms
from escalation_engine.errors import ConfigError, EscalationError
from escalation_engine.runtime.anchors import send_checkpoint
from escalation_engine.runtime.delivery import deliver_due
from escalation_engine.service import Applied, EscalationService
from escalation_engine.store import workers

log = logging.getLogger("escalation_engine.runtime.worker")

#: How often the worker checks every open escalation's clocks against its trail (and at start).
#: How often the retention schedule is applied (daily; and once as the worker starts).
RETAIN_SECONDS = 24 * 60 * 60
RECONCILE_SECONDS = 600


def lock_path(service: EscalationService) -> Path:
    """Where the single-worker lock lives: beside the SQLite file."""
    return Path(service.settings.database_url.removeprefix("sqlite:///") + ".worker.lock")


def describe_active(service: EscalationService) -> str:
    """The most recent worker that has not said it stopped, for messages."""
    row = workers.latest(service.engine, running=True)
    if row is None:
        return "another worker"
    return f"pid {row.pid} on {row.host}, last seen {row.heartbeat_at:%Y-%m-%d %H:%M:%S %Z}"


class SingleWorkerLock:
    """SQLite: an exclusive OS file lock beside the database, released by the kernel even if the
    worker is killed. A second worker refuses to start."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def acquire(self, started_at: datetime, stop: threading.Event) -> bool:
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
        return True

    def still_held(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


class PostgresLeaderLock:
    """PostgreSQL: leader election with a session advisory lock on a dedicated connection.

    The connection is never from a pool: a pooled connection handed back with the lock still
    held would keep it for whoever borrows it next. If the worker dies, the server ends its
    session and the lock passes to a standby within its polling interval.
    """

    def __init__(self, service: EscalationService, poll_seconds: float = 1.0) -> None:
        self.service = service
        self.poll_seconds = poll_seconds
        self._engine = workers.leader_engine(service.settings.database_url)
        self._connection: Connection | None = None

    def acquire(self, started_at: datetime, stop: threading.Event) -> bool:
        """Wait as a hot standby until this worker holds the lock (or is told to stop)."""
        self._connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        announced = False
        while not stop.is_set():
            if workers.try_lead(self._connection):
                if announced:
                    log.info("taking over as the active worker")
                return True
            if not announced:
                log.info("standing by: the active worker is %s", describe_active(self.service))
                announced = True
            stop.wait(self.poll_seconds)
        return False

    def still_held(self) -> bool:
        try:
            assert self._connection is not None
            workers.still_connected(self._connection)
        except (DBAPIError, AssertionError):
            return False
        return True

    def release(self) -> None:
        if self._connection is not None:
            try:
                workers.stop_leading(self._connection)
                self._connection.close()
            except DBAPIError:
                log.debug("the database session was already gone, and the lock with it")
            self._connection = None
        self._engine.dispose()


def make_lock(service: EscalationService) -> SingleWorkerLock | PostgresLeaderLock:
    if service.engine.dialect.name == "postgresql":
        return PostgresLeaderLock(service)
    return SingleWorkerLock(lock_path(service))


class Worker:
    """Sweeps on a schedule until told to stop."""

    def __init__(self, service: EscalationService) -> None:
        self.service = service
        self.settings = service.settings
        self.stop = threading.Event()
        self._sweeping = threading.Lock()
        self._scheduler = BackgroundScheduler(timezone=UTC)
        self._worker_id: int | None = None
        self._lock: SingleWorkerLock | PostgresLeaderLock | None = None
        self.lost_lock = False

    def _heartbeat(self, now: datetime, *, stopped: bool = False) -> None:
        engine = self.service.engine
        if self._worker_id is None:
            self._worker_id = workers.start(engine, os.getpid(), socket.gethostname(), now)
        else:
            workers.heartbeat(engine, self._worker_id, now, stopped=stopped)

    def sweep(self) -> None:
        """Apply what is due, deliver notifications, and set the next wake-up. Never raises."""
        if not self._sweeping.acquire(blocking=False):
            return  # the other trigger's sweep is still running; it does the same work
        try:
            if self._lock is not None and not self._lock.still_held():
                self.lost_lock = True
                self.stop.set()
                return
            now = self.service.clock.now()
            self._heartbeat(now)
            telling = (
                "told"
                if self.settings.notifications.configured
                else "would tell (no notification channel is configured)"
            )

            def logged(applied: list[Applied], failed: dict[str, str]) -> None:
                # Said as each batch commits, not when the whole sweep ends.
                for item in applied:
                    late = ((item.applied_at or now) - item.due_at).total_seconds()
                    log.info("%s: %s %s -> %s (due %s, applied %.0fs later); %s %s", item.reference,
                             item.kind, item.from_stage, item.to_stage, item.due_at.isoformat(),
                             late, telling, ", ".join(item.told) or "nobody")  # fmt: skip
                for reference, problem in failed.items():
                    log.error("%s: its due work could not be applied: %s", reference, problem)

            report = self.service.sweeping.tick(
                now, batch=self.settings.worker.batch, stop=self.stop.is_set, on_batch=logged
            )
            if not self.stop.is_set():
                deliver_due(self.service.engine, self.settings, self.service.clock.now(),
                            signer=self.service.ctx.signer, stop=self.stop.is_set)  # fmt: skip
                self._checkpoint()
                self._schedule_wake()
            failures = "; ".join(f"{r}: {p}" for r, p in report.failed.items())
            self._record_sweep(now, failures)
        except Exception as exc:
            log.exception("sweep failed; the next sweep will try again")
            self._record_sweep(self.service.clock.now(), f"{type(exc).__name__}: {exc}")
        finally:
            self._sweeping.release()

    def _checkpoint(self) -> None:
        """Anchor the trail outside the database when a checkpoint is due (every so many
        entries, and daily): a file in the folder, and copies to the auditors and syslog. A folder
        that cannot be written, or mail that cannot be sent, is logged, not fatal."""
        try:
            path = self.service.anchoring.checkpoint_if_due()
        except (OSError, EscalationError) as exc:
            log.error("could not write the audit checkpoint: %s", exc)
            return
        if path is not None:
            log.info("audit checkpoint written: %s", path)
            send_checkpoint(self.settings, path)

    def _record_sweep(self, now: datetime, problem: str) -> None:
        """Say in the worker's row whether sweeps are failing, for ``escalate status``."""
        if self._worker_id is None:
            return
        try:
            workers.record_sweep(self.service.engine, self._worker_id, now, problem)
        except Exception:
            log.exception("could not record the sweep's health")

    def _reconcile(self) -> None:
        """Put back any open escalation's clocks moved without an entry (each with an entry that
        tells the IRO manager); logged as an error, as it means someone wrote to the database
        behind the engine's back. A failure is logged and the sweeps go on."""
        try:
            with self._sweeping:  # one writer at a time from this worker
                mended = self.service.clocks.reconcile(self.service.clock.now())
        except Exception:  # the sweeps must go on whatever this meets
            log.exception("checking the escalations' clocks against the trail failed")
            return
        for drift in mended:
            log.error("%s: clock put back to the trail's: %s", drift.reference, drift.said())
        try:  # a notice held back by hand goes now (and is counted until it has)
            held = store.notifications.release_held(
                self.service.engine, self.service.clock.now(), self.service.anchoring.furthest_due
            )
        except Exception:
            log.exception("releasing notices held back failed")
        else:
            if held:
                log.error("%d notice(s) held back further than any retry: made due now", held)
        self._alarm()

    def _retain(self) -> None:
        """Apply the retention schedule (daily, and when the worker starts): remove the text of
        every closed escalation whose time has run out, and tell the data protection officer.
        A failure is logged and the sweeps go on; the next run finishes what this one left."""
        try:  # each removal is a short transaction of its own: sweeps go on between them
            now = self.service.clock.now()
            retained = self.service.retaining.apply(now)
            self.service.retaining.tell(now)
        except Exception:  # the sweeps must go on whatever this meets
            log.exception("applying the retention schedule failed")
            return
        if retained.fields:
            log.info(
                "retention schedule: text of %d field(s) removed from %d escalation(s)",
                retained.fields, len(retained.references),
            )  # fmt: skip

    def _alarm(self) -> None:
        """Tell the IRO managers of each trouble the engine finds in itself (lagging deadlines,
        notices failing, escalations with nobody, ...), once a day while it lasts; each is also
        logged as an error. A failure is logged and the sweeps go on."""
        try:
            told = raise_alarms(self.service)
        except Exception:  # the sweeps must go on whatever this meets
            log.exception("looking for troubles to alarm on failed")
            return
        for alarm in told:
            log.error("alarm told to the IRO managers: %s", alarm.said)

    def _reroute_changed(self) -> None:
        """config.yaml's people may have changed while no worker ran: what waits on someone who
        left, or on a fallback that someone now in reach can take, goes to them (the trail says
        so). A failure is logged and the sweeps go on; ``status`` names what stays unreached."""
        try:
            moved = self.service.availability.reroute_changed(self.service.clock.now())
        except Exception:  # the sweeps must start whatever this meets
            log.exception("re-routing for the people as they are now failed")
            return
        for escalation in moved:
            log.info(
                "%s re-routed: now with %s", escalation.reference, ", ".join(escalation.with_people)
            )

    def _schedule_wake(self) -> None:
        nearest = self.service.queries.next_due()
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

    def run(self) -> bool:
        """Run until SIGTERM or SIGINT; return whether the stop was clean (``False`` if the
        worker lost its lock, so that a service manager restarts it)."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        lock = self._lock = make_lock(self.service)
        if not lock.acquire(self.service.clock.now(), self.stop):
            lock.release()
            log.info("stopped while standing by")
            return True
        try:
            interval = self.settings.worker.sweep_seconds
            log.info("worker started (pid %s); sweeping every %gs", os.getpid(), interval)
            if not self.settings.notifications.configured:
                log.warning(
                    "nobody is being notified: config.yaml has no notifications (email or webhook)"
                )
            for path, problem in self.service.registry.failures.items():
                log.error("workflow file %s is left out until fixed: %s", path, problem)
            self._reroute_changed()
            self._reconcile()
            # misfire_grace_time=None: a sweep that is late (a busy machine, a suspended laptop)
            # still runs; APScheduler 3 would otherwise drop it silently.
            self._scheduler.add_job(
                self.sweep, "interval", seconds=interval, id="sweep", next_run_time=datetime.now(UTC),
                coalesce=True, max_instances=1, misfire_grace_time=None,
            )  # fmt: skip
            self._scheduler.add_job(
                self._reconcile, "interval", seconds=RECONCILE_SECONDS, id="reconcile",
                coalesce=True, max_instances=1, misfire_grace_time=None,
            )  # fmt: skip
            if self.settings.retention.set:
                self._scheduler.add_job(
                    self._retain, "interval", seconds=RETAIN_SECONDS, id="retain",
                    next_run_time=datetime.now(UTC), coalesce=True, max_instances=1,
                    misfire_grace_time=None,
                )  # fmt: skip
            self._scheduler.start()
            while not self.stop.wait(1.0):  # wake regularly so signals are handled promptly
                continue
            self._scheduler.shutdown(wait=True)
            with self._sweeping:
                self._heartbeat(self.service.clock.now(), stopped=True)
            if self.lost_lock:
                log.error("stopped: the worker lost its database session, and with it the lock")
                return False
            log.info("worker stopped cleanly")
            return True
        finally:
            lock.release()
