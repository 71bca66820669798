"""The outbox's rows: queued with the change that causes them, leased for delivery, settled."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from escalation_engine.store.engine import unit_of_work
from escalation_engine.store.tables import DeliveryAttemptRow, NotificationRow

_OUTBOX = NotificationRow.__table__  # type: ignore[attr-defined]
_ATTEMPT = DeliveryAttemptRow.__table__  # type: ignore[attr-defined]
_QUEUE = insert(_OUTBOX)


def queue(session: Connection, rows: list[dict[str, Any]]) -> None:
    """Add notifications inside the caller's transaction."""
    if rows:
        session.execute(_QUEUE, rows)


def lease_due(engine: Engine, now: datetime, until: datetime, batch: int) -> list[Any]:
    """Up to ``batch`` pending notifications due at ``now``, oldest first, leased ``until`` a
    moment so that another deliverer does not take them too."""
    with unit_of_work(engine) as session:
        rows = list(
            session.execute(
                select(_OUTBOX)
                .where(_OUTBOX.c.status == "pending")
                .where(_OUTBOX.c.next_attempt_at <= now)
                .order_by(_OUTBOX.c.next_attempt_at, _OUTBOX.c.id)
                .limit(batch)
            )
        )
        if rows:
            session.execute(
                update(_OUTBOX)
                .where(_OUTBOX.c.id.in_([row.id for row in rows]))
                .values(next_attempt_at=until)
            )
    return rows


def settle(
    engine: Engine, notification_id: int, values: dict[str, Any], now: datetime, error: str
) -> None:
    """Record one delivery attempt and the notification's new state, together."""
    with unit_of_work(engine) as session:
        session.execute(update(_OUTBOX).where(_OUTBOX.c.id == notification_id).values(**values))
        session.execute(
            insert(_ATTEMPT).values(
                notification_id=notification_id, at=now, ok=not error, error=error[:500]
            )
        )


def undelivered(engine: Engine) -> int:
    with engine.connect() as connection:
        query = select(func.count()).select_from(_OUTBOX).where(_OUTBOX.c.status != "sent")
        return int(connection.execute(query).scalar_one())
