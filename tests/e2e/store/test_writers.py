"""Writers of a SQLite file take turns across processes through the lock file beside it: one
waits while another process holds it, is refused with nothing written when kept waiting too
long, and goes ahead the moment it is let go; a forked process has a place of its own."""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from escalation_engine.errors import Busy
from escalation_engine.store import create_schema, make_engine, unit_of_work
from escalation_engine.store import engine as engines

# Holds the writers' lock of the database named on its command line until its input closes.
_HOLDER = """
import fcntl, os, sys
descriptor = os.open(sys.argv[1] + ".writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(descriptor, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


def _database(folder: Path) -> tuple[Engine, Path]:
    path = folder / "escalations.db"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    with unit_of_work(engine) as session:
        session.execute(text("CREATE TABLE tally (n INTEGER)"))
    return engine, path


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM tally")).scalar_one())


def _add(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        session.execute(text("INSERT INTO tally VALUES (1)"))


def test_a_writer_waits_for_another_process_holding_the_turn_and_goes_ahead_once_it_lets_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, path = _database(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        # SQLite's own lock is free: only the turn keeps this writer out.
        monkeypatch.setattr(engines, "BUSY_TIMEOUT_SECONDS", 0.2)
        with pytest.raises(Busy, match="nothing was written"):
            _add(engine)
        assert _count(engine) == 0
    finally:
        holder.communicate("", timeout=60)  # lets go of the lock and ends
    _add(engine)
    assert _count(engine) == 1
    engine.dispose()


def _hold_a_transaction(url: str, holding: multiprocessing.synchronize.Event,
                        done: multiprocessing.synchronize.Event) -> None:  # fmt: skip
    engine = make_engine(url)
    with unit_of_work(engine) as session:
        session.execute(text("INSERT INTO tally VALUES (2)"))
        holding.set()
        done.wait(60)
    engine.dispose()


def test_a_forked_process_takes_its_own_turn_not_its_parents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The parent has written (its lock file is open) before the fork, as `escalate serve
    # --workers` does; a child sharing the parent's descriptor would share its lock, and the
    # parent would then wait in SQLite's busy handler instead of for its turn.
    engine, path = _database(tmp_path)
    _add(engine)
    fork = multiprocessing.get_context("fork")
    holding, done = fork.Event(), fork.Event()
    child = fork.Process(target=_hold_a_transaction, args=(f"sqlite:///{path}", holding, done))
    child.start()
    try:
        assert holding.wait(60)
        monkeypatch.setattr(engines, "BUSY_TIMEOUT_SECONDS", 0.2)
        with pytest.raises(Busy, match="nothing was written"):
            _add(engine)
    finally:
        done.set()
        child.join(60)
    assert child.exitcode == 0
    assert _count(engine) == 2  # the parent's first and the child's
    engine.dispose()
