"""Workflow versions as stored: the exact text every escalation has run under."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from escalation_engine.store import dialects
from escalation_engine.store.tables import WorkflowVersionRow

_VERSIONS = WorkflowVersionRow.__table__  # type: ignore[attr-defined]


def stored_text(session: Connection, digest: str) -> tuple[str, str] | None:
    """(source, text) of the version with ``digest``, or ``None`` if it is not stored."""
    query = select(_VERSIONS.c.source, _VERSIONS.c.text).where(_VERSIONS.c.digest == digest)
    row = session.execute(query).first()
    return (row.source, row.text) if row is not None else None


def is_stored(session: Connection, digest: str) -> bool:
    query = select(_VERSIONS.c.digest).where(_VERSIONS.c.digest == digest)
    return session.execute(query).first() is not None


def store(
    session: Connection, *, digest: str, name: str, version: int, source: str, text: str,
    first_used_at: datetime,
) -> None:  # fmt: skip
    """Store a version the first time it is used; where another transaction stored the same
    one first (people raising under a new version at once), theirs stands and this one adds
    nothing: the text is the same, the digest says so."""
    session.execute(
        dialects.insert(session.dialect.name, _VERSIONS)
        .values(
            digest=digest,
            name=name,
            version=version,
            source=source,
            text=text,
            first_used_at=first_used_at,
        )  # fmt: skip
        .on_conflict_do_nothing(index_elements=[_VERSIONS.c.digest])
    )
