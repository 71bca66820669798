"""The signed seal on each chain's end, which makes cutting entries off the end visible.

Every entry is signed and names the hash of the one before, so removing one from the middle breaks
the chain. Removing the last few leaves a shorter chain that is still whole and still signed, and
a checkpoint anchors the chain only as far as it reached when the checkpoint was written. So every
append also signs where its chain now ends (the chain's name, the last entry's number and hash)
into that chain's one seal row. Without the key nobody can seal an earlier end, and the seal they
find names the entries they removed.
"""

from __future__ import annotations

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


def payload(chain: str, seq: int, hash: str) -> bytes:
    return f"{chain}\n{seq}\n{hash}".encode()


def seal(session: Connection, chain: str, seq: int, hash: str, signer: Signer) -> None:
    """Record, signed, that ``chain`` now ends at entry ``seq`` with ``hash`` (in the caller's
    transaction, which holds the chains' write lock)."""
    signature = signer.sign(keys.SEAL, payload(chain, seq, hash))
    store.seals.write(session, chain, seq, hash, signature)


def problem(engine: Reader, chain: str, seq: int, hash: str, verifier: Verifier) -> str | None:
    """What is wrong with ``chain``'s end, found to be entry ``seq`` with ``hash``, against its
    seal; ``None`` when the seal is genuine and names that end."""
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
    if not verifier.valid(keys.SEAL, payload(chain, row.seq, row.hash), row.signature):
        return f"{name}'s seal is not signed by this service's key: it was forged or rewritten"
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
