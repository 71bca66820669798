"""The managers' desk: pages served by ``escalate serve`` for people who will not use a command
line. Server-rendered (Jinja2) to the GOV.UK Design System's styles, working without JavaScript,
over the same operations, read model and rules as the API (``operations.run``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from escalation_engine.web.absences import Absences
from escalation_engine.web.desk import Desk
from escalation_engine.web.disclosure import Disclosure
from escalation_engine.web.missing import Missing
from escalation_engine.web.oversight import Oversight
from escalation_engine.web.queues import Queues
from escalation_engine.web.redaction import Redaction
from escalation_engine.web.reporting import ReportPages
from escalation_engine.web.review import Review

if TYPE_CHECKING:
    from escalation_engine.service import EscalationService
    from escalation_engine.web.oidc import Oidc

__all__ = ["handlers", "routes"]


def routes(service: EscalationService, oidc: Oidc | None) -> list[BaseRoute]:
    """Every page of the desk."""
    return [
        *Queues(service, oidc).routes(),
        *Desk(service, oidc).routes(),
        *Review(service, oidc).routes(),
        *ReportPages(service, oidc).routes(),
        *Oversight(service, oidc).routes(),
        *Absences(service, oidc).routes(),
        *Disclosure(service, oidc).routes(),
        *Redaction(service, oidc).routes(),
    ]


def handlers(
    service: EscalationService, oidc: Oidc | None
) -> dict[Any, Callable[[Request, Exception], Awaitable[Response]]]:
    """The pages for an address not found (404) or used the wrong way (405)."""
    missing = Missing(service, oidc)
    return {404: missing.handle, 405: missing.handle}
