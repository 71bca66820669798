"""The signed seal on each chain's end, which makes cutting entries off the end visible.

Every entry is signed and names the hash of the one before, so removing one from the middle breaks
the chain. Removing the last few leaves a shorter chain that is still whole and still signed, and
a checkpoint anchors the chain only as far as it reached when the checkpoint was written. So every
append also signs where its chain now ends (the chain's name, the last entry's number and hash)
into that chain's one seal row. Without the key nobody can seal an earlier end, and the seal they
find names the entries they removed.

A seal row kept from an earlier moment and put back after cutting entries would still name a
whole chain, so each sealing raises the seal's counter and records its time, both signed; a
checkpoint renews the seals and records their counters outside the database, and ``verify``
refuses a seal older than the newest checkpoint, or dated before the entry it seals.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection

from escalation_engine import store
from escalation_engine.settings import keys
from escalation_engine.settings.keys import Signer, Verifier
from escalation_engine.store import Reader

AUDIT = "audit"
ACCESS = "access"
DELIVERY = "delivery"
#: How each chain is named in what ``verify`` says.
_NAMES = {AUDIT: "the audit trail", ACCESS: "the access log", DELIVERY: "the delivery records"}


def payload(chain: str, seq: int, hash: str, counter: int = 0, at: datetime | None = None) -> bytes:
    """What a seal's signature covers; a seal from before counters (0) covers the end alone."""
    if not counter or at is None:
        return f"{chain}\n{seq}\n{hash}".encode()
    return f"{chain}\n{seq}\n{hash}\n{counter}\n{at.astimezone(UTC).isoformat()}".encode()


def seal(
    session: Connection, chain: str, seq: int, hash: str, signer: Signer, at: datetime,
    counter: int | None = None,
) -> int:  # fmt: skip
    """Record, signed, that ``chain`` now ends at entry ``seq`` with ``hash``, as of ``at``, with
    the seal's counter raised from ``counter`` (read now when not given, by a caller that read it
    under the same lock) in the caller's transaction, which holds the chains' write lock; return
    the new counter."""
    counter = (store.seals.counter_in(session, chain) if counter is None else counter) + 1
    at = at.astimezone(UTC)
    signature = signer.sign(keys.SEAL, payload(chain, seq, hash, counter, at))
    store.seals.write(session, chain, seq, hash, signature, counter, at)
    return counter


def problem(
    engine: Reader, chain: str, seq: int, hash: str, verifier: Verifier,
    last_at: datetime | None = None,
) -> str | None:  # fmt: skip
    """What is wrong with ``chain``'s end, found to be entry ``seq`` with ``hash`` (written at
    ``last_at``), against its seal; ``None`` when the seal is genuine and names that end."""
    name = _NAMES[chain]
    row = store.seals.read(engine, chain)
    if row is None:
        if seq == 0:
            return None
        return (
            f"{name} has no seal (the signed record of where it ends): it was deleted, perhaps"
            f" with entries after {seq}; if the database was upgraded where the signing key could"
            " not be read, run 'escalate db upgrade --seal' on the service host"
        )
    signed = payload(chain, row.seq, row.hash, row.counter, row.sealed_at)
    if not verifier.valid(keys.SEAL, signed, row.signature):
        return f"{name}'s seal is not signed by this service's key: it was forged or rewritten"
    if row.sealed_at is not None and last_at is not None and row.sealed_at < last_at:
        return (
            f"{name}'s seal is dated before its last entry, {seq}, was written: an older seal"
            " was put back"
        )
    if row.seq > seq:
        gone = (
            f"entry {row.seq} was" if row.seq == seq + 1 else f"entries {seq + 1} to {row.seq} were"
        )
        return (
            f"{name} ends at entry {seq}, but its seal says it ended at entry {row.seq}:"
            f" {gone} deleted from its end"
        )
    if row.seq < seq:
        return (
            f"{name} goes on past its seal (entry {row.seq}) to entry {seq}: entries"
            f" {row.seq + 1} to {seq} were not written by the engine"
        )
    if row.hash != hash:
        return f"{name}'s last entry, {seq}, is not the one its seal names: it was replaced"
    return None


def replayed(engine: Reader, seen: dict[str, int], described: str) -> str | None:
    """A chain whose seal's counter is below ``seen`` (the counters a checkpoint recorded, as
    ``described``): its seal was put back from before that checkpoint."""
    now = store.seals.counters(engine)
    for chain, counter in sorted(seen.items()):
        if chain in _NAMES and now.get(chain, 0) < counter:
            return (
                f"{_NAMES[chain]}'s seal (number {now.get(chain, 0)}) is older than {described},"
                f" which saw number {counter}: it was put back from an earlier copy, perhaps"
                " with the entries after it removed"
            )
    return None


def renew(
    session: Connection, ends: dict[str, tuple[int, str | None]], signer: Signer,
    verifier: Verifier, at: datetime,
) -> dict[str, int]:  # fmt: skip
    """Seal again each chain whose seal is genuine and names its end in ``ends`` (for a
    checkpoint to record the counters); the chains and their counters. A seal with a problem is
    left as it is, for ``verify`` to name, rather than signed afresh. The caller holds the
    chains' write lock."""
    counters = {}
    for chain, (seq, last) in ends.items():
        row = store.seals.read_in(session, chain)
        if row is None or problem(session, chain, seq, last or "", verifier) is not None:
            continue
        # Never dated before the seal it renews (a pretended clock may run behind the trail).
        when = max(at, row.sealed_at) if row.sealed_at is not None else at
        counters[chain] = seal(session, chain, seq, row.hash, signer, when)
    return counters
