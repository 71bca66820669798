"""Delivery records, and the check that every notice the trail promised was kept.

The entry that causes notices records who each is for and a digest of its message (see
``domain/notices``). Each attempt to deliver one is recorded here, chained by hash and signed
like the trail, in the transaction that settles the outbox row. ``verify`` then walks the
promising entries beside the outbox: a promised notice missing from the outbox was deleted, one
whose message differs was altered, one marked sent or given up with no delivery record behind it
was marked so by hand, and nobody was told.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection

from escalation_engine import store
from escalation_engine.domain.committed import REDACTED
from escalation_engine.domain.events import Written
from escalation_engine.domain.labels import local
from escalation_engine.domain.notices import Promise, digest
from escalation_engine.settings import keys
from escalation_engine.settings.keys import Signer
from escalation_engine.store import Reader
from escalation_engine.trail import links, seals
from escalation_engine.trail.audit import GENESIS, ChainReport, Signatures
from escalation_engine.trail.links import SideChain
from escalation_engine.trail.openings import redactions

#: What an attempt can end in: delivered, failed and to be tried again, failed for good.
OUTCOMES = ("sent", "retrying", "given_up")
#: The outbox status each settling outcome leaves.
_STATUS = {"sent": "sent", "given_up": "failed"}


def canonical(row: Any) -> bytes:
    """The bytes a delivery record's hash covers."""
    return json.dumps(
        {"seq": row.seq, "notification_id": row.notification_id, "audit_seq": row.audit_seq,
         "digest": row.digest, "outcome": row.outcome, "attempt": row.attempt,
         "at": row.at.astimezone(UTC).isoformat(), "prev_hash": row.prev_hash},
        sort_keys=True, separators=(",", ":"),
    ).encode()  # fmt: skip


def append(
    session: Connection, *, notification_id: int, audit_seq: int, message: str, outcome: str,
    attempt: int, at: datetime, signer: Signer | None,
) -> None:  # fmt: skip
    """Record one attempt's ``outcome`` for the notice whose message digest is ``message``, in
    the caller's transaction (the one that settles the outbox row)."""
    seq, prev = store.deliveries.head(session)
    values: dict[str, Any] = {
        "seq": seq + 1, "notification_id": notification_id, "audit_seq": audit_seq,
        "digest": message, "outcome": outcome, "attempt": attempt, "at": at,
        "prev_hash": prev or GENESIS,
    }  # fmt: skip
    values["hash"] = hashlib.sha256(canonical(SimpleNamespace(**values))).hexdigest()
    values["signature"] = signer.sign(keys.DELIVERY, values["hash"].encode()) if signer else ""
    store.deliveries.insert_record(session, values)
    if signer is not None:
        seals.seal(session, seals.DELIVERY, values["seq"], values["hash"], signer, at)


def _named(n: int, row: Any) -> str:
    where = f"delivery record {n}"
    return where if row is None else f"{where} (notice {row.notification_id}, {row.outcome})"


#: How the records' chain is walked.
RECORDS = SideChain(seals.DELIVERY, lambda engine: store.deliveries.stream(engine), canonical,
                    keys.DELIVERY, _named)  # fmt: skip


def verify_chain(engine: Reader, signatures: Signatures | None) -> ChainReport:
    """Check the records' chain and signatures from the first; name the first break."""
    return links.verify(engine, RECORDS, signatures)


def _promised(engine: Reader) -> Iterator[tuple[int, str, tuple[Promise, ...]]]:
    with closing(store.stream_promising(engine)) as rows:
        for row in rows:
            notices = Written.read(json.loads(row.data)).notices
            if notices is not None:
                yield row.seq, f"{row.reference}, {row.action}", notices


def _queued(engine: Reader) -> Iterator[tuple[int, list[Any]]]:
    with closing(store.notifications.with_outcomes(engine)) as rows:
        for seq, group in groupby(rows, key=lambda row: row.audit_seq):
            yield seq, list(group)


def _kept(
    promise: Promise, seq: int, what: str, row: Any, latest: datetime | None, redacted: set[str]
) -> str | None:
    """What is wrong with the outbox ``row`` that keeps ``promise``, if anything; a pending one
    may not be due after ``latest`` (no retry or lease puts it further off than that). A message
    about an escalation in ``redacted`` (one with a signed redaction) that shows "[redacted]"
    had text removed from it, and no longer matches its digest."""
    told = f"{promise.describe(seq)} ({what})"
    queued = digest(row.channel, row.recipient, row.address, row.subject, row.body)
    scrubbed = row.reference in redacted and REDACTED in row.body
    if queued != promise.digest and not scrubbed:
        return f"{told} was altered in the outbox: its address or message is not what was owed"
    wanted = _STATUS.get(row.settled) if row.settled else None
    if row.status in ("sent", "failed") and wanted != row.status:
        said = "sent" if row.status == "sent" else "given up"
        return f"{told} is marked {said}, but no delivery record says so: nobody may have been told"
    if row.status == "pending" and latest is not None and row.next_attempt_at > latest:
        return (
            f"{told} is held back: due {local(row.next_attempt_at)}, later than any retry would"
            " put it"
        )
    if row.settled and row.settled_digest != queued and not scrubbed:
        return f"{told} is not the message its delivery record names: it was altered after delivery"
    return None


def promises_kept(engine: Reader, latest: datetime | None = None) -> str | None:
    """The first notice an entry promised that the outbox does not keep, named; ``None`` when
    every one is there, unaltered, pending (due by ``latest``) or settled with a delivery record
    behind it."""
    redacted = {r.reference for r in redactions(engine)}
    queued = _queued(engine)
    seq_q, rows = next(queued, (None, []))
    for seq, what, promises in _promised(engine):
        while seq_q is not None and seq_q < seq:
            seq_q, rows = next(queued, (None, []))
        found: dict[tuple[str, str], list[Any]] = {}
        for row in rows if seq_q == seq else ():
            found.setdefault((row.channel, row.recipient), []).append(row)
        for promise in promises:
            kept = found.get(promise.key)
            if not kept:
                return f"{promise.describe(seq)} ({what}) is not in the outbox: it was deleted"
            problem = _kept(promise, seq, what, kept.pop(0), latest, redacted)
            if problem is not None:
                return problem
        for (channel, recipient), extra in found.items():
            if extra:
                return (
                    f"the outbox holds a {channel} notice to {recipient or 'the webhook'} for"
                    f" entry {seq} ({what}), which that entry never owed: it was added"
                )
    return None


@dataclass(frozen=True, slots=True)
class NoticeReport:
    """Whether the delivery records' chain holds and every promised notice is kept."""

    ok: bool
    records: int
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "records": self.records, "problem": self.problem}


def check(
    engine: Reader, signatures: Signatures | None, latest: datetime | None = None
) -> NoticeReport:
    """The delivery records' chain, then every notice the trail promised (a pending one due
    by ``latest``)."""
    chain = verify_chain(engine, signatures)
    problem = chain.problem if not chain.ok else promises_kept(engine, latest)
    return NoticeReport(problem is None, chain.entries, problem)
