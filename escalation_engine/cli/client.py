"""The CLI as a client of ``escalate serve``: where the server is, the sign-in kept between
commands, and calls to the API.

Only the HTTP client and the standard library are imported: a client machine holds no database
credentials and loads no database layer. The sign-in is kept in the user's config directory,
readable by its owner alone, and is refused if anyone else could have read or written it.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from escalation_engine.app.routes import ROUTES, check_params
from escalation_engine.errors import ConfigError, EscalationError, SignInRefused

SERVER_ENV = "ESCALATE_SERVER"
MAX_CONFIG = 1_000_000
TIMEOUT = 30.0
#: For a call that checks the whole trail (every signature, the replay, the counts): about three
#: minutes a million entries on two cores, so half an hour leaves room for a slower machine.
SLOW_TIMEOUT = 1_800.0


class ServerRefused(EscalationError):
    """The server refused a request; its message says why, and ``field`` which input it is
    about, where it is about one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def session_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "escalate" / "session.json"


def remembered_server() -> str | None:
    """The server this user last signed in to, kept with the sign-in: on an IRO's laptop, with
    no service folder, ``escalate login --server URL`` is remembered for the next commands. A
    kept sign-in someone else could have written is never followed."""
    from escalation_engine.settings.fields import web_address

    path = session_file()
    try:
        info = path.stat()
        if info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077 or info.st_size > 4096:
            return None
        server = json.loads(path.read_text(encoding="utf-8"))["server"]
        return web_address(str(server), "the kept sign-in", "the service's address").rstrip("/")
    except (OSError, ValueError, KeyError, TypeError, ConfigError):
        return None


def configured_server(config: Path | None) -> str | None:
    """``$ESCALATE_SERVER``, else ``server.url`` in config.yaml, else (with no config.yaml at
    all) the server last signed in to, else none (direct mode)."""
    from escalation_engine.settings.fields import web_address

    given = os.environ.get(SERVER_ENV)
    if given:
        return web_address(given, SERVER_ENV, "the service's address").rstrip("/")
    if config is None:
        return remembered_server()
    if not config.is_file() or config.stat().st_size > MAX_CONFIG:
        return None
    import yaml

    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):  # a bad date is a ValueError
        return None  # direct mode reads it again and says what is wrong with it
    server = data.get("server") if isinstance(data, dict) else None
    url = server.get("url") if isinstance(server, dict) else None
    return (
        web_address(url, f"{config}: server.url", "the service's address").rstrip("/")
        if url
        else None
    )


@dataclass(frozen=True, slots=True)
class SignedIn:
    server: str
    token: str
    username: str
    expires_at: datetime


def save(signed: SignedIn) -> Path:
    """Keep the sign-in, readable by its owner only, replacing any earlier one."""
    path = session_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    temporary = path.with_name(f".session.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"server": signed.server, "token": signed.token, "username": signed.username,
                   "expires_at": signed.expires_at.isoformat()}, handle)  # fmt: skip
    os.replace(temporary, path)
    return path


def forget() -> bool:
    path = session_file()
    if not path.exists():
        return False
    path.unlink()
    return True


def load(server: str) -> SignedIn:
    """The kept sign-in for ``server``; refused when there is none, it has expired, it is for
    another server, or the file could have been read or written by someone else."""
    path = session_file()
    hint = f"run 'escalate login --server {server}'"
    try:
        info = path.stat()
    except FileNotFoundError:
        raise SignInRefused(f"You are not signed in to {server}; {hint}.") from None
    if info.st_uid != os.getuid():
        raise SignInRefused(
            f"{path} belongs to another user, so it is not used: a sign-in is never borrowed."
            f" Delete it, then {hint}."
        )
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise SignInRefused(
            f"{path} can be read by others (mode {stat.S_IMODE(info.st_mode):04o}), so it is not"
            f" used. Delete it, then {hint}."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        signed = SignedIn(server=data["server"], token=data["token"], username=data["username"],
                          expires_at=datetime.fromisoformat(data["expires_at"]))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        raise SignInRefused(f"{path} is not a sign-in this version wrote; {hint}.") from None
    if signed.server != server:
        raise SignInRefused(f"You are signed in to {signed.server}, not {server}; {hint}.")
    if signed.expires_at <= datetime.now(UTC):
        raise SignInRefused(f"Your sign-in to {server} expired; {hint}.")
    return signed


def request(
    server: str,
    method: str,
    url: str,
    *,
    token: str | None = None,
    slow: bool = False,
    **kwargs: Any,
) -> Any:
    """One call to the server; its refusal raised with the server's own words."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    wait = SLOW_TIMEOUT if slow else TIMEOUT
    try:
        response = httpx.request(method, server + url, headers=headers, timeout=wait, **kwargs)
    except httpx.HTTPError as exc:
        raise ConfigError(
            f"Cannot reach the server at {server} ({type(exc).__name__}); check server.url in"
            f" config.yaml or {SERVER_ENV}, and that the service is running."
        ) from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.is_success:
        return body
    message = body.get("error") if isinstance(body, dict) else None
    message = message or f"The server answered {response.status_code} {response.reason_phrase}."
    if response.status_code == 401:
        raise SignInRefused(f"{message} Run 'escalate login' to sign in.")
    field = body.get("field") if isinstance(body, dict) else None
    raise ServerRefused(str(message), field if isinstance(field, str) else None)


class Remote:
    """Commands run on the server, as whoever signed in on this computer."""

    remote = True

    def __init__(self, server: str) -> None:
        self.server = server
        self.signed = load(server)

    def call(self, name: str, path: dict[str, str] | None = None, /, **params: Any) -> Any:
        route = ROUTES[name]
        given = {key: value for key, value in params.items() if value is not None}
        check_params(route, given)
        url = route.url(**(path or {}))
        if route.method == "GET":
            query = {k: ("true" if v is True else "false" if v is False else str(v))
                     for k, v in given.items()}  # fmt: skip
            return request(self.server, "GET", url, token=self.signed.token, params=query)
        return request(
            self.server, route.method, url, token=self.signed.token, slow=route.slow, json=given
        )
