"""Database addresses: checking the URL a person wrote, and saying what went wrong with a
database without ever printing its password.

A URL comes from config.yaml or ``ESCALATE_DATABASE_URL`` and often carries a password, so every
message here shows it with the password hidden, and errors from the driver are cleaned of it too.
"""

from __future__ import annotations

import re
from pathlib import Path

from escalation_engine.errors import ConfigError

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
#: SQLAlchemy's URL grammar (RFC 1738), so that a URL is checked without importing SQLAlchemy:
#: commands that never open the database read config.yaml too.
_URL = re.compile(
    r"""
    (?P<name>[\w+]+)://
    (?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?
    (?:(?:\[(?P<ipv6host>[^/?]+)\]|(?P<ipv4host>[^/:?]+))?(?::(?P<port>[^/?]*))?)?
    (?:/(?P<database>[^?]*))?
    (?:\?(?P<query>.*))?
    """,
    re.VERBOSE | re.DOTALL,
)


def redact(text: str) -> str:
    """``text`` with the password of any URL in it replaced by ``***``."""
    return _SECRET.sub(r"\1***@", text)


def safe_url(url: str) -> str:
    """The database URL with any password hidden, for messages."""
    return redact(url)


def database_url(url: str, where: str, base: Path) -> str:
    """Check ``url`` (from ``where``), name psycopg 3 for PostgreSQL, and make a relative SQLite
    path relative to ``base`` (the folder of config.yaml); raise ``ConfigError`` if unusable."""
    url = url.strip()
    parsed = _URL.fullmatch(url)
    port = parsed["port"] if parsed else None
    if parsed is None or (port and not port.isdigit()):
        raise ConfigError(f"{where}: {redact(url)!r} is not a database URL; write {_EXAMPLES}.")
    driver = _DRIVERS.get(parsed["name"])
    if driver is None:
        raise ConfigError(
            f"{where}: {parsed['name']!r} databases are not supported; write {_EXAMPLES}."
        )
    if port and not 1 <= int(port) <= 65535:
        raise ConfigError(f"{where}: port {port} is not a port number (1 to 65535).")
    rest = url.partition("://")[2]
    if driver == "sqlite":
        database = parsed["database"] or ""
        if database in ("", ":memory:"):
            raise ConfigError(
                f"{where}: a SQLite database must be a file, e.g. sqlite:///escalations.db;"
                " an in-memory one would lose everything when the command ends."
            )
        return f"sqlite:///{(base / database).resolve()}"
    # A primary and its standbys may be named in turn (``?host=A:5432&host=B:5432``), for the
    # connection to find whichever accepts writes after a failover.
    hosts = re.findall(r"(?:^|&)host=([^&]*)", parsed["query"] or "")
    if not (parsed["ipv4host"] or parsed["ipv6host"] or hosts) or not parsed["database"]:
        raise ConfigError(
            f"{where}: {redact(url)!r} needs a host and a database name; write {_EXAMPLES}"
            " (several hosts: ...@/DATABASE?host=A:5432&host=B:5432)."
        )
    for host in hosts:
        name, _, number = host.rpartition(":") if ":" in host else (host, "", "")
        if not name or (number and not (number.isdigit() and 1 <= int(number) <= 65535)):
            raise ConfigError(
                f"{where}: host={host!r} is not a host name with an optional port (HOST:5432)."
            )
    return f"{driver}://{rest}"


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
