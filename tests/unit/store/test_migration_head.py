"""The schema revision commands check against is the newest migration shipped."""

from __future__ import annotations

from escalation_engine.store import (
    SCHEMA_HEAD,
    migrate,
)


def test_the_head_commands_check_against_is_the_newest_migration() -> None:
    # Commands compare a database with SCHEMA_HEAD without loading Alembic; a new migration that
    # forgot to move it would let them run on a database one migration behind.
    assert migrate.head() == SCHEMA_HEAD
