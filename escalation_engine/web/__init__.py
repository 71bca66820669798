"""The managers' desk: pages served by ``escalate serve`` for people who will not use a command
line. Server-rendered (Jinja2) to the GOV.UK Design System's styles, working without JavaScript,
over the same operations, read model and rules as the API (``operations.run``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import BaseRoute

from .desk import Desk
from .oversight import Oversight
from .reporting import ReportPages
from .review import Review

if TYPE_CHECKING:
    from ..server.oidc import Oidc
    from ..service import EscalationService

__all__ = ["routes"]


def routes(service: EscalationService, oidc: Oidc | None) -> list[BaseRoute]:
    """Every page of the desk."""
    return [
        *Desk(service, oidc).routes(),
        *Review(service, oidc).routes(),
        *ReportPages(service, oidc).routes(),
        *Oversight(service, oidc).routes(),
    ]
