"""Engines and transactions: SQLite made safe for several processes, PostgreSQL's chain lock,
and the schema revision a database is at.

SQLite is the embedded default. Three settings make it safe for several processes at once: WAL
(readers never block the writer, nor wait for it), a busy timeout (a writer waits its turn instead
of failing), and ``BEGIN IMMEDIATE`` for every transaction that writes (``unit_of_work``), because
a deferred transaction whose read-then-write meets another writer can lose an update.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import create_engine

from escalation_engine.domain.calendar import LONDON
from escalation_engine.errors import OutcomeUnknown
from escalation_engine.store.failover import UNKNOWN, committed
from escalation_engine.store.writers import writers

#: How long a SQLite writer waits for another's transaction before giving up.
BUSY_TIMEOUT_SECONDS = 30
#: Execution option that marks a connection's transaction as one that writes.
WRITE_OPTION = "escalate_writes"


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let us issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        # A row deleted (an entry's redacted text above all) is overwritten, not left readable
        # in a free page of the file.
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front and queue for it; readers start a plain (deferred)
        # transaction, which in WAL mode reads a snapshot and never waits for, or blocks, a writer.
        writing = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


@lru_cache(maxsize=100_000)
def _london_day_of_hour(hour: str) -> str:
    return datetime.fromisoformat(hour).replace(tzinfo=UTC).astimezone(LONDON).date().isoformat()


def london_day(moment: str | None) -> str | None:
    """The London day (ISO) of a moment as SQLite holds it (UTC, ``YYYY-MM-DD HH:MM:SS``). The
    UK's offset changes only on the hour, so the hour decides the day: hours are remembered."""
    return None if moment is None else _london_day_of_hour(moment[:13] + ":00")


#: Where a read runs: on its own connection (an engine), or inside a caller's (a snapshot).
Reader = Engine | Connection


@contextmanager
def reading(where: Reader) -> Iterator[Connection]:
    """A connection to read on: ``where`` itself when it is one, else a new one."""
    if isinstance(where, Connection):
        yield where
        return
    with where.connect() as connection:
        yield connection


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """One read-only transaction whose every read sees the database as of its first: what
    ``audit verify`` reads, so that writers running meanwhile never look like tampering.
    PostgreSQL: REPEATABLE READ; SQLite: a deferred read transaction in WAL mode."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET TRANSACTION READ ONLY")
            yield connection


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the settings this project relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS}
        )
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})


def create_schema(engine: Engine) -> None:
    """Bring the database to the current schema (tables, and the guards that make the audit
    trail append-only) through the migrations. A new SQLite file, and a folder made for it, are
    readable by their owner only: the file holds every concern raised."""
    from escalation_engine.store.migrate import upgrade

    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        _owner_only_file(Path(engine.url.database))
    upgrade(engine)


def _owner_only_file(path: Path) -> None:
    if path.exists():
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


@lru_cache(maxsize=64)
def _writer(engine: Engine) -> Engine:
    return engine.execution_options(**{WRITE_OPTION: True})


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Connection]:
    """One transaction: everything inside commits together or not at all.

    A plain connection, not an ORM session: the store speaks SQLAlchemy Core, and a session's
    bookkeeping was a third of the cost of every action.
    """
    if engine.dialect.name != "sqlite":
        committing = False
        try:
            with _writer(engine).begin() as connection:
                yield connection
                committing = True
        except DBAPIError as exc:
            if committing and exc.connection_invalidated:
                raise OutcomeUnknown(UNKNOWN) from None  # it may be on the promoted standby
            raise
        committed()
        return
    # Writers take turns before asking SQLite, whose busy handler hands the file over unfairly
    # under load (``writers.py``).
    database = engine.url.database
    path = os.path.abspath(database) if database and database != ":memory:" else None
    with (
        writers(str(engine.url), path).turn(BUSY_TIMEOUT_SECONDS),
        _writer(engine).begin() as connection,
    ):
        yield connection
    committed()


#: Advisory-lock key that serialises appends to the audit chain on PostgreSQL ("IROAUDIT").
AUDIT_LOCK_KEY = 0x49524F4155444954


def serialize_writes(session: Connection) -> None:
    """Hold the audit-chain lock until the transaction ends.

    The chain is one sequence: each entry names the hash of the one before, so appends must not
    interleave. SQLite's ``BEGIN IMMEDIATE`` already gives one writer at a time; PostgreSQL gets a
    transaction-scoped advisory lock, released by commit or rollback (or a dropped connection).
    """
    if session.dialect.name != "postgresql":
        return
    transaction = session.get_transaction()
    if transaction is not None and session.info.get(_LOCKED_IN) is transaction:
        return  # already held in this transaction: a round trip saved, e.g. on each raise
    session.execute(_LOCK, {"key": AUDIT_LOCK_KEY})
    session.info[_LOCKED_IN] = transaction


_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_LOCKED_IN = "escalate_chain_locked_in"


#: The newest schema revision (the last migration's id). Commands compare the database with it
#: without loading Alembic; a test keeps it equal to the migrations' head.
SCHEMA_HEAD = "0028"


def schema_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, or ``None`` for an empty database."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
