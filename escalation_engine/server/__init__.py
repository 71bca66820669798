"""``escalate serve``: the HTTP service, the only holder of the database credentials and the
signing key in a multi-user deployment. It runs behind the council's TLS reverse proxy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.types import ASGIApp

from escalation_engine import web
from escalation_engine.domain import passwords
from escalation_engine.server.api import Api
from escalation_engine.server.pages import Pages
from escalation_engine.server.security import Guard
from escalation_engine.web.oidc import Oidc

if TYPE_CHECKING:
    from escalation_engine.service import EscalationService

__all__ = ["create_app"]


def create_app(service: EscalationService) -> ASGIApp:
    """The ASGI application over ``service``: the API, behind the security headers and the
    request size limit."""
    server = service.settings.server
    passwords.prepare()
    oidc = None
    if server.oidc is not None:
        oidc = Oidc(
            service.settings, server.oidc, service.browser_sign_ins, service.device_sign_ins
        )
    app = Starlette(
        routes=[*Api(service, oidc).routes(), *Pages(service, oidc).routes(),
                *web.routes(service, oidc)],
        exception_handlers=web.handlers(service, oidc),
    )  # fmt: skip
    https = bool(server.url and server.url.startswith("https://"))
    return Guard(app, limit=server.max_request_kb * 1024, https=https)
