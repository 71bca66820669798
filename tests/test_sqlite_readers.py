"""On SQLite, readers never fail and writers wait their turn: sixteen people raising alerts while
sixteen others look at them, all at once, in real processes."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from .test_cli import ESCALATE, init_site, raise_alert

WRITERS = READERS = 16


def _start(folder: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESCALATE_")}
    env |= {
        "ESCALATE_USER": "aisha",
        "ESCALATE_FAKE_NOW": "2026-01-05T10:00:00+00:00",
        "COLUMNS": "120",
    }
    return subprocess.Popen(
        [str(ESCALATE), *args], cwd=folder, env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.slow
def test_sixteen_writers_and_sixteen_readers_at_once_all_succeed(tmp_path: Path) -> None:
    init_site(tmp_path, f"sqlite:///{tmp_path / 'escalations.db'}")
    first = raise_alert(tmp_path)["reference"]
    processes = []
    for n in range(max(WRITERS, READERS)):
        if n < WRITERS:
            processes.append(_start(
                tmp_path, "raise", "--type", "practice_alert", "--case", f"CLA-{200000 + n}",
                "--category", "contact", "--team", "north", "--summary", f"Concern {n}",
            ))  # fmt: skip
        if n < READERS:
            command = ("show", str(first)) if n % 2 else ("list", "--all", "--json")
            processes.append(_start(tmp_path, *command))
    results = [(p.args, p.wait(timeout=300), *p.communicate()) for p in processes]
    failures = [(args, code, err) for args, code, _out, err in results if code != 0]
    assert failures == []
    assert not any("locked" in out + err for _args, _code, out, err in results)
    listed = json.loads(_start(tmp_path, "list", "--all", "--json").communicate()[0])
    assert len(listed) == 1 + WRITERS


def test_writers_in_one_process_queue_in_turn_and_all_land(tmp_path: Path) -> None:
    # A server's request threads: each write waits for the one before it, none fails.
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import text

    from escalation_engine.store import create_schema, make_engine, unit_of_work

    engine = make_engine(f"sqlite:///{tmp_path / 'escalations.db'}")
    create_schema(engine)
    with unit_of_work(engine) as session:
        session.execute(text("CREATE TABLE tally (n INTEGER)"))
        session.execute(text("INSERT INTO tally VALUES (0)"))

    def add_one(_: int) -> None:
        with unit_of_work(engine) as session:  # read, then write what was read: in turn
            n = session.execute(text("SELECT n FROM tally")).scalar_one()
            session.execute(text("UPDATE tally SET n = :n"), {"n": n + 1})

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(add_one, range(200)))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM tally")).scalar_one() == 200
    engine.dispose()


def test_a_writer_kept_waiting_too_long_is_told_so_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from sqlalchemy import text

    from escalation_engine.errors import Busy
    from escalation_engine.store import create_schema, make_engine, unit_of_work
    from escalation_engine.store import engine as engines

    engine = make_engine(f"sqlite:///{tmp_path / 'escalations.db'}")
    create_schema(engine)
    with unit_of_work(engine) as session:
        session.execute(text("CREATE TABLE tally (n INTEGER)"))
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        with unit_of_work(engine):
            holding.set()
            done.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(60)
        monkeypatch.setattr(engines, "BUSY_TIMEOUT_SECONDS", 0.01)
        with pytest.raises(Busy, match="nothing was written"), unit_of_work(engine) as session:
            session.execute(text("INSERT INTO tally VALUES (1)"))
    finally:
        done.set()
        holder.join(60)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM tally")).scalar_one() == 0
    engine.dispose()
