"""Bearer tokens of the API: issue one, find a live one by its hash, end one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from escalation_engine.store.tables import TokenRow

_TOKENS = TokenRow.__table__  # type: ignore[attr-defined]


def issue(session: Connection, values: dict[str, Any]) -> None:
    session.execute(insert(_TOKENS), values)


def live(session: Connection, token_hash: str, now: datetime) -> Row[Any] | None:
    """The session a token names, if it has neither expired nor been ended."""
    query = select(_TOKENS).where(
        _TOKENS.c.token_hash == token_hash,
        _TOKENS.c.ended_at.is_(None),
        _TOKENS.c.expires_at > now,
    )
    return session.execute(query).first()


def end(session: Connection, token_hash: str, now: datetime) -> bool:
    result = session.execute(
        update(_TOKENS)
        .where(_TOKENS.c.token_hash == token_hash, _TOKENS.c.ended_at.is_(None))
        .values(ended_at=now)
    )
    return bool(result.rowcount)
