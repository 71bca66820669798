"""Local accounts: adding, resetting and disabling them, and signing in, each attempt recorded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from escalation_engine import store
from escalation_engine.domain import passwords
from escalation_engine.domain.people import Person
from escalation_engine.errors import (
    InvalidInput,
    PermissionDenied,
    SignInRefused,
    TooManyAttempts,
    UnknownUser,
)
from escalation_engine.service.context import Context
from escalation_engine.service.viewing import AUDITOR
from escalation_engine.settings.config import Settings

#: How many of a username's failed sign-ins are read to say whether it would be locked.
_SHADOWED = 4 * passwords.MAX_FAILURES
HELD = "too many failures from this address"


class Accounts:
    """Local accounts for people listed in config.yaml."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _admin(self, by: str, username: str, what: str) -> Person:
        """Refuse, before anything is asked or written, unless ``by`` may ``what`` the account
        of ``username`` (listed under people): themselves, or an account administrator."""
        settings = self.ctx.settings
        titles = settings.words.roles(passwords.ACCOUNT_ADMINS)
        if by not in settings.people:
            keys = " or ".join(f"roles: [{role}]" for role in passwords.ACCOUNT_ADMINS)
            act_as = (
                " (or add --as USERNAME: allow_act_as is true)" if settings.allow_act_as else ""
            )
            raise UnknownUser(
                f"Your login {by!r} is not listed under people in {settings.path}, so it cannot"
                f" {what} accounts. List yourself there with username: {by} and {keys} (an"
                f" {titles} gives accounts to others){act_as}, then run this again. Nothing was"
                " asked or written."
            )
        actor = settings.person(by)
        if by != username and not set(passwords.ACCOUNT_ADMINS) & set(actor.roles):
            raise PermissionDenied(
                f"{actor.name} ({by}) may not {what} {username}'s account: that is for an"
                f" {titles}, or the person themselves."
            )
        return self.ctx.settings.person(username)

    def any_account(self) -> bool:
        return store.accounts.any_account(self.ctx.engine)

    def may_manage(self, by: str, username: str, what: str) -> None:
        """What ``add_account`` and the rest check first: asked before a password is typed."""
        self._admin(by, username, what)

    def add_account(self, by: str, username: str, password: str) -> None:
        """Give ``username`` (listed under people) a local account with ``password``."""
        self._admin(by, username, "add")
        passwords.check_password(password, username)
        now = self.ctx.clock.now()
        with store.unit_of_work(self.ctx.engine) as session:
            if store.accounts.get(session, username) is not None:
                raise InvalidInput(
                    f"{username} already has an account; set a new password with 'escalate user"
                    f" passwd {username}', or enable it again with 'escalate user enable {username}'."
                )
            store.accounts.create(session, {
                "username": username, "password_hash": passwords.hash_password(password),
                "disabled": False, "failures": 0, "locked_until": None, "created_at": now,
                "changed_at": now, "changed_by": by,
            })  # fmt: skip

    def _change(self, by: str, username: str, what: str, values: dict[str, Any]) -> None:
        self._admin(by, username, what)
        with store.unit_of_work(self.ctx.engine) as session:
            if store.accounts.get(session, username, lock=True) is None:
                raise InvalidInput(
                    f"{username} has no account yet; add one with 'escalate user add {username}'."
                )
            store.accounts.change(
                session, username, values | {"changed_at": self.ctx.clock.now(), "changed_by": by}
            )

    def set_password(self, by: str, username: str, password: str) -> None:
        """A new password (which also lifts a lockout)."""
        passwords.check_password(password, username)
        values = {
            "password_hash": passwords.hash_password(password),
            "failures": 0,
            "locked_until": None,
        }
        self._change(by, username, "reset the password of", values)

    def set_disabled(self, by: str, username: str, disabled: bool) -> None:
        self._change(by, username, "disable" if disabled else "enable", {"disabled": disabled})

    def sign_in(self, username: str, password: str, *, source: str) -> Person:
        """The person ``username`` names, if the password is theirs; every attempt is recorded.

        :raises SignInRefused: saying only that it failed (or that the account is locked: said
            of a username with no account too, as an account would be, so that the refusal never
            tells whether it has one)."""
        now = self.ctx.clock.now()
        shadow: datetime | None = None
        with store.unit_of_work(self.ctx.engine) as session:
            since = now - passwords.ADDRESS_WINDOW
            held = (
                store.accounts.failures_from(session, source[:100], since)
                >= passwords.ADDRESS_LIMIT
            )
            if held:  # refused before any password is tried; recorded, and it counts
                attempt = passwords.Attempt(False, 0, None, HELD)
            else:
                row = store.accounts.get(session, username, lock=True)
                listed = username in self.ctx.settings.people
                if row is None or not listed:
                    failed = store.accounts.failed_attempts(session, username[:64], _SHADOWED)
                    shadow = passwords.shadow_lock(failed, now)
                attempt = passwords.decide(
                    exists=row is not None and listed, disabled=bool(row and row.disabled),
                    failures=row.failures if row else 0, locked_until=row.locked_until if row else None,
                    password_ok=passwords.matches(row.password_hash if row else None, password), now=now,
                )  # fmt: skip
                if row is not None:
                    store.accounts.change(session, username, {"failures": attempt.failures,
                                                              "locked_until": attempt.locked_until})  # fmt: skip
            store.accounts.record_sign_in(
                session, at=now, username="(held address)" if held else username[:64], ok=attempt.ok,
                method="password", detail=attempt.detail, source=source[:100],
            )  # fmt: skip
        if held:
            raise TooManyAttempts(
                f"Sign-in refused: more than {passwords.ADDRESS_LIMIT} sign-ins have failed from"
                f" this address in the last {passwords.ADDRESS_WINDOW.seconds // 60} minutes; try"
                " again later, or ask an administrator."
            )
        if attempt.ok:
            return self.ctx.settings.person(username)
        locked = attempt.locked_until if attempt.detail.endswith("locked") else shadow
        if locked is not None:
            until = locked.astimezone(self.ctx.calendar.tz)
            raise SignInRefused(
                f"Sign-in refused: after {passwords.MAX_FAILURES} failed attempts this account is"
                f" locked until {until:%H:%M}. Ask an administrator to reset the password sooner."
            )
        raise SignInRefused("Sign-in refused: the username or password was not accepted.")

    def sign_ins(self, auditor: str, username: str | None = None) -> Iterator[Any]:
        person = self.ctx.settings.person(auditor)
        if AUDITOR not in person.roles:
            raise PermissionDenied(
                f"{person.name} ({auditor}) may not read the sign-in record: it is for people with"
                " the auditor role."
            )
        return store.accounts.sign_ins(self.ctx.engine, username)


def check_first_administrator(settings: Settings, username: str) -> None:
    """Refuse, before anything is asked or written, unless ``username`` is listed under people
    with a role that gives accounts to others (the first account a service has, from which
    every other is added)."""
    person = settings.person(username)
    if not set(passwords.ACCOUNT_ADMINS) & set(person.roles):
        keys = " or ".join(f"roles: [{role}]" for role in passwords.ACCOUNT_ADMINS)
        raise PermissionDenied(
            f"{person.name} ({username}) cannot be the first administrator: they are not an"
            f" {settings.words.roles(passwords.ACCOUNT_ADMINS)}. Give them {keys} under people"
            f" in {settings.path}, then run this again. Nothing was written."
        )
