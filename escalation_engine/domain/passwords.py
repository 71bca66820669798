"""Local accounts: passwords kept as Argon2id hashes, and the lockout after repeated failures.

For councils without an identity provider, and for small services. A password is never stored,
logged or shown; a sign-in that fails says only that it failed (not whether the username exists),
and takes as long as one that succeeds. After ``MAX_FAILURES`` failures in a row the account is
locked for ``LOCKOUT``; every attempt is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from escalation_engine.errors import InvalidInput

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
#: Failed password sign-ins from one address within ``ADDRESS_WINDOW`` after which that address
#: is refused without a password being tried, whichever usernames it tries: the account lockout
#: alone would let one address try a few passwords on every account. Generous, since an office's
#: people may share one address.
ADDRESS_LIMIT = 100
ADDRESS_WINDOW = timedelta(minutes=15)
SHORTEST, LONGEST = 12, 256
#: Roles that may add, reset and disable other people's accounts.
ACCOUNT_ADMINS = ("administrator", "iro_manager")

_HASHER = PasswordHasher()  # Argon2id with the library's recommended costs


@cache
def _decoy() -> str:
    """Checked against when the username is unknown, so that a miss takes as long as a hit.
    Made on first use, not on import: every command imports this module, few sign anyone in."""
    return _HASHER.hash("decoy password, never anyone's")


def prepare() -> None:
    """Make the decoy now, so that the first sign-in with an unknown username takes no longer
    than any other (a server calls this as it starts)."""
    _decoy()


def check_password(password: str, username: str) -> None:
    """Refuse a password too short, too long, or made from the username."""
    if not SHORTEST <= len(password) <= LONGEST:
        raise InvalidInput(
            f"A password must be {SHORTEST} to {LONGEST} characters long; this one is {len(password)}."
            " A few unrelated words make a long one easy to remember."
        )
    if username.lower() in password.lower() or len(set(password)) < 4:
        raise InvalidInput(
            "That password is too easy to guess (it holds the username, or repeats a few"
            " characters); choose another."
        )


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def matches(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored`` (``None``: no such account, checked against a
    decoy all the same)."""
    try:
        return _HASHER.verify(stored or _decoy(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one sign-in attempt decides: whether it succeeds, the failures counted after it, the
    lock it leaves, and why (for the record, never for the person signing in)."""

    ok: bool
    failures: int
    locked_until: datetime | None
    detail: str


def shadow_lock(failed: Iterable[datetime], now: datetime) -> datetime | None:
    """Until when a username with no account is "locked", from when its sign-ins failed: as an
    account would be after failing at those moments and now, so that a refusal never tells
    whether a username has an account."""
    failures, locked = 0, None
    for at in (*failed, now):
        if locked is not None and at < locked:
            continue  # tries while locked do not count towards the next lock
        failures += 1
        if failures >= MAX_FAILURES:
            failures, locked = 0, at + LOCKOUT
    return locked if locked is not None and now < locked else None


def decide(
    *, exists: bool, disabled: bool, failures: int, locked_until: datetime | None,
    password_ok: bool, now: datetime,
) -> Attempt:  # fmt: skip
    if not exists:
        return Attempt(False, 0, None, "no such account")
    if disabled:
        return Attempt(False, failures, locked_until, "account disabled")
    if locked_until is not None and now < locked_until:
        return Attempt(False, failures, locked_until, "account locked")
    if password_ok:
        return Attempt(True, 0, None, "signed in")
    failures += 1
    lock = now + LOCKOUT if failures >= MAX_FAILURES else None
    detail = f"wrong password ({failures} in a row)" + ("; locked" if lock else "")
    return Attempt(False, 0 if lock else failures, lock, detail)
