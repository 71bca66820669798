"""Signed-in sessions of the API: a bearer token given at sign-in, kept only as its SHA-256, that
names one person until it expires or they sign out."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from escalation_engine import store
from escalation_engine.errors import SignInRefused
from escalation_engine.service.context import Context

TOKEN_PREFIX = "esc_"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class Sessions:
    """Start, resolve and end API sessions."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def start_session(self, username: str, method: str) -> tuple[str, datetime]:
        """A new token for ``username`` (already proved by ``method``), and when it expires."""
        self.ctx.settings.person(username)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = self.ctx.clock.now()
        expires = now + timedelta(hours=self.ctx.settings.server.token_hours)
        with store.unit_of_work(self.ctx.engine) as session:
            store.tokens.issue(session, {
                "token_hash": token_hash(token), "username": username, "method": method,
                "created_at": now, "expires_at": expires, "ended_at": None,
            })  # fmt: skip
        return token, expires

    def session_user(self, token: str) -> str:
        """Whose ``token`` is; refused when it is unknown, expired, ended, or names someone no
        longer listed under people."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
            raise SignInRefused("That is not a sign-in token of this service; sign in again.")
        with self.ctx.engine.connect() as session:  # a read: no write lock for every request
            row = store.tokens.live(session, token_hash(token), self.ctx.clock.now())
        if row is None or row.username not in self.ctx.settings.people:
            raise SignInRefused(
                "Your sign-in has expired or was ended (or the token is not one this service"
                " gave); sign in again."
            )
        return str(row.username)

    def end_session(self, token: str) -> bool:
        with store.unit_of_work(self.ctx.engine) as session:
            return store.tokens.end(session, token_hash(token), self.ctx.clock.now())

    def record_sign_in(
        self, username: str, *, ok: bool, method: str, detail: str, source: str
    ) -> None:
        """Record a sign-in made elsewhere (at the identity provider), successful or not."""
        with store.unit_of_work(self.ctx.engine) as session:
            store.accounts.record_sign_in(
                session, at=self.ctx.clock.now(), username=username[:64], ok=ok, method=method,
                detail=detail[:200], source=source[:100],
            )  # fmt: skip
