"""Walking a side chain (the access log, the delivery records) from its first row: each row in
sequence, linked to the one before, hashed as written, signed, and the chain's seal naming its
end. One walk for every such chain; each says how its rows are hashed, signed and named."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from escalation_engine.store import Reader
from escalation_engine.trail import seals
from escalation_engine.trail.audit import GENESIS, ChainReport, Signatures


@dataclass(frozen=True, slots=True)
class SideChain:
    """A chain's seal name, its rows in order, what a row's hash covers, the key's purpose its
    signatures are made for, and how a person reads the ``n``th row (and that row, when found)."""

    chain: str
    rows: Callable[[Reader], Generator[Any, None, None]]
    canonical: Callable[[Any], bytes]
    purpose: bytes
    named: Callable[[int, Any], str]


def _problem(
    side: SideChain, row: Any, expected: int, prev: str, signatures: Signatures | None
) -> str | None:
    if row.seq != expected:
        return f"{side.named(expected, None)} is {'missing (deleted)' if row.seq > expected else 'out of sequence'}"
    where = side.named(expected, row)
    if row.prev_hash != prev:
        return f"{where} does not follow the one before it"
    if hashlib.sha256(side.canonical(row)).hexdigest() != row.hash:
        return f"{where} was altered after it was written"
    if signatures is not None and not signatures.verifier.valid(
        side.purpose, row.hash.encode(), row.signature
    ):
        return f"{where} is not signed by this service's key"
    return None


def verify(engine: Reader, side: SideChain, signatures: Signatures | None) -> ChainReport:
    """Check ``side``'s chain and signatures from its first row; name the first break."""
    prev, expected, last_at = GENESIS, 1, None
    signed = signatures is not None
    with closing(side.rows(engine)) as rows:
        for row in rows:
            problem = _problem(side, row, expected, prev, signatures)
            if problem is not None:
                return ChainReport(ok=False, entries=expected - 1, head=prev, problem=problem,
                                   first_bad_seq=expected, signed=signed)  # fmt: skip
            prev, expected, last_at = row.hash, expected + 1, row.at
    if signatures is not None:
        end, verifier = expected - 1, signatures.verifier
        problem = seals.problem(engine, side.chain, end, prev, verifier, last_at)
        if problem is not None:
            return ChainReport(ok=False, entries=end, head=prev, problem=problem,
                               first_bad_seq=expected, signed=True)  # fmt: skip
    return ChainReport(ok=True, entries=expected - 1, head=prev, signed=signed)
