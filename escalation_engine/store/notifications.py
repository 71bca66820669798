"""The outbox's rows: queued with the change that causes them, leased for delivery, settled."""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, insert, select, update

from escalation_engine.spec.model import OUTCOMES
from escalation_engine.store.chain import stream
from escalation_engine.store.engine import Reader, unit_of_work
from escalation_engine.store.tables import DeliveryRow, EscalationRow, NotificationRow

_OUTBOX = NotificationRow.__table__  # type: ignore[attr-defined]
_RECORD = DeliveryRow.__table__  # type: ignore[attr-defined]
_QUEUE = insert(_OUTBOX)
_ESCALATION = EscalationRow.__table__  # type: ignore[attr-defined]


def queue(session: Connection, rows: list[dict[str, Any]]) -> None:
    """Add notifications inside the caller's transaction."""
    if rows:
        session.execute(_QUEUE, rows)


def holding(session: Connection, reference: str, text: str) -> list[Row[Any]]:
    """The messages queued about ``reference`` whose body holds ``text`` (id and body)."""
    o = _OUTBOX.c
    query = select(o.id, o.body).where(
        o.reference == reference, o.body.contains(text, autoescape=True)
    )
    return list(session.execute(query))


def rewrite(session: Connection, notification: int, body: str) -> None:
    """Replace a queued message's body (text redacted from it), in the caller's transaction."""
    session.execute(update(_OUTBOX).where(_OUTBOX.c.id == notification).values(body=body))


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


def settle_in(session: Connection, notification_id: int, values: dict[str, Any]) -> None:
    """Set a notification's state after an attempt, in the caller's transaction (which also
    appends the attempt's delivery record)."""
    session.execute(update(_OUTBOX).where(_OUTBOX.c.id == notification_id).values(**values))


def with_outcomes(engine: Reader) -> Generator[Row[Any], None, None]:
    """Every notification in the order of the entries that owe them, each with the outcome and
    digest of its latest settling delivery record (sent or given up), if any."""

    def latest(column: Any) -> Any:
        return (
            select(column)
            .where(_RECORD.c.notification_id == _OUTBOX.c.id)
            .where(_RECORD.c.outcome.in_(("sent", "given_up")))
            .order_by(_RECORD.c.seq.desc())
            .limit(1)
            .scalar_subquery()
        )

    query = select(
        _OUTBOX.c.id, _OUTBOX.c.audit_seq, _OUTBOX.c.reference, _OUTBOX.c.channel,
        _OUTBOX.c.recipient, _OUTBOX.c.address, _OUTBOX.c.subject, _OUTBOX.c.body,
        _OUTBOX.c.status, _OUTBOX.c.next_attempt_at, latest(_RECORD.c.outcome).label("settled"),
        latest(_RECORD.c.digest).label("settled_digest"),
    ).order_by(_OUTBOX.c.audit_seq, _OUTBOX.c.id)  # fmt: skip
    return stream(engine, lambda _: query)


def release_held(engine: Engine, now: datetime, furthest: timedelta) -> int:
    """Make due now every pending notice due further off than ``furthest`` (held back by hand:
    no retry or lease sets that); how many."""
    with unit_of_work(engine) as session:
        held = (_OUTBOX.c.status == "pending") & (_OUTBOX.c.next_attempt_at > now + furthest)
        return session.execute(update(_OUTBOX).where(held).values(next_attempt_at=now)).rowcount


def last_of(session: Connection, event: str) -> datetime | None:
    """When a notification of ``event`` was last queued (an alarm, told once a day)."""
    query = select(func.max(_OUTBOX.c.created_at)).where(_OUTBOX.c.event == event)
    found: datetime | None = session.execute(query).scalar()
    return found


def undelivered(engine: Engine) -> int:
    with engine.connect() as connection:
        query = select(func.count()).select_from(_OUTBOX).where(_OUTBOX.c.status != "sent")
        return int(connection.execute(query).scalar_one())


def trouble(engine: Engine, now: datetime, late: timedelta, furthest: timedelta) -> dict[str, int]:
    """Notices in trouble: given up on (about an escalation still open), retrying after a failed
    attempt, waiting longer than ``late`` past when they were due to go, and held back: due
    further off than ``furthest`` from now, which no retry or lease sets."""
    still_open = select(_ESCALATION.c.reference).where(_ESCALATION.c.stage.not_in(OUTCOMES))
    counts = {
        "given_up": (_OUTBOX.c.status == "failed") & _OUTBOX.c.reference.in_(still_open),
        "retrying": (_OUTBOX.c.status == "pending") & (_OUTBOX.c.attempts > 0),
        "overdue": (_OUTBOX.c.status == "pending") & (_OUTBOX.c.next_attempt_at < now - late),
        "held_back": (_OUTBOX.c.status == "pending") & (_OUTBOX.c.next_attempt_at > now + furthest),
    }
    with engine.connect() as connection:
        return {
            name: int(
                connection.execute(
                    select(func.count()).select_from(_OUTBOX).where(where)
                ).scalar_one()
            )
            for name, where in counts.items()
        }
