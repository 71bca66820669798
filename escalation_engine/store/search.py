"""The trail across escalations: entries joined with their escalation's facts, filtered in SQL.

One query in sequence order, read a chunk at a time, so an export of a million entries takes the
memory of one chunk. Filters on the escalation (team, category, workflow, ...) are joins, not a
second pass; a child's case reference is narrowed in SQL and confirmed by the caller.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from sqlalchemy import Engine, Row, or_, select

from escalation_engine.domain.filters import TrailFilter
from escalation_engine.store import texts
from escalation_engine.store.chain import CHUNK, stream
from escalation_engine.store.escalations import contains
from escalation_engine.store.tables import AuditRow, EscalationRow, WorkflowVersionRow

_AUDIT = AuditRow.__table__  # type: ignore[attr-defined]
_ESCALATION = EscalationRow.__table__  # type: ignore[attr-defined]
_VERSION = WorkflowVersionRow.__table__  # type: ignore[attr-defined]


def trail(
    engine: Engine, chosen: TrailFilter, after: int = 0, chunk: int = CHUNK
) -> Generator[Row[Any], None, None]:
    """Entries after ``after`` that ``chosen`` keeps, each with its escalation's team, category,
    workflow and version, alert type, case references, raiser, outcome and latest entry's hash;
    read ``chunk`` at a time (a page's worth for a page: a chunk is read whole, however few of
    it are wanted)."""
    a, e = _AUDIT.c, _ESCALATION.c
    query = (
        select(
            _AUDIT,
            e.team,
            e.category,
            e.workflow,
            e.alert_type,
            e.case_refs,
            e.raised_by,
            e.outcome,
            e.workflow_digest,
            e.audit_head,
            _VERSION.c.version,
        )  # fmt: skip
        .select_from(
            _AUDIT.join(_ESCALATION, e.reference == a.reference).join(
                _VERSION, _VERSION.c.digest == e.workflow_digest
            )
        )
        .where(a.seq > after)
        .order_by(a.seq)
    )
    if chosen.start is not None:
        query = query.where(a.at >= chosen.start)
    if chosen.end is not None:
        query = query.where(a.at < chosen.end)
    if chosen.person is not None:
        query = query.where(or_(a.actor == chosen.person, e.raised_by == chosen.person))
    if chosen.child is not None:
        query = query.where(contains(e.case_refs, chosen.child))
    if chosen.version is not None:
        query = query.where(_VERSION.c.version == chosen.version)
    if chosen.stages:
        stages = sorted(chosen.stages)
        query = query.where(or_(a.from_stage.in_(stages), a.to_stage.in_(stages)))
    if chosen.action is not None:
        query = query.where(a.action == chosen.action)
    for name in ("team", "category", "workflow", "alert_type", "outcome"):
        value = getattr(chosen, name)
        if value is not None:
            query = query.where(e[name] == value)
    return texts.open_stream(engine, stream(engine, lambda _: query, chunk))
