"""Sign-ins with the identity provider in progress, kept in the database so that any number of
server processes, on any number of hosts, behave as one: a browser may begin its sign-in at one
and come back from the provider to another, and a CLI may poll a different one each time.

What a sign-in must keep secret until it finishes (the PKCE verifier, the nonce, a device code)
is sealed with AES-GCM under a key derived from the handle the browser or CLI holds (the state
it carries, the device handle), and the row is found by the handle's SHA-256. The handle itself
is never stored, so the database alone can neither finish nor read anyone's sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from escalation_engine import store
from escalation_engine.errors import SignInRefused
from escalation_engine.service.context import Context

PENDING_LIMIT = 10_000
PENDING_SECONDS = 600
KINDS = ("browser", "device")
_INFO = b"escalate sign-in in progress v1"
_MAX_HANDLE = 200


@dataclass(frozen=True, slots=True)
class Pending:
    """A sign-in begun and not yet finished: a browser's PKCE verifier and nonce, or a device's
    code (with no nonce)."""

    secret: str
    nonce: str


def _hash(handle: str) -> str:
    return hashlib.sha256(handle.encode()).hexdigest()


def _cipher(handle: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(handle.encode())
    return AESGCM(key)


def seal(handle: str, kind: str, pending: Pending) -> str:
    nonce = os.urandom(12)
    plain = json.dumps({"secret": pending.secret, "nonce": pending.nonce}).encode()
    sealed = _cipher(handle).encrypt(nonce, plain, kind.encode())
    return base64.b64encode(nonce + sealed).decode()


def unseal(handle: str, kind: str, sealed: str) -> Pending:
    raw = base64.b64decode(sealed)
    try:
        found = json.loads(_cipher(handle).decrypt(raw[:12], raw[12:], kind.encode()))
    except (InvalidTag, ValueError):
        raise SignInRefused("That sign-in has expired or was already used; start again.") from None
    return Pending(str(found["secret"]), str(found["nonce"]))


class SignInsInProgress:
    """Begin a sign-in, and take it back once: from whichever process the answer reaches."""

    def __init__(self, ctx: Context, kind: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"a sign-in in progress is one of {KINDS}, not {kind!r}")
        self.ctx, self.kind = ctx, kind

    def add(self, secret: str, nonce: str = "") -> str:
        """Keep a sign-in for ``PENDING_SECONDS``; the handle to come back with."""
        handle = secrets.token_urlsafe(24)
        now = self.ctx.clock.now()
        values = {
            "handle_hash": _hash(handle), "kind": self.kind, "created_at": now,
            "sealed": seal(handle, self.kind, Pending(secret, nonce)),
            "expires_at": now + timedelta(seconds=PENDING_SECONDS),
        }  # fmt: skip
        with store.unit_of_work(self.ctx.engine) as session:
            store.pendings.begin(session, values, now=now, limit=PENDING_LIMIT)
        return handle

    def take(self, handle: str, *, keep: bool = False) -> Pending:
        """The sign-in ``handle`` names, removed unless ``keep`` (a device still waiting).

        :raises SignInRefused: when it is unknown, expired or already taken."""
        row = None
        if 0 < len(handle) <= _MAX_HANDLE:
            now = self.ctx.clock.now()
            with store.unit_of_work(self.ctx.engine) as session:
                find = store.pendings.look if keep else store.pendings.take
                row = find(session, _hash(handle), self.kind, now)
        if row is None:
            raise SignInRefused("That sign-in has expired or was already used; start again.")
        return unseal(handle, self.kind, str(row.sealed))
