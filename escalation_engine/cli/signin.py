"""Signing in to the server from the CLI: ``escalate login``, ``logout`` and ``whoami``."""

from __future__ import annotations

import getpass
import sys
from contextlib import suppress
from datetime import datetime
from typing import Annotated, Any

import typer

from escalation_engine.cli.backend import connect, server
from escalation_engine.cli.common import AsUser, Json, app, emit_json, escape, out
from escalation_engine.errors import ConfigError


def _password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    return sys.stdin.readline().rstrip("\n")


@app.command()
def login(
    server_url: Annotated[
        str | None,
        typer.Option("--server", metavar="URL", help="The service's address (default: config)."),
    ] = None,
    username: Annotated[
        str | None,
        typer.Option("--username", "-u", help="Your username (default: your computer login)."),
    ] = None,
    sso: Annotated[
        bool,
        typer.Option("--sso", help="Sign in with the council's identity provider, in a browser."),
    ] = False,
) -> None:
    """Sign in to the server; the sign-in is kept, readable by you only, until it expires.
    The password is asked for (or read from standard input when it is not a terminal).

    Example: escalate login --server https://escalations.example.gov.uk
    """
    from escalation_engine.cli.client import SignedIn, request, save
    from escalation_engine.settings.fields import web_address

    url = (
        web_address(server_url, "--server", "the service's address").rstrip("/")
        if server_url
        else server()
    )
    if url is None:
        raise ConfigError(
            "No server to sign in to: give --server URL, set ESCALATE_SERVER, or put"
            " server: {url: ...} in config.yaml. Without a server, commands work on the local"
            " database and need no sign-in."
        )
    if sso:
        answer = _device_sign_in(url)
    else:
        name = username or getpass.getuser()
        answer = request(url, "POST", "/api/v1/sessions",
                         json={"username": name, "password": _password()})  # fmt: skip
    signed = SignedIn(server=url, token=answer["token"], username=answer["username"],
                      expires_at=datetime.fromisoformat(answer["expires_at"]))  # fmt: skip
    path = save(signed)
    out.print(
        f"Signed in to {escape(url)} as {escape(answer['name'])} ({escape(signed.username)})"
        f" until {signed.expires_at:%H:%M %d %b %Y}; kept in {escape(str(path))}."
    )


def _device_sign_in(url: str) -> dict[str, Any]:
    """Device authorization: the person approves this sign-in in any browser, with a code."""
    import time

    from escalation_engine.cli.client import request
    from escalation_engine.errors import SignInRefused

    started = request(url, "POST", "/api/v1/device")
    where = started.get("verification_uri_complete") or started["verification_uri"]
    out.print(
        f"To sign in, open {escape(where)} and enter the code {escape(started['user_code'])}."
    )
    sys.stdout.flush()
    deadline = time.monotonic() + int(started["expires_in"])
    while time.monotonic() < deadline:
        time.sleep(max(1, int(started["interval"])))
        answer = request(url, "POST", "/api/v1/device/poll", json={"handle": started["handle"]})
        if not answer.get("pending"):
            result: dict[str, Any] = answer
            return result
    raise SignInRefused("The code was not used in time; run 'escalate login --sso' again.")


@app.command()
def logout() -> None:
    """Sign out: the server ends the sign-in and this computer forgets it.

    Example: escalate logout
    """
    from escalation_engine.cli.client import forget, load, request
    from escalation_engine.errors import EscalationError

    url = server()
    # Already ended, expired or unreadable: forgetting it is all that is left to do.
    with suppress(EscalationError):
        if url is not None:
            request(url, "DELETE", "/api/v1/sessions/current", token=load(url).token)
    out.print("Signed out." if forget() else "You were not signed in.")


@app.command()
def whoami(as_user: AsUser = None, as_json: Json = False) -> None:
    """Say who you act as: the person signed in to the server, or here your computer login.

    Example: escalate whoami
    """
    backend = connect(as_user)
    me = backend.call("me")
    if as_json:
        emit_json(me | {"server": server() if backend.remote else None})
        return
    where = f" on {server()}" if backend.remote else " (direct mode, on this computer's database)"
    out.print(
        f"{escape(me['name'])} ({escape(me['username'])}), {escape(', '.join(me['roles']))}{where}."
    )
