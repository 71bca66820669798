"""Watches: who watches which escalation, as the latest of each person's marks for it says.

Marks are only ever added, so who watched what, and since when, is never lost."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Connection, Engine, Select, func, insert, select

from escalation_engine.domain.events import Told
from escalation_engine.spec.model import OUTCOMES
from escalation_engine.store.tables import AuditRow, EscalationRow, WatchRow

_TABLE = WatchRow.__table__  # type: ignore[attr-defined]
_AUDIT = AuditRow.__table__  # type: ignore[attr-defined]
_ESCALATION = EscalationRow.__table__  # type: ignore[attr-defined]


def record(
    session: Connection,
    *,
    usernames: Iterable[str],
    reference: str,
    watching: bool,
    why: str,
    at: datetime,
) -> None:
    _insert(session, _rows(usernames, reference, watching, why, at))


def _rows(
    usernames: Iterable[str], reference: str, watching: bool, why: str, at: datetime
) -> list[dict[str, Any]]:
    return [{"username": name, "reference": reference, "watching": watching, "why": why, "at": at}
            for name in usernames]  # fmt: skip


def _insert(session: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:  # one statement for them all
        session.execute(insert(_TABLE), rows)


def told(session: Connection, reference: str, named: dict[str, list[str]], at: datetime) -> None:
    """Those ``named`` (by why: ``Told.to_watch``) watch ``reference`` from ``at``, each
    once, for the first reason: those already watching it are left as they are."""
    if not named:
        return
    already = watchers(session, reference)
    rows: list[dict[str, Any]] = []
    for why, names in named.items():
        fresh = [name for name in dict.fromkeys(names) if name not in already]
        rows += _rows(fresh, reference, True, why, at)
        already.update(fresh)
    _insert(session, rows)


def from_trail(session: Connection) -> None:
    """Watches as the trail of every open escalation says (for a database made before them):
    whoever its entries told of it, as ``told`` would have recorded them."""
    a, e = _AUDIT.c, _ESCALATION.c
    query = (
        select(a.reference, a.data, a.at)
        .join(_ESCALATION, e.reference == a.reference)
        .where(e.stage.not_in(OUTCOMES))
        .order_by(a.seq)
    )
    for reference, data, at in session.execute(query).all():
        told(session, reference, Told.read(json.loads(data)).to_watch(), at)


def watchers(session: Connection, reference: str) -> set[str]:
    """Who watches ``reference`` now."""
    t = _TABLE.c
    latest = select(func.max(t.id)).where(t.reference == reference).group_by(t.username).subquery()
    query = select(t.username).where(t.id.in_(select(latest)), t.watching)
    return {name for (name,) in session.execute(query)}


def watching_now(username: str | BindParameter[str]) -> Select[Any]:
    """The query of the references ``username`` (or the parameter naming them) watches now, as
    their latest marks say."""
    t = _TABLE.c
    latest = select(func.max(t.id)).where(t.username == username).group_by(t.reference).subquery()
    return select(t.reference).where(t.id.in_(select(latest)), t.watching)


def watched(engine: Engine, username: str) -> list[str]:
    """The references ``username`` watches now, those they began to watch most recently first."""
    query = watching_now(username).order_by(_TABLE.c.id.desc())
    with engine.connect() as connection:
        return [reference for (reference,) in connection.execute(query)]
