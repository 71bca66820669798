"""Absences: who was marked away or back, by whom and when, and how everyone stands now."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, Engine, func, insert, select

from escalation_engine.store.tables import AbsenceRow

_TABLE = AbsenceRow.__table__  # type: ignore[attr-defined]
_LATEST = select(_TABLE.c.username, _TABLE.c.away, _TABLE.c.until).where(
    _TABLE.c.id.in_(select(func.max(_TABLE.c.id)).group_by(_TABLE.c.username))
)


def record(
    session: Connection,
    *,
    username: str,
    away: bool,
    until: date | None,
    marked_by: str,
    at: datetime,
    note: str,
) -> None:
    session.execute(
        insert(_TABLE),
        {"username": username, "away": away, "until": until, "marked_by": marked_by, "at": at,
         "note": note},
    )  # fmt: skip


def latest(session: Connection) -> dict[str, tuple[bool, date | None]]:
    """Each person's latest mark: away (and the last day away, if said) or back."""
    return {row.username: (bool(row.away), row.until) for row in session.execute(_LATEST)}


def history(engine: Engine, username: str | None = None) -> list[AbsenceRow]:
    """Every mark, oldest first (one person's, if named)."""
    query = select(_TABLE).order_by(_TABLE.c.id)
    if username is not None:
        query = query.where(_TABLE.c.username == username)
    with engine.connect() as connection:
        return [AbsenceRow(**row._mapping) for row in connection.execute(query)]
