"""The databases every test runs against: a SQLite file, and a fresh PostgreSQL database made and
dropped per test.

``ESCALATE_TEST_DATABASES`` chooses (default ``sqlite,postgresql``); ``ESCALATE_TEST_POSTGRES_URL``
points at the server (default: the local one, trust auth). If PostgreSQL is asked for and cannot
be reached, the tests fail: they are never skipped.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, make_url, text
from sqlalchemy.pool import NullPool

ADMIN_URL = os.environ.get(
    "ESCALATE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DATABASES = [
    name.strip()
    for name in os.environ.get("ESCALATE_TEST_DATABASES", "sqlite,postgresql").split(",")
]


@contextmanager
def postgres_database() -> Iterator[str]:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"escalate_test_{uuid.uuid4().hex[:16]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A URL for an empty database of ``kind`` that exists for the duration of the block."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'escalations.db'}"
        return
    with postgres_database() as url:
        yield url


def fingerprint(engine: Engine) -> str:
    """A digest of every row of every table: equal fingerprints mean nothing was written."""
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for table in sorted(inspect(connection).get_table_names()):
            rows = connection.execute(text(f'SELECT * FROM "{table}" ORDER BY 1')).all()
            digest.update(f"{table}:{rows!r}".encode())
    return digest.hexdigest()
