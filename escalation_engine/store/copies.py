"""A consistent copy of the whole database while the service runs, and putting one back into an
empty database: SQLite's online backup, or PostgreSQL's own ``pg_dump`` and ``pg_restore``.

A copy is taken inside one snapshot (SQLite's backup holds a read transaction; ``pg_dump`` runs
in one REPEATABLE READ transaction), so the trail, the escalations and the seals in it agree
with one another. The password of a PostgreSQL URL is handed to the tools in their environment,
never on a command line where ``ps`` shows it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url

from escalation_engine.errors import ConfigError, InvalidInput
from escalation_engine.store.engine import make_engine

#: How the database a copy came from is named in its manifest.
SQLITE, POSTGRESQL = "sqlite", "postgresql"


def kind(url: str) -> str:
    return SQLITE if make_url(url).get_backend_name() == "sqlite" else POSTGRESQL


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ConfigError(f"{url} is not a database file that can be copied.")
    return Path(database)


def _libpq(url: str) -> tuple[list[str], dict[str, str]]:
    """``pg_dump``/``pg_restore`` arguments naming the database, and the environment holding
    its password."""
    parsed: URL = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    hosts = plain.query.get("host")
    if isinstance(hosts, tuple):  # a primary and its standbys: libpq's own form lists them
        query = {k: v for k, v in plain.query.items() if k != "host"}
        user = f"{quote(plain.username, safe='')}@" if plain.username else ""
        rest = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in query.items())
        named = f"postgresql://{user}{','.join(hosts)}/{quote(plain.database or '', safe='')}"
        return [f"--dbname={named}{'?' + rest if rest else ''}"], env
    return [f"--dbname={plain.render_as_string(hide_password=False)}"], env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ConfigError(
            f"{name} is not installed on this computer; install PostgreSQL's client tools"
            " (Debian: postgresql-client) of the server's major version, then try again."
        )
    return found


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise ConfigError(f"{what} failed: {said[-1] if said else f'exit {done.returncode}'}.")


def copy(url: str, target: Path) -> None:
    """Write a consistent copy of the database at ``url`` to ``target`` (a file)."""
    if kind(url) == SQLITE:
        source = _sqlite_path(url)
        with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(target)) as copied:
            live.backup(copied)
        return
    arguments, env = _libpq(url)
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", *arguments,
          f"--file={target}"], env, "pg_dump")  # fmt: skip


def is_empty(url: str) -> bool:
    """Whether the database at ``url`` holds no tables (a SQLite file that does not exist yet
    is empty)."""
    if kind(url) == SQLITE and not _sqlite_path(url).exists():
        return True
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return not inspect(connection).get_table_names()
    finally:
        engine.dispose()


def require_empty(url: str) -> None:
    """Refuse a database that already holds tables, naming what to do instead."""
    if not is_empty(url):
        raise InvalidInput(
            "The database in config.yaml already holds tables: a backup is restored only into an"
            " empty database, so that nothing in it is mixed with the copy. Point database_url at"
            " a new database (or a new folder), then restore."
        )


def restore(url: str, source: Path) -> None:
    """Put the copy in ``source`` into the empty database at ``url``."""
    require_empty(url)
    if kind(url) == SQLITE:
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.restoring")
        shutil.copyfile(source, partial)
        os.chmod(partial, 0o600)
        for left in (
            target.with_name(target.name + "-wal"),
            target.with_name(target.name + "-shm"),
        ):
            left.unlink(missing_ok=True)  # an empty database's journal, not the copy's
        os.replace(partial, target)
        return
    arguments, env = _libpq(url)
    _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
          "--single-transaction", *arguments, str(source)], env, "pg_restore")  # fmt: skip
