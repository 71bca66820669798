"""For auditors and the IRO manager: the worker's status and the notifications not yet
delivered, ``audit verify`` with its result and the last checkpoint, and the access log (who
looked at which escalation). The sentences are the ones ``escalate status`` and ``escalate
audit verify`` print, without their colours."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from rich.text import Text
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from escalation_engine.app.oversight import access_csv, grouped_looks, status_lines, verify_lines
from escalation_engine.app.routes import LOG_FILTERS
from escalation_engine.errors import EscalationError, PermissionDenied, http_status
from escalation_engine.web import forms
from escalation_engine.web.base import SESSION_COOKIE, PageBase, query_of, signed_in

#: The access log's filters, as the query string names them.
_FILTERS = tuple(LOG_FILTERS)


def _chosen(request: Request, route: str = "access_log") -> dict[str, Any]:
    """The access log's filters (and, for a page of it, where the page starts) from the query
    string; anything else in it is refused."""
    names = _FILTERS + (("before",) if route == "access_page" else ())
    return query_of(request, route, names, "the access log's filters")


def _plain(lines: list[tuple[bool, str]]) -> list[dict[str, Any]]:
    return [{"problem": problem, "text": Text.from_markup(line).plain} for problem, line in lines]


class Oversight(PageBase):
    def routes(self) -> list[BaseRoute]:
        return [
            Route("/oversight", self.page, methods=["GET"]),
            Route("/oversight/verify", self.verify, methods=["POST"]),
            Route("/oversight/access-log.csv", self.access_csv, methods=["GET"]),
        ]

    @signed_in
    async def page(
        self, request: Request, username: str, checked: list[dict[str, Any]] | None = None
    ) -> Response:
        person, chosen = self.person(username), {}
        try:
            chosen = _chosen(request, "access_page")
            status = await self.operation(username, "status")
            found = await self._looks(username, chosen)
        except EscalationError as exc:
            return self.render(request, "oversight.html", http_status(exc), person=person,
                               error=str(exc), chosen=chosen, health=None)  # fmt: skip
        filters = {name: value for name, value in chosen.items() if name != "before"}
        here = "/oversight?" + urlencode(filters)
        return self.render(
            request, "oversight.html", person=person, chosen=filters,
            health=_plain(status_lines(status, desk=True)),
            looks=None if found is None else grouped_looks(found["looks"]),
            older=None if found is None or found["older"] is None
            else here + "&" * bool(filters) + urlencode({"before": found["older"]}),
            latest=here if "before" in chosen else None, checked=checked,
            download="/oversight/access-log.csv?" + urlencode(filters),
        )  # fmt: skip

    async def _looks(self, username: str, chosen: dict[str, Any]) -> dict[str, Any] | None:
        """A page of the access log as filtered, or ``None`` for someone it is not kept for (the
        IRO manager sees the rest of the page: the log is the auditors')."""
        try:
            found: dict[str, Any] = await self.operation(username, "access_page", None, chosen)
        except PermissionDenied:
            return None
        return found

    @signed_in
    async def access_csv(self, request: Request, username: str) -> Response:
        """The access log as filtered, every look, as CSV (for auditors)."""
        try:
            chosen = _chosen(request)
            rows = await self.operation(username, "access_log", None, chosen)
        except EscalationError as exc:
            return self.refused(request, username, exc)
        return Response(access_csv(rows), media_type="text/csv", headers={
            "content-disposition": 'attachment; filename="access-log.csv"'})  # fmt: skip

    @signed_in
    async def verify(self, request: Request, username: str) -> Response:
        try:
            form = await forms.read(request, frozenset())
            forms.require_token(forms.session_token(request.cookies[SESSION_COOKIE]), form)
            report = await self.operation(username, "verify")
        except EscalationError as exc:
            return self.refused(request, username, exc)
        return await self.page(request, _plain(verify_lines(report, desk=True)))
