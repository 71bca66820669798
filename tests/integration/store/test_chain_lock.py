"""The chain's write lock on PostgreSQL is taken once in a transaction however many writes in it
ask for it, and again in the next: appends still take turns, with a round trip saved."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event

from escalation_engine.store import make_engine, serialize_writes, unit_of_work
from tests.support.databases import postgres_database


@pytest.fixture
def engine() -> Iterator[Engine]:
    with postgres_database() as url:
        made = make_engine(url)
        try:
            yield made
        finally:
            made.dispose()


def test_the_lock_is_taken_once_a_transaction(engine: Engine) -> None:
    taken: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def count(*args: object) -> None:
        if "pg_advisory_xact_lock" in str(args[2]):
            taken.append("lock")

    for _ in range(2):
        with unit_of_work(engine) as session:
            serialize_writes(session)
            serialize_writes(session)
            held = session.exec_driver_sql(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
            ).scalar_one()
            assert held == 1
    assert taken == ["lock", "lock"]
