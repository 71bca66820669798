"""What a database was created for, live use or training, written once when it is set up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, insert, select

from escalation_engine.errors import ConfigError
from escalation_engine.store.engine import unit_of_work
from escalation_engine.store.tables import AuditRow, InstallationRow, InstallationSealRow

_TABLE = InstallationRow.__table__  # type: ignore[attr-defined]
_SEAL = InstallationSealRow.__table__  # type: ignore[attr-defined]
_AUDIT = AuditRow.__table__  # type: ignore[attr-defined]


def is_training(where: Engine | Connection) -> bool:
    """Whether the database was created for training (one without a record is live); read on
    ``where``'s connection when it is one (inside a transaction, not on a second connection)."""
    if isinstance(where, Connection):
        return bool(where.execute(select(_TABLE.c.training).limit(1)).scalar())
    with where.connect() as connection:
        return bool(connection.execute(select(_TABLE.c.training).limit(1)).scalar())


def read(where: Engine | Connection) -> tuple[Row[Any] | None, str | None]:
    """The installation record and its seal's signature (``None`` where either is missing)."""
    if isinstance(where, Engine):
        with where.connect() as connection:
            return read(connection)
    row = where.execute(select(_TABLE).limit(1)).first()
    signature = where.execute(select(_SEAL.c.signature).limit(1)).scalar()
    return row, signature


def seal(engine: Engine, sign: Callable[[Row[Any]], str]) -> bool:
    """Seal the installation record with ``sign``'s signature of it, once; return whether a
    seal was written (not where there is no record, or it is already sealed)."""
    with unit_of_work(engine) as session:
        row, signature = read(session)
        if row is None or signature is not None:
            return False
        session.execute(insert(_SEAL), {"id": 1, "signature": sign(row)})
        return True


def record(engine: Engine, *, training: bool, now: datetime) -> None:
    """Say once what the database is for; refuse to turn a live one into a training one (or
    the other way round), or a database that already holds escalations into a training one."""
    with unit_of_work(engine) as session:
        stored = session.execute(select(_TABLE.c.training).limit(1)).first()
        if stored is not None:
            if stored.training != training:
                was = "for training" if stored.training else "for live use"
                raise ConfigError(
                    f"This database was created {was}; that cannot change. Set up a new folder"
                    f" with 'escalate init{' --training' if training else ''}' instead."
                )
            return
        entries = session.execute(select(func.count()).select_from(_AUDIT)).scalar_one()
        if training and entries:
            raise ConfigError(
                f"This database already holds {entries:,} audit entries of live use; training"
                " needs a database of its own: run 'escalate init --training' in a new folder."
            )
        session.execute(insert(_TABLE), {"id": 1, "training": training, "created_at": now})
