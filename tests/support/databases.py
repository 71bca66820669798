"""The databases every test runs against: a SQLite file, and a fresh PostgreSQL database made and
dropped per test.

``ESCALATE_TEST_DATABASES`` chooses (default ``sqlite,postgresql``); ``ESCALATE_TEST_POSTGRES_URL``
points at the server (default: the local one, trust auth). If PostgreSQL is asked for and cannot
be reached, the run stops at once saying how to start it: its tests are never skipped.
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


def unreachable() -> str | None:
    """Why the PostgreSQL server the tests use cannot be reached, with what to do; ``None`` when
    it answers."""
    admin = create_engine(ADMIN_URL, poolclass=NullPool, connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect is reported the same way
        reason = str(exc).strip().splitlines()[0][:300]
        where = make_url(ADMIN_URL).render_as_string(hide_password=True)
        return (
            f"PostgreSQL is not reachable at {where} ({reason}). The integration and end-to-end"
            " rings run every database test on PostgreSQL as well as SQLite. Start it (on Debian:"
            " pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start), point"
            " ESCALATE_TEST_POSTGRES_URL at one, or run the SQLite half alone with"
            " ESCALATE_TEST_DATABASES=sqlite. The unit ring needs no database: scripts/test -m unit."
        )
    finally:
        admin.dispose()
    return None


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


def fingerprint(engine: Engine, leaving_out: tuple[str, ...] = ()) -> str:
    """A digest of every row of every table (but those ``leaving_out``): equal fingerprints
    mean nothing was written."""
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for table in sorted(inspect(connection).get_table_names()):
            if table in leaving_out:
                continue
            rows = connection.execute(text(f'SELECT * FROM "{table}" ORDER BY 1')).all()
            digest.update(f"{table}:{rows!r}".encode())
    return digest.hexdigest()


def schema(engine: Engine) -> dict[str, object]:
    """Every table's columns, indexes, keys and constraints, and the triggers that guard them:
    equal descriptions mean the schema did not change."""
    described: dict[str, object] = {}
    with engine.connect() as connection:
        seen = inspect(connection)
        for table in sorted(seen.get_table_names()):
            described[table] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in seen.get_columns(table)],
                "indexes": sorted((i["name"] or "", tuple(i["column_names"]), bool(i["unique"]))
                                  for i in seen.get_indexes(table)),
                "primary": seen.get_pk_constraint(table)["constrained_columns"],
                "foreign": sorted(str(k) for k in seen.get_foreign_keys(table)),
                "unique": sorted(str(u) for u in seen.get_unique_constraints(table)),
            }  # fmt: skip
        if engine.dialect.name == "sqlite":
            query = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        else:
            query = (
                "SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t"
                " WHERE NOT t.tgisinternal ORDER BY t.tgname"
            )
        described["triggers"] = [tuple(row) for row in connection.execute(text(query))]
    return described
