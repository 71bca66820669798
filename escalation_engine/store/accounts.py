"""Accounts and the sign-in record: read an account, write one, and append an attempt."""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, insert, select, update

from escalation_engine.store.tables import AccountRow, SignInRow

_ACCOUNTS = AccountRow.__table__  # type: ignore[attr-defined]
_SIGN_INS = SignInRow.__table__  # type: ignore[attr-defined]


def get(session: Connection, username: str, *, lock: bool = False) -> Row[Any] | None:
    query = select(_ACCOUNTS).where(_ACCOUNTS.c.username == username)
    if lock and session.dialect.name == "postgresql":
        query = query.with_for_update()
    return session.execute(query).first()


def any_account(engine: Engine) -> bool:
    """Whether anyone has a local account yet."""
    with engine.connect() as connection:
        return connection.execute(select(_ACCOUNTS.c.username).limit(1)).first() is not None


def create(session: Connection, values: dict[str, Any]) -> None:
    session.execute(insert(_ACCOUNTS), values)


def change(session: Connection, username: str, values: dict[str, Any]) -> None:
    session.execute(update(_ACCOUNTS).where(_ACCOUNTS.c.username == username).values(**values))


def record_sign_in(
    session: Connection, *, at: datetime, username: str, ok: bool, method: str, detail: str,
    source: str,
) -> None:  # fmt: skip
    session.execute(insert(_SIGN_INS), {"at": at, "username": username, "ok": ok,
                                        "method": method, "detail": detail, "source": source})  # fmt: skip


def failed_attempts(session: Connection, username: str, limit: int) -> list[datetime]:
    """When the latest ``limit`` password sign-ins as ``username`` failed, oldest first (an
    index look-up: the sign-in record is indexed by username)."""
    t = _SIGN_INS.c
    query = (
        select(t.at)
        .where(t.username == username, t.method == "password", t.ok.is_(False))
        .order_by(t.id.desc())
        .limit(limit)
    )
    return [at for (at,) in session.execute(query)][::-1]


def failures_from(session: Connection, source: str, since: datetime) -> int:
    """How many password sign-ins from ``source`` have failed since ``since`` (an index range)."""
    t = _SIGN_INS.c
    query = select(func.count()).where(
        t.source == source, t.at >= since, t.method == "password", t.ok.is_(False)
    )
    return int(session.execute(query).scalar_one())


def sign_ins(engine: Engine, username: str | None = None) -> Generator[Row[Any], None, None]:
    query = select(_SIGN_INS).order_by(_SIGN_INS.c.id)
    if username is not None:
        query = query.where(_SIGN_INS.c.username == username)
    with engine.connect() as connection:
        yield from connection.execute(query)
