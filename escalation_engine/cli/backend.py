"""Where a command runs: on the server named in config.yaml or ``$ESCALATE_SERVER`` (client mode,
as whoever signed in with ``escalate login``), else here on the local database (direct mode)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from escalation_engine.cli.common import STATE
from escalation_engine.errors import ConfigError, PermissionDenied

if TYPE_CHECKING:
    from escalation_engine.service import EscalationService


class Backend(Protocol):
    remote: bool

    def call(self, name: str, path: dict[str, str] | None = None, /, **params: Any) -> Any: ...


class Local:
    """Operations run in this process on the local database, as the computer login."""

    remote = False

    def __init__(self, service: EscalationService, username: str) -> None:
        self.service = service
        self.username = username

    def call(self, name: str, path: dict[str, str] | None = None, /, **params: Any) -> Any:
        from escalation_engine.app import operations

        return operations.run(self.service, self.username, name, path, params)


def server() -> str | None:
    """The server this computer uses, if any."""
    from escalation_engine.cli.client import configured_server
    from escalation_engine.settings.config import find_config

    try:
        config = find_config(STATE.config)
    except ConfigError:
        config = None
    return configured_server(config)


def remote() -> Backend | None:
    """The server's API, as whoever signed in, when this computer uses one; else ``None``."""
    url = server()
    if url is None:
        return None
    from escalation_engine.cli.client import Remote

    return Remote(url)


def connect(as_user: str | None) -> Backend:
    url = server()
    if url is not None:
        if as_user is not None:
            raise PermissionDenied(
                f"Acting as {as_user!r} (--as or ESCALATE_USER) is refused: this computer uses the"
                f" server at {url}, where you act only as the person who signed in. Leave out --as"
                " (and unset ESCALATE_USER); 'escalate login' signs you in as yourself."
            )
        from escalation_engine.cli.client import Remote

        return Remote(url)
    from escalation_engine.cli.common import acting_user, open_service

    service = open_service()
    return Local(service, acting_user(as_user, service))
