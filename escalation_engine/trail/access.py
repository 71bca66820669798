"""The access log: who looked at which escalation, when, and through which view.

Reading a child's escalation is itself a fact a council must be able to show (to the child, to an
auditor, to a court). Every view by anyone other than the escalation's raiser adds an entry,
chained by hash like the audit trail and signed with the same key, so that the log can neither be
edited nor cut short without ``audit verify`` saying so.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from escalation_engine import store
from escalation_engine.settings import keys
from escalation_engine.settings.keys import Signer
from escalation_engine.store import Reader
from escalation_engine.trail import links, seals
from escalation_engine.trail.audit import GENESIS, ChainReport, Signatures
from escalation_engine.trail.links import SideChain

#: The views an entry can name.
VIEWS = ("show", "audit", "list", "export")


def canonical(row: Any) -> bytes:
    """The bytes an access entry's hash covers."""
    return json.dumps(
        {"seq": row.seq, "at": row.at.astimezone(UTC).isoformat(), "viewer": row.viewer,
         "reference": row.reference, "view": row.view, "prev_hash": row.prev_hash},
        sort_keys=True, separators=(",", ":"),
    ).encode()  # fmt: skip


def append(
    session: Connection, *, at: datetime, viewer: str, references: list[str], view: str,
    signer: Signer | None,
) -> None:  # fmt: skip
    """Record that ``viewer`` saw each of ``references`` through ``view``, in the caller's
    transaction."""
    seq, prev = store.access.head(session)
    prev = prev or GENESIS
    rows = []
    for reference in references:
        seq += 1
        values: dict[str, Any] = {"seq": seq, "at": at, "viewer": viewer, "reference": reference,
                                  "view": view, "prev_hash": prev}  # fmt: skip
        digest = hashlib.sha256(canonical(_Row(values))).hexdigest()
        signature = signer.sign(keys.ACCESS, digest.encode()) if signer is not None else ""
        rows.append(values | {"hash": digest, "signature": signature})
        prev = digest
    store.access.insert_entries(session, rows)
    if signer is not None and references:
        seals.seal(session, seals.ACCESS, seq, prev, signer, at)


class _Row:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _named(n: int, row: Any) -> str:
    where = f"access log entry {n}"
    return where if row is None else f"{where} ({row.viewer} viewing {row.reference})"


#: How the log's chain is walked.
LOG = SideChain(seals.ACCESS, lambda engine: store.access.stream(engine), canonical, keys.ACCESS,
                _named)  # fmt: skip


def verify(engine: Reader, signatures: Signatures | None) -> ChainReport:
    """Check the log's chain and signatures from its first entry; name the first break."""
    return links.verify(engine, LOG, signatures)
