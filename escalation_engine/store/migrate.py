"""Bringing a database to the current schema with Alembic, and saying where it is.

Every way of creating a database (``escalate init``, ``escalate db upgrade``, the demo, the tests)
goes through the same migrations, so a database made today and one made by the first release
reach the same schema.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from escalation_engine.store import WRITE_OPTION, schema_revision


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", "escalation_engine.store:migrations")
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to ``revision`` (default: the newest)."""
    config = _config()
    with engine.execution_options(**{WRITE_OPTION: True}).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` for an empty database."""
    return schema_revision(engine)


def head() -> str:
    head_revision = ScriptDirectory.from_config(_config()).get_current_head()
    if head_revision is None:  # pragma: no cover - the package always ships migrations
        raise RuntimeError("no migrations found")
    return head_revision
