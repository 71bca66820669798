"""Database addresses: checking the URL a person wrote, and saying what went wrong with a
database without ever printing its password.

A URL comes from config.yaml or ``ESCALATE_DATABASE_URL`` and often carries a password, so every
message here shows it with the password hidden, and errors from the driver are cleaned of it too.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import URL, make_url
from sqlalchemy.exc import ArgumentError

from .errors import ConfigError

#: The drivers the engine is built and tested for; ``postgresql://`` means psycopg 3 here.
_DRIVERS = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
}
_EXAMPLES = "sqlite:///escalations.db or postgresql+psycopg://USER:PASSWORD@HOST/DATABASE"
_SECRET = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")


def redact(text: str) -> str:
    """``text`` with the password of any URL in it replaced by ``***``."""
    return _SECRET.sub(r"\1***@", text)


def safe_url(url: str | URL) -> str:
    """The database URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return redact(str(url))


def database_url(url: str, where: str, base: Path) -> str:
    """Check ``url`` (from ``where``), name psycopg 3 for PostgreSQL, and make a relative SQLite
    path relative to ``base`` (the folder of config.yaml); raise ``ConfigError`` if unusable."""
    try:
        parsed = make_url(url.strip())
        port = parsed.port
    except (ArgumentError, ValueError):
        raise ConfigError(
            f"{where}: {redact(url)!r} is not a database URL; write {_EXAMPLES}."
        ) from None
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ConfigError(
            f"{where}: {parsed.drivername!r} databases are not supported; write {_EXAMPLES}."
        )
    if port is not None and not 1 <= port <= 65535:
        raise ConfigError(f"{where}: port {port} is not a port number (1 to 65535).")
    parsed = parsed.set(drivername=driver)
    if driver == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            raise ConfigError(
                f"{where}: a SQLite database must be a file, e.g. sqlite:///escalations.db;"
                " an in-memory one would lose everything when the command ends."
            )
        return f"sqlite:///{(base / database).resolve()}"
    if not parsed.host or not parsed.database:
        raise ConfigError(
            f"{where}: {safe_url(parsed)!r} needs a host and a database name; write {_EXAMPLES}."
        )
    return parsed.render_as_string(hide_password=False)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or ``None`` for another database."""
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def describe_failure(url: str, error: BaseException) -> str:
    """A plain sentence for a database that could not be reached or used."""
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()
    reason = redact(detail[0]) if detail else type(error).__name__
    if "database is locked" in reason:
        return (
            f"The database at {safe_url(url)} stayed busy for too long; nothing was written. Try"
            " again in a moment."
        )
    return (
        f"Cannot use the database at {safe_url(url)} ({reason}). Check database_url in"
        " config.yaml (or ESCALATE_DATABASE_URL) and that the database server is running."
    )
