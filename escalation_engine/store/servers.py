"""Whole databases on a PostgreSQL server: made for the demo, dropped after it."""

from __future__ import annotations

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool


def create_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the server ``server_url`` names; return its URL.

    Raises ``sqlalchemy.exc.DBAPIError`` if the role may not create databases.
    """
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
