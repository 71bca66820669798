"""Whole databases on a PostgreSQL server: made for the demo, dropped after it."""

from __future__ import annotations

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool


def _on_server(server_url: str, statement: str) -> None:
    # CREATE and DROP DATABASE cannot run inside a transaction, nor on a pooled connection.
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            connection.execute(text(statement))
    finally:
        admin.dispose()


def create_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the server ``server_url`` names; return its URL.

    Raises ``sqlalchemy.exc.DBAPIError`` if the role may not create databases.
    """
    _on_server(server_url, f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    _on_server(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
