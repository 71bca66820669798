"""A request cut off from PostgreSQL is tried once more only when nothing of it was saved: its
connection is ended by the server mid-transaction (``pg_terminate_backend``, what a dying primary
does to every session), and what the table holds afterwards says whether anything was doubled."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, text

from escalation_engine.errors import DatabaseUnavailable, OutcomeUnknown
from escalation_engine.store import make_engine, once_more_if_lost, unit_of_work
from tests.support.databases import postgres_database


@pytest.fixture
def engine() -> Iterator[Engine]:
    with postgres_database() as url:
        made = make_engine(url)
        with made.begin() as connection:
            connection.execute(text("CREATE TABLE said (n integer)"))
        try:
            yield made
        finally:
            made.dispose()


def _cut_off(session: Connection, engine: Engine) -> None:
    """End ``session``'s connection from another one, as the server does when it goes down."""
    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def _write_cut_off(engine: Engine, n: int) -> None:
    """Write ``n`` in a transaction that loses its connection before it can commit."""
    with unit_of_work(engine) as session:
        session.execute(text("INSERT INTO said VALUES (:n)"), {"n": n})
        _cut_off(session, engine)
        session.execute(text("SELECT 1"))


def _said(engine: Engine) -> list[int]:
    with engine.connect() as session:
        return [n for (n,) in session.execute(text("SELECT n FROM said ORDER BY n"))]


def test_a_transaction_cut_off_before_its_commit_is_tried_once_more_and_saved_once(
    engine: Engine,
) -> None:
    tries: list[int] = []

    def work() -> str:
        tries.append(1)
        if len(tries) == 1:
            _write_cut_off(engine, 1)
        with unit_of_work(engine) as session:
            session.execute(text("INSERT INTO said VALUES (1)"))
        return "saved"

    assert once_more_if_lost(work, pause=0) == "saved"
    assert (len(tries), _said(engine)) == (2, [1])


def test_a_request_cut_off_after_one_of_its_commits_is_not_tried_again(engine: Engine) -> None:
    tries: list[int] = []

    def work() -> None:
        tries.append(1)
        with unit_of_work(engine) as session:
            session.execute(text("INSERT INTO said VALUES (1)"))
        _write_cut_off(engine, 2)

    with pytest.raises(OutcomeUnknown, match="may or may not have been saved"):
        once_more_if_lost(work, pause=0)
    assert (len(tries), _said(engine)) == (1, [1])


def test_a_database_gone_twice_is_reported_with_nothing_saved(engine: Engine) -> None:
    def work() -> None:
        _write_cut_off(engine, 1)

    with pytest.raises(DatabaseUnavailable, match="nothing was saved"):
        once_more_if_lost(work, pause=0)
    assert _said(engine) == []


def test_a_refusal_is_not_tried_again(engine: Engine) -> None:
    tries: list[int] = []

    def work() -> None:
        tries.append(1)
        with unit_of_work(engine) as session:
            session.execute(text("INSERT INTO said VALUES ('not a number')"))

    with pytest.raises(Exception, match="invalid input syntax"):
        once_more_if_lost(work, pause=0)
    assert len(tries) == 1
