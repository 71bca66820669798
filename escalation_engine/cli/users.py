"""``escalate user``: local accounts (add, passwd, disable, enable) and the sign-in record."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from escalation_engine.cli.common import (
    App,
    AsUser,
    Group,
    Json,
    acting_user,
    app,
    emit_json,
    escape,
    open_service,
    out,
)

user_app = App(
    cls=Group,
    help="Local accounts, for services without an identity provider.",
    no_args_is_help=True,
)
app.add_typer(user_app, name="user")

PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from standard input (for scripts), not a prompt.",
    ),
]
Username = Annotated[
    str, typer.Argument(metavar="USERNAME", help="A username listed under people in config.yaml.")
]


def new_password(from_stdin: bool) -> str:
    """A new password: a line of standard input (scripts), or typed twice at a prompt."""
    if from_stdin:
        return sys.stdin.readline(1_000).rstrip("\n")
    value: str = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    return value


@user_app.command("add")
def user_add(
    username: Username, password_stdin: PasswordStdin = False, as_user: AsUser = None
) -> None:
    """Give someone listed under people a local account (Argon2id; locked for 15 minutes after
    5 failed sign-ins).

    Example: escalate user add jo
    """
    service = open_service()
    by = acting_user(as_user, service)
    service.accounts.may_manage(by, username, "add")  # before asking for a password
    service.accounts.add_account(by, username, new_password(password_stdin))
    out.print(f"{escape(service.words.person(username))} can now sign in as {username}.")


@user_app.command("passwd")
def user_passwd(
    username: Username, password_stdin: PasswordStdin = False, as_user: AsUser = None
) -> None:
    """Set a new password (your own, or as an administrator anyone's); lifts a lockout.

    Example: escalate user passwd jo
    """
    service = open_service()
    by = acting_user(as_user, service)
    service.accounts.may_manage(by, username, "change")  # before asking for a password
    service.accounts.set_password(by, username, new_password(password_stdin))
    out.print(f"New password set for {username}.")


def _switch(username: str, as_user: str | None, *, disabled: bool) -> None:
    service = open_service()
    service.accounts.set_disabled(acting_user(as_user, service), username, disabled)
    out.print(f"{username} can {'no longer sign in' if disabled else 'sign in again'}.")


@user_app.command("disable")
def user_disable(username: Username, as_user: AsUser = None) -> None:
    """Stop an account signing in (someone who has left); its history is kept.

    Example: escalate user disable jo
    """
    _switch(username, as_user, disabled=True)


@user_app.command("enable")
def user_enable(username: Username, as_user: AsUser = None) -> None:
    """Let a disabled account sign in again.

    Example: escalate user enable jo
    """
    _switch(username, as_user, disabled=False)


@user_app.command("sign-ins")
def user_sign_ins(
    username: Annotated[str | None, typer.Argument(help="Only this person's.")] = None,
    as_user: AsUser = None,
    as_json: Json = False,
) -> None:
    """Every sign-in attempt, successful or not (auditors only).

    Example: escalate user sign-ins jo
    """
    service = open_service()
    rows = service.accounts.sign_ins(acting_user(as_user, service), username)
    if as_json:
        emit_json([{"at": r.at.isoformat(), "username": r.username, "ok": r.ok, "method": r.method,
                    "detail": r.detail, "source": r.source} for r in rows])  # fmt: skip
        return
    for r in rows:
        when = r.at.astimezone(service.calendar.tz)
        mark = "[green]ok[/green]" if r.ok else "[red]refused[/red]"
        out.print(
            f"{when:%d %b %Y %H:%M}  {escape(r.username)}  {mark}  {escape(r.detail)} ({escape(r.source)})"
        )
