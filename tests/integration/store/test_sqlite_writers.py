"""On SQLite, a process's writers queue in turn and all land; one kept waiting too long is told so and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

WRITERS = READERS = 16


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
