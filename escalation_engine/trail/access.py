"""The access log: who looked at which escalation, when, and through which view.

Reading a child's escalation is itself a fact a council must be able to show (to the child, to an
auditor, to a court). Every view by anyone other than the escalation's raiser adds an entry,
chained by hash like the audit trail and signed with the same key, so that the log can neither be
edited nor cut short without ``audit verify`` saying so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Generator, Iterable
from dataclasses import dataclass
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


def canonical(row: Any) -> bytes:
    """The bytes an access entry's hash covers: a look at a page of escalations, or (written
    before looks were kept by the page) a look at one."""
    fields: dict[str, Any] = {"seq": row.seq, "at": row.at.astimezone(UTC).isoformat(),
                              "viewer": row.viewer, "view": row.view, "prev_hash": row.prev_hash}  # fmt: skip
    if row.shown:
        fields["shown"] = row.shown
    else:
        fields["reference"] = row.reference
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def references(row: Any) -> list[str]:
    """The escalations an entry's look showed, in the order shown."""
    if not row.shown:
        return [row.reference]
    try:
        named = json.loads(row.shown)
    except ValueError:
        return []  # an entry rewritten by hand: verify names it as altered
    return [str(reference) for reference in named] if isinstance(named, list) else []


@dataclass(frozen=True, slots=True)
class Look:
    """One entry of the log as read: who saw which escalations, when, through which view."""

    seq: int
    at: datetime
    viewer: str
    view: str
    references: tuple[str, ...]


def looks(rows: Iterable[Any], reference: str | None = None) -> Generator[Look, None, None]:
    """``rows`` as looks; with ``reference``, only the looks that showed it, naming it alone
    (an auditor asking about one child's escalation is not shown the others on the page)."""
    for row in rows:
        seen = tuple(references(row))
        if reference is not None:
            seen = tuple(r for r in seen if r == reference)
            if not seen:
                continue
        yield Look(seq=row.seq, at=row.at, viewer=row.viewer, view=row.view, references=seen)


def append(
    session: Connection, *, at: datetime, viewer: str, references: list[str], view: str,
    signer: Signer | None,
) -> None:  # fmt: skip
    """Record that ``viewer`` saw ``references`` through ``view`` (a page of a list, a download,
    one escalation) as one entry, in the caller's transaction."""
    if not references:
        return
    seq, prev = store.access.head(session)
    values: dict[str, Any] = {"seq": seq + 1, "at": at, "viewer": viewer, "reference": "",
                              "shown": json.dumps(references, separators=(",", ":")),
                              "view": view, "prev_hash": prev or GENESIS}  # fmt: skip
    digest = hashlib.sha256(canonical(_Row(values))).hexdigest()
    signature = signer.sign(keys.ACCESS, digest.encode()) if signer is not None else ""
    store.access.insert_entries(session, [values | {"hash": digest, "signature": signature}])
    if signer is not None:
        seals.seal(session, seals.ACCESS, seq + 1, digest, signer, at)


class _Row:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _named(n: int, row: Any) -> str:
    where = f"access log entry {n}"
    if row is None:
        return where
    seen = references(row)
    more = f" and {len(seen) - 3} more" if len(seen) > 3 else ""
    return f"{where} ({row.viewer} viewing {', '.join(seen[:3])}{more})"


#: How the log's chain is walked.
LOG = SideChain(seals.ACCESS, lambda engine: store.access.stream(engine), canonical, keys.ACCESS,
                _named)  # fmt: skip


def verify(engine: Reader, signatures: Signatures | None) -> ChainReport:
    """Check the log's chain and signatures from its first entry; name the first break."""
    return links.verify(engine, LOG, signatures)
