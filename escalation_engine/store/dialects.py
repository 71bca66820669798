"""The database's own INSERT (the one with ON CONFLICT), loaded only for the database in use.

Importing PostgreSQL's dialect costs a SQLite command tens of milliseconds as it starts, and
every command starts; SQLAlchemy loads the dialect of the database it connects to anyway.
"""

from __future__ import annotations

from typing import Any


def insert(dialect: str, table: Any) -> Any:
    """An INSERT into ``table`` that can say what to do on a conflict, for ``dialect``
    ("postgresql" or "sqlite", as ``connection.dialect.name`` says). Typed ``Any``: the two
    dialects' classes share ``on_conflict_do_update`` and ``excluded`` but no base that has them."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)
