"""The rows of the chains' seals: one per chain, rewritten in the transaction of every append."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from escalation_engine.store.engine import Reader, reading
from escalation_engine.store.tables import SealRow

_TABLE = SealRow.__table__  # type: ignore[attr-defined]


def write(
    session: Connection, chain: str, seq: int, hash: str, signature: str, counter: int,
    sealed_at: datetime,
) -> None:  # fmt: skip
    """Set ``chain``'s seal inside the caller's transaction (which holds the chain's lock)."""
    values = {"seq": seq, "hash": hash, "signature": signature, "counter": counter,
              "sealed_at": sealed_at}  # fmt: skip
    done = session.execute(update(_TABLE).where(_TABLE.c.chain == chain).values(**values))
    if not done.rowcount:
        session.execute(insert(_TABLE).values(chain=chain, **values))


def read_in(session: Connection, chain: str) -> Row[Any] | None:
    return session.execute(select(_TABLE).where(_TABLE.c.chain == chain)).first()


def counter_in(session: Connection, chain: str) -> int:
    """``chain``'s seal counter now (0 when it has no seal), to raise at the next sealing."""
    found = session.execute(select(_TABLE.c.counter).where(_TABLE.c.chain == chain)).scalar()
    return int(found or 0)


def all_in(session: Connection) -> list[Row[Any]]:
    return list(session.execute(select(_TABLE).order_by(_TABLE.c.chain)))


def counters(engine: Reader) -> dict[str, int]:
    with reading(engine) as connection:
        return {row.chain: row.counter for row in connection.execute(select(_TABLE))}


def read(engine: Reader, chain: str) -> Row[Any] | None:
    with reading(engine) as connection:
        return read_in(connection, chain)
