"""``escalate serve``: the HTTP service, the only holder of the database credentials and the
signing key in a multi-user deployment. It runs behind the council's TLS reverse proxy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.types import ASGIApp

from .. import web
from .api import Api
from .oidc import Oidc
from .pages import Pages
from .security import Guard

if TYPE_CHECKING:
    from ..service import EscalationService

__all__ = ["create_app"]


def create_app(service: EscalationService) -> ASGIApp:
    """The ASGI application over ``service``: the API, behind the security headers and the
    request size limit."""
    server = service.settings.server
    oidc = Oidc(service.settings, server.oidc) if server.oidc is not None else None
    app = Starlette(
        routes=[*Api(service, oidc).routes(), *Pages(service, oidc).routes(),
                *web.routes(service, oidc)]
    )  # fmt: skip
    https = bool(server.url and server.url.startswith("https://"))
    return Guard(app, limit=server.max_request_kb * 1024, https=https)
