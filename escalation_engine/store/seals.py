"""The rows of the chains' seals: one per chain, rewritten in the transaction of every append."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from escalation_engine.store.engine import Reader, reading
from escalation_engine.store.tables import SealRow

_TABLE = SealRow.__table__  # type: ignore[attr-defined]


def write(session: Connection, chain: str, seq: int, hash: str, signature: str) -> None:
    """Set ``chain``'s seal inside the caller's transaction (which holds the chain's lock)."""
    values = {"seq": seq, "hash": hash, "signature": signature}
    done = session.execute(update(_TABLE).where(_TABLE.c.chain == chain).values(**values))
    if not done.rowcount:
        session.execute(insert(_TABLE).values(chain=chain, **values))


def read_in(session: Connection, chain: str) -> Row[Any] | None:
    return session.execute(select(_TABLE).where(_TABLE.c.chain == chain)).first()


def read(engine: Reader, chain: str) -> Row[Any] | None:
    with reading(engine) as connection:
        return read_in(connection, chain)
