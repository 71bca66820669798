"""Sign-ins with the identity provider in progress, shared by every server process: begin one,
take it back once (or look at it while a device sign-in is still waiting), forget expired ones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select

from escalation_engine.store.tables import SignInPendingRow

_PENDING = SignInPendingRow.__table__  # type: ignore[attr-defined]


def begin(session: Connection, values: dict[str, Any], *, now: datetime, limit: int) -> None:
    """Keep a new sign-in; expired ones go first, and the oldest beyond ``limit`` make room."""
    t = _PENDING.c
    session.execute(delete(_PENDING).where(t.expires_at < now))
    held = int(session.execute(select(func.count()).select_from(_PENDING)).scalar_one())
    if held >= limit:
        oldest = select(t.handle_hash).order_by(t.created_at).limit(held - limit + 1)
        session.execute(delete(_PENDING).where(t.handle_hash.in_(oldest.scalar_subquery())))
    session.execute(insert(_PENDING), values)


def take(session: Connection, handle_hash: str, kind: str, now: datetime) -> Row[Any] | None:
    """The sign-in, removed in the same statement, so that two servers cannot both finish it."""
    query = delete(_PENDING).where(*_live(handle_hash, kind, now)).returning(_PENDING.c.sealed)
    return session.execute(query).first()


def look(session: Connection, handle_hash: str, kind: str, now: datetime) -> Row[Any] | None:
    query = select(_PENDING.c.sealed).where(*_live(handle_hash, kind, now))
    return session.execute(query).first()


def _live(handle_hash: str, kind: str, now: datetime) -> tuple[Any, ...]:
    t = _PENDING.c
    return (t.handle_hash == handle_hash, t.kind == kind, t.expires_at >= now)


def held(session: Connection) -> int:
    return int(session.execute(select(func.count()).select_from(_PENDING)).scalar_one())
