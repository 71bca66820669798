"""Worker rows and the PostgreSQL leader lock: who is sweeping, when it was last seen, and
whether its sweeps are failing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, func, insert, select, text, update
from sqlalchemy.pool import NullPool

from escalation_engine.store.engine import unit_of_work
from escalation_engine.store.tables import WorkerRow

_WORKER = WorkerRow.__table__  # type: ignore[attr-defined]
#: Advisory-lock key of the active worker on PostgreSQL ("IROWORKR").
WORKER_LOCK_KEY = 0x49524F574F524B52


def start(engine: Engine, pid: int, host: str, now: datetime) -> int:
    """Record a worker starting; return its id."""
    with unit_of_work(engine) as session:
        query = (
            insert(_WORKER)
            .values(pid=pid, host=host, started_at=now, heartbeat_at=now)
            .returning(_WORKER.c.id)
        )
        return int(session.execute(query).scalar_one())


def heartbeat(engine: Engine, worker_id: int, now: datetime, *, stopped: bool = False) -> None:
    values: dict[str, Any] = {"heartbeat_at": now}
    if stopped:
        values["stopped_at"] = now
    with unit_of_work(engine) as session:
        session.execute(update(_WORKER).where(_WORKER.c.id == worker_id).values(**values))


def record_sweep(engine: Engine, worker_id: int, now: datetime, problem: str) -> None:
    """Say in the worker's row whether sweeps are failing (``problem``), or clear it."""
    values: dict[str, Any] = {"sweep_failures": 0, "last_error": "", "failing_since": None}
    if problem:
        values = {"sweep_failures": _WORKER.c.sweep_failures + 1, "last_error": problem[:500],
                  "failing_since": func.coalesce(_WORKER.c.failing_since, now)}  # fmt: skip
    with unit_of_work(engine) as session:
        session.execute(update(_WORKER).where(_WORKER.c.id == worker_id).values(**values))


def latest(engine: Engine, *, running: bool = False) -> Any | None:
    """The most recent worker's row (of those not stopped, with ``running``), or ``None``."""
    query = select(_WORKER).order_by(_WORKER.c.id.desc()).limit(1)
    if running:
        query = query.where(_WORKER.c.stopped_at.is_(None))
    with engine.connect() as connection:
        return connection.execute(query).first()


def leader_engine(url: str) -> Engine:
    """An engine whose connections are never pooled: a pooled connection handed back with the
    leader lock still held would keep it for whoever borrows it next."""
    return create_engine(url, poolclass=NullPool)


def try_lead(connection: Connection) -> bool:
    query = text("SELECT pg_try_advisory_lock(:key)")
    return bool(connection.execute(query, {"key": WORKER_LOCK_KEY}).scalar())


def still_connected(connection: Connection) -> None:
    """Raise ``DBAPIError`` if the session (and the lock with it) is gone."""
    connection.execute(text("SELECT 1"))


def stop_leading(connection: Connection) -> None:
    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": WORKER_LOCK_KEY})
