"""What each person last saw of each escalation: its version when they last opened it or acted
on it, replaced at each look (one row per person and escalation), read a page of a list at a
time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine, select

from escalation_engine.store import dialects
from escalation_engine.store.tables import SeenRow

_TABLE = SeenRow.__table__  # type: ignore[attr-defined]
_CHUNK = 500


def mark(engine: Engine, username: str, reference: str, version: int, at: datetime) -> None:
    """``username`` has seen ``reference`` at ``version`` (never going back to an earlier one:
    a page opened before an action and shown after it does not undo the action's mark)."""
    values = {"username": username, "reference": reference, "version": version, "at": at}
    with engine.begin() as connection:
        statement = dialects.insert(connection.dialect.name, _TABLE).values(values)
        newer = statement.excluded.version > _TABLE.c.version
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["username", "reference"],
                set_={"version": statement.excluded.version, "at": statement.excluded.at},
                where=newer,
            )
        )


def versions(engine: Engine, username: str, references: Iterable[str]) -> dict[str, int]:
    """The version of each of ``references`` ``username`` last saw (those never seen left out)."""
    wanted = list(references)
    t = _TABLE.c
    found: dict[str, int] = {}
    with engine.connect() as connection:
        for start in range(0, len(wanted), _CHUNK):  # bounded IN lists, whatever a list holds
            chunk = wanted[start : start + _CHUNK]
            query = select(t.reference, t.version).where(
                t.username == username, t.reference.in_(chunk)
            )
            for reference, version in connection.execute(query):
                found[reference] = version
    return found
