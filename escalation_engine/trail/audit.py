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
import secrets
from collections.abc import Callable, Iterable
from contextlib import closing, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Engine

from escalation_engine import store
from escalation_engine.domain import committed
from escalation_engine.domain.actions.catalogue import PERSONAL
from escalation_engine.domain.committed import Opening
from escalation_engine.settings import keys
from escalation_engine.settings.keys import Signer, Verifier
from escalation_engine.store import AuditRow, Reader
from escalation_engine.trail import seals
from escalation_engine.trail.openings import Openings
from escalation_engine.trail.signature_checks import Bad, SignatureChecks
from escalation_engine.trail.times import Times, in_order

#: Version 2 stores ``data`` in canonical form (sorted keys, no spaces, UTF-8), so that verifying
#: re-hashes stored text instead of parsing and re-serialising it; version 3 keeps salted digests
#: of its personal text, the text beside it (``domain/committed.py``). Earlier versions verify.
SCHEMA_VERSION = committed.SCHEMA
GENESIS = "0" * 64
_ENCODE: Callable[[str], str] = json.encoder.encode_basestring


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


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


def _text(value: str | None) -> str:
    return "null" if value is None else _ENCODE(value)


def canonical(row: Any) -> bytes:
    """The bytes an entry's hash covers: its body as canonical JSON.

    Built from the stored columns directly (``row`` is an ``AuditRow`` or a plain row of its
    table); a version 2 entry's data is spliced in as stored, already canonical.
    """
    data = row.data if row.schema_version >= 2 else canonical_json(json.loads(row.data))
    return (
        f'{{"action":{_text(row.action)},"actor":{_text(row.actor)},'
        f'"actor_kind":{_text(row.actor_kind)},"at":{_text(row.at.astimezone(UTC).isoformat())},'
        f'"data":{data},"from_stage":{_text(row.from_stage)},"note":{_text(row.note)},'
        f'"prev_hash":{_text(row.prev_hash)},"reference":{_text(row.reference)},'
        f'"schema_version":{row.schema_version},"seq":{row.seq},"to_stage":{_text(row.to_stage)}}}'
    ).encode()


def entry_hash(row: Any) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    """An entry as written: what the outbox and the caller need of it, without an ORM object
    (building one cost more than writing the row)."""

    seq: int
    schema_version: int
    reference: str
    at: datetime
    actor: str
    actor_kind: str
    action: str
    from_stage: str | None
    to_stage: str | None
    note: str
    data: str
    prev_hash: str
    hash: str
    signature: str = ""
    #: The text the entry commits to, kept beside it.
    openings: tuple[Opening, ...] = ()

    def said(self, field: str) -> str:
        """The text of ``field`` as written (``note``, or a key of its details)."""
        for opening in self.openings:
            if opening.field == field:
                return opening.text
        return self.note if field == committed.NOTE else str(json.loads(self.data).get(field, ""))


def append(
    session: Connection,
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
    signer: Signer | None = None,
    after: Entry | None = None,
    seal: bool = True,
    pending: list[Entry] | None = None,
    historical: bool = False,
) -> Entry:
    """Add one entry inside the caller's transaction and return it (with its hash, and its
    signature when the service signs its trail).

    A transaction that appends many entries (an import) names the entry it appended last as
    ``after``, so the chain's head is read once, and seals the chain once, at its last entry
    (``seal=False`` before it, then ``seal_end``), and may keep its entries in ``pending``,
    to write them many at a time (``store.insert_entries``) before it commits.

    An entry is never dated before the one ahead of it (see ``in_order``), except a
    ``historical`` one, which records a moment from before the trail (an import's)."""
    prev_hash: str | None
    prev_at: datetime | None
    counter: int | None = None
    if after is not None:
        seq, prev_hash, prev_at = after.seq, after.hash, after.at
    elif seal and signer is not None:
        seq, prev_hash, prev_at, counter = store.chain_end_and_seal(session, seals.AUDIT)
    else:
        seq, prev_hash, prev_at = store.chain_end(session)
    if not historical:
        at = in_order(at, prev_at)
    kept, details = note, data or {}
    openings: tuple[Opening, ...] = ()
    if SCHEMA_VERSION >= committed.SCHEMA:
        kept, details, openings = committed.commit(note, details, PERSONAL, _salt)
    fields: dict[str, Any] = {
        "seq": seq + 1, "schema_version": SCHEMA_VERSION, "reference": reference, "at": at,
        "actor": actor, "actor_kind": actor_kind, "action": action, "from_stage": from_stage,
        "to_stage": to_stage, "note": kept, "data": canonical_json(details),
        "prev_hash": prev_hash or GENESIS,
    }  # fmt: skip
    digest = hashlib.sha256(canonical(SimpleNamespace(**fields))).hexdigest()
    signature = signer.sign(keys.ENTRY, digest.encode()) if signer is not None else ""
    entry = Entry(**fields, hash=digest, signature=signature, openings=openings)
    if pending is not None:
        pending.append(entry)
    else:
        store.insert_entry(session, entry)
    if seal:
        seal_end(session, entry, signer, counter)
    return entry


def _salt() -> str:
    return secrets.token_hex(16)


def seal_end(
    session: Connection, entry: Entry, signer: Signer | None, counter: int | None = None
) -> None:
    """Seal the trail as ending at ``entry`` (where the service signs its trail), from the seal's
    ``counter`` where the caller read it with the chain's end."""
    if signer is not None:
        seals.seal(session, seals.AUDIT, entry.seq, entry.hash, signer, entry.at, counter)


def entries(engine: Engine, reference: str | None = None) -> list[AuditRow]:
    """Entries in order, for one escalation or all."""
    return store.entries(engine, reference)


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of checking the trail (from ``since``, a checkpoint, when given)."""

    ok: bool
    entries: int
    head: str
    problem: str | None = None
    first_bad_seq: int | None = None
    since: int = 0
    #: Whether every entry's signature was checked (the service signs its trail).
    signed: bool = False
    #: The trail is empty and nothing says whether it ever held entries: no verdict either way.
    undecided: bool = False
    #: Each redaction of an entry checked, in words ("redacted (entry 4, field note, ...)").
    redacted: tuple[str, ...] = ()
    #: Text kept for entries past the trail's end: named only where nothing else explains it
    #: (entries cut from the end leave their text, and the seal or a checkpoint says more).
    leftover: str | None = None
    #: The first entry checked that keeps its personal text apart (schema version 3 on).
    committed_from: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "signed": self.signed,
            "entries": self.entries,
            "head": self.head,
            "problem": self.problem,
            "first_bad_seq": self.first_bad_seq,
            "since": self.since,
            "undecided": self.undecided,
            "redacted": list(self.redacted),
            "leftover": self.leftover,
            "committed_from": self.committed_from,
        }


@dataclass(frozen=True, slots=True)
class Signatures:
    """What ``verify`` checks signatures with, and from which entry on."""

    verifier: Verifier
    signed_from: int = 1

    def unsigned(self, row: Any) -> str | None:
        """Why ``row`` is not signed where it must be (its signature itself is checked by
        ``SignatureChecks``, on other threads over a long trail)."""
        if row.seq < self.signed_from or row.signature:
            return None
        return f"{_what(row)} is not signed: it was not written by the engine (or signing was off)"

    def checks(self) -> SignatureChecks:
        return SignatureChecks(self.verifier, keys.ENTRY)


def _what(row: Any) -> str:
    return f"entry {row.seq} ({row.reference}, {row.action})"


def _forged(bad: Bad) -> str:
    return f"{bad.what} has a signature that does not match it: it was forged or rewritten"


def _problem(row: Any, expected_seq: int, prev: str) -> str | None:
    if row.seq != expected_seq:
        what = "missing (deleted)" if row.seq > expected_seq else "out of sequence (inserted)"
        return f"entry {expected_seq} is {what}"
    if row.prev_hash != prev:
        return (
            f"entry {row.seq} ({row.reference}, {row.action}) does not follow entry"
            f" {expected_seq - 1}: the chain was broken there"
        )
    if entry_hash(row) != row.hash:
        return f"entry {row.seq} ({row.reference}, {row.action}) was altered after it was written"
    return None


def verify(
    engine: Reader,
    *,
    since: int = 0,
    progress: Callable[[int], None] | None = None,
    every: int = 10_000,
    signatures: Signatures | None = None,
) -> ChainReport:
    """Check every entry after ``since`` (0: the whole trail) and every escalation's
    latest-entry hash; name the first break. Reads the trail as a stream: memory stays flat
    however long it is. ``progress`` hears how many entries have been checked, ``every`` so
    many. With ``signatures``, every entry from ``signed_from`` on must carry a valid one."""
    signed = signatures is not None
    prev = GENESIS
    if since:
        checkpoint = store.entry_hash_at(engine, since)
        if checkpoint is None:
            return ChainReport(
                ok=False, entries=0, head="", since=since, first_bad_seq=since,
                problem=f"there is no entry {since} to start from (is the checkpoint right?)",
            )  # fmt: skip
        prev = checkpoint
    expected_seq, count = since + 1, 0
    last_at: datetime | None = None
    committed_from: int | None = None
    heads: dict[str, str] = {}
    times = Times()
    checks = signatures.checks() if signatures is not None else None
    with (
        closing(store.stream_entries(engine, since)) as rows,
        closing(Openings(engine, since)) as kept,
        closing(checks) if checks is not None else nullcontext(),
    ):
        for row in rows:
            count += 1
            problem = _problem(row, expected_seq, prev)
            if problem is None and signatures is not None:
                problem = signatures.unsigned(row)
                if problem is None and checks is not None and row.seq >= signatures.signed_from:
                    checks.add(row.seq, row.hash.encode(), row.signature, _what(row))
                    if checks.bad is not None:
                        break
            if problem is None:
                problem = times.problem(row)
            if problem is None:
                problem = kept.problem(row)
            if problem is not None:
                return _broken(engine, since, signed, checks, problem, expected_seq, prev)
            prev, last_at = row.hash, row.at
            heads[row.reference] = row.hash
            if committed_from is None and row.schema_version >= committed.SCHEMA:
                committed_from = row.seq
            expected_seq += 1
            if progress is not None and count % every == 0:
                progress(count)
        if checks is not None and checks.finish() is not None:
            return _broken(engine, since, signed, checks, "", expected_seq, prev)
        stray = kept.end()
        redacted = tuple(redaction.said() for redaction in kept.seen)
    for reference in _stale_heads(engine, heads):
        return ChainReport(
            ok=False, entries=count, head=prev, since=since,
            problem=f"the latest audit entries of {reference} are missing (deleted at the end of the trail)",
            signed=signed,
        )  # fmt: skip
    if signatures is not None and expected_seq == 1 and not since:
        return _empty(engine, signatures)
    if signatures is not None and expected_seq > signatures.signed_from:
        end = expected_seq - 1
        problem = seals.problem(engine, seals.AUDIT, end, prev, signatures.verifier, last_at)
        if problem is not None:
            return ChainReport(ok=False, entries=count, head=prev, since=since, problem=problem,
                               first_bad_seq=expected_seq, signed=signed)  # fmt: skip
    return ChainReport(ok=True, entries=count, head=prev, since=since, signed=signed,
                       redacted=redacted, leftover=stray, committed_from=committed_from)  # fmt: skip


def _broken(
    engine: Reader, since: int, signed: bool, checks: SignatureChecks | None, problem: str,
    seq: int, prev: str,
) -> ChainReport:  # fmt: skip
    """The report of a trail whose first problem is ``problem`` at entry ``seq`` (after entry
    ``prev``), or an earlier bad signature that ``checks`` finds."""
    bad = checks.finish() if checks is not None else None
    if bad is not None and bad.seq <= seq:
        problem, seq = _forged(bad), bad.seq
        prev = store.entry_hash_at(engine, seq - 1) or GENESIS if seq > 1 else GENESIS
    total = store.count_entries(engine, since)
    return ChainReport(ok=False, entries=total, head=prev, problem=problem, first_bad_seq=seq,
                       since=since, signed=signed)  # fmt: skip


def _empty(engine: Reader, signatures: Signatures) -> ChainReport:
    """An empty trail verifies only with its seal at the start (sealed as the service was set
    up); with no seal at all, an emptied trail and a new one look alike."""
    if store.seals.read(engine, seals.AUDIT) is None:
        return ChainReport(
            ok=False, entries=0, head=GENESIS, signed=True, undecided=True,
            problem=(
                "the trail holds no entries, and it has no seal to say whether it ever did: it"
                " may have been emptied. A new service is sealed at its start by 'escalate init';"
                " for one set up before that, run 'escalate db upgrade --seal' on the service host"
            ),
        )  # fmt: skip
    problem = seals.problem(engine, seals.AUDIT, 0, GENESIS, signatures.verifier)
    return ChainReport(ok=problem is None, entries=0, head=GENESIS, problem=problem,
                       first_bad_seq=1 if problem else None, signed=True)  # fmt: skip


def _stale_heads(engine: Reader, heads: dict[str, str]) -> Iterable[str]:
    """Escalations whose recorded latest entry is not the latest in the trail, or not in it."""
    yield from store.dangling_heads(engine)
    for reference, audit_head in store.recorded_heads(engine, set(heads)):
        if heads[reference] != audit_head:
            yield reference
