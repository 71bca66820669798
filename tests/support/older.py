"""Entries of the trail's older forms, written as the release that used them wrote them, so that
an upgrade can be shown to leave them verifying."""

from __future__ import annotations

import hashlib
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection

from escalation_engine import store
from escalation_engine.trail import audit


def append_v2(
    session: Connection, *, reference: str, at: datetime, actor: str, action: str,
    from_stage: str | None, to_stage: str, note: str = "", data: dict[str, Any] | None = None,
) -> SimpleNamespace:  # fmt: skip
    """A schema-version-2 entry (its note and details inside it), unsigned, at the chain's end."""
    seq, prev = store.chain_head(session)
    fields: dict[str, Any] = {
        "seq": seq + 1, "schema_version": 2, "reference": reference, "at": at, "actor": actor,
        "actor_kind": "person", "action": action, "from_stage": from_stage, "to_stage": to_stage,
        "note": note, "data": audit.canonical_json(data or {}), "prev_hash": prev or audit.GENESIS,
    }  # fmt: skip
    entry = SimpleNamespace(**fields, signature="")
    entry.hash = hashlib.sha256(audit.canonical(entry)).hexdigest()
    store.insert_entry(session, entry)
    return entry
