"""Whether a database is for live use or training, as its signed installation record says.

A training database may run on a pretended clock; a live one may not. The record saying which is
written once, and sealed with the trail's key when the service signs its trail: a record flipped
to training by someone who can write to the database carries no valid seal, so the database is
taken as live (a pretended clock is refused) and ``audit verify`` names the change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine

from escalation_engine import store
from escalation_engine.settings import keys
from escalation_engine.settings.keys import Signer, Verifier


def payload(row: Any) -> bytes:
    """What the seal signs: what the database is for, and when it was set up."""
    created = row.created_at.astimezone(UTC).isoformat()
    return f"installation\n{'training' if row.training else 'live'}\n{created}".encode()


def record(engine: Engine, *, training: bool, now: datetime, signer: Signer | None) -> None:
    """Say once what the database is for, sealed where the service signs its trail."""
    store.installation.record(engine, training=training, now=now)
    if signer is not None:
        seal(engine, signer)


def seal(engine: Engine, signer: Signer) -> bool:
    """Seal an unsealed installation record (a database from before seals); return whether it
    was sealed now."""
    return store.installation.seal(engine, lambda row: signer.sign(keys.INSTALLATION, payload(row)))


def problem(where: Engine | Connection, verifier: Verifier | None) -> str | None:
    """What is wrong with the installation record against its seal, or ``None``. With no key to
    check it with, or no record (a database from before the distinction: live), nothing is."""
    return _problem(*store.installation.read(where), verifier)


def _problem(row: Any, signature: str | None, verifier: Verifier | None) -> str | None:
    if verifier is None or row is None:
        return None
    kind = "training" if row.training else "live use"
    if signature is None:
        return (
            f"the installation record (for {kind}) is not sealed: if the database was set up or"
            " upgraded where the signing key could not be read, run 'escalate db upgrade --seal'"
            " on the service host; otherwise it was written behind the engine's back"
        )
    if not verifier.valid(keys.INSTALLATION, payload(row), signature):
        return (
            f"the installation record says the database is for {kind}, but its seal does not"
            " match: it was changed behind the engine's back (a live database flipped to"
            " training would let a pretended clock date its entries)"
        )
    return None


def training(where: Engine | Connection, verifier: Verifier | None) -> bool:
    """Whether the database is for training: its record says so and, where the service signs
    its trail, its seal is genuine (otherwise it is taken as live)."""
    row, signature = store.installation.read(where)  # one read: the record and its seal together
    if row is None or not row.training:
        return False
    return _problem(row, signature, verifier) is None
