"""The audit trail: append-only, hash-chained, verifiable by anyone with read access.

Each entry's hash covers its own content, its sequence number and the previous entry's hash, so an
edit, an insertion or a deletion anywhere breaks the chain from that point on; each escalation row
also records the hash of its latest entry, which catches a deletion at the very end. The database
itself refuses UPDATE and DELETE on the table (triggers), so the chain is the second line of
defence, for changes made behind the engine's back with the triggers removed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from .store import AuditRow, EscalationRow, serialize_writes

SCHEMA_VERSION = 1
GENESIS = "0" * 64


def body(row: AuditRow) -> dict[str, Any]:
    """Everything an entry's hash covers, as plain JSON-ready values (times in UTC)."""
    return {
        "seq": row.seq,
        "schema_version": row.schema_version,
        "reference": row.reference,
        "at": row.at.astimezone(UTC).isoformat(),
        "actor": row.actor,
        "actor_kind": row.actor_kind,
        "action": row.action,
        "from_stage": row.from_stage,
        "to_stage": row.to_stage,
        "note": row.note,
        "data": json.loads(row.data),
        "prev_hash": row.prev_hash,
    }


def _canonical(row: AuditRow) -> bytes:
    return json.dumps(body(row), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(row: AuditRow) -> str:
    return hashlib.sha256(_canonical(row)).hexdigest()


def append(
    session: Session,
    *,
    reference: str,
    at: datetime,
    actor: str,
    actor_kind: str,
    action: str,
    from_stage: str | None,
    to_stage: str | None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> AuditRow:
    """Add one entry inside the caller's transaction and return it (with its hash)."""
    serialize_writes(session)
    last = session.exec(select(AuditRow).order_by(AuditRow.seq.desc()).limit(1)).first()  # type: ignore[union-attr]
    row = AuditRow(
        seq=(last.seq or 0) + 1 if last else 1,
        schema_version=SCHEMA_VERSION,
        reference=reference,
        at=at,
        actor=actor,
        actor_kind=actor_kind,
        action=action,
        from_stage=from_stage,
        to_stage=to_stage,
        note=note,
        data=json.dumps(data or {}, sort_keys=True, default=str),
        prev_hash=last.hash if last else GENESIS,
        hash="",
    )
    row.hash = entry_hash(row)
    session.add(row)
    session.flush()
    return row


def entries(engine: Engine, reference: str | None = None) -> list[AuditRow]:
    """Entries in order, for one escalation or all."""
    with Session(engine) as session:
        query = select(AuditRow).order_by(AuditRow.seq)  # type: ignore[arg-type]
        if reference is not None:
            query = query.where(AuditRow.reference == reference)
        return list(session.exec(query))


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of checking the whole trail."""

    ok: bool
    entries: int
    head: str
    problem: str | None = None
    first_bad_seq: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": self.head,
            "problem": self.problem,
            "first_bad_seq": self.first_bad_seq,
        }


def _walk(rows: Iterator[AuditRow]) -> tuple[int, str, dict[str, str], tuple[int, str] | None]:
    expected_seq, prev = 1, GENESIS
    heads: dict[str, str] = {}
    count = 0
    for row in rows:
        count += 1
        if row.seq != expected_seq:
            what = (
                "missing (deleted)"
                if (row.seq or 0) > expected_seq
                else "out of sequence (inserted)"
            )
            return count, prev, heads, (expected_seq, f"entry {expected_seq} is {what}")
        if row.prev_hash != prev:
            return (
                count,
                prev,
                heads,
                (
                    expected_seq,
                    f"entry {row.seq} ({row.reference}, {row.action}) does not follow entry {expected_seq - 1}: the chain was broken there",
                ),
            )
        if entry_hash(row) != row.hash:
            return (
                count,
                prev,
                heads,
                (
                    expected_seq,
                    f"entry {row.seq} ({row.reference}, {row.action}) was altered after it was written",
                ),
            )
        prev = row.hash
        heads[row.reference] = row.hash
        expected_seq += 1
    return count, prev, heads, None


def verify(engine: Engine) -> ChainReport:
    """Check every entry and every escalation's latest-entry hash; name the first break."""
    with Session(engine) as session:
        total = session.exec(select(func.count()).select_from(AuditRow)).one()
        rows = session.exec(select(AuditRow).order_by(AuditRow.seq))  # type: ignore[arg-type]
        count, head, heads, broken = _walk(iter(rows))
        if broken is not None:
            seq, problem = broken
            return ChainReport(
                ok=False, entries=int(total), head=head, problem=problem, first_bad_seq=seq
            )
        for reference, audit_head in session.exec(
            select(EscalationRow.reference, EscalationRow.audit_head)
        ):
            if heads.get(reference) != audit_head:
                return ChainReport(
                    ok=False,
                    entries=count,
                    head=head,
                    problem=f"the latest audit entries of {reference} are missing (deleted at the end of the trail)",
                )
    return ChainReport(ok=True, entries=count, head=head)
