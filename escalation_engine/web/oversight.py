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
from escalation_engine.errors import EscalationError, InvalidInput, PermissionDenied, http_status
from escalation_engine.web import forms
from escalation_engine.web.base import SESSION_COOKIE, PageBase, signed_in

#: Looks shown at once; the filters narrow the log.
SHOWN = 200
_LOG_FILTERS = ("viewer", "reference", "from", "to")


def _chosen(request: Request) -> dict[str, str]:
    """The access log's filters from the query string (anything else in it is refused)."""
    chosen: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name not in _LOG_FILTERS:
            raise InvalidInput(f"{name[:40]!r} is not one of the access log's filters.")
        if value.strip():
            chosen[name] = value.strip()[:100]
    return chosen


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
            chosen = _chosen(request)
            status = await self.operation(username, "status")
            looks = await self._looks(username, chosen)
        except EscalationError as exc:
            return self.render(request, "oversight.html", http_status(exc), person=person,
                               error=str(exc), chosen=chosen, health=None)  # fmt: skip
        return self.render(
            request, "oversight.html", person=person, chosen=chosen,
            health=_plain(status_lines(status, desk=True)),
            looks=None if looks is None else grouped_looks(looks[-SHOWN:])[::-1],
            total=0 if looks is None else len(looks), checked=checked,
            download="/oversight/access-log.csv?" + urlencode(chosen),
        )  # fmt: skip

    async def _looks(self, username: str, chosen: dict[str, str]) -> list[dict[str, Any]] | None:
        """The access log as filtered, or ``None`` for someone it is not kept for (the IRO
        manager sees the rest of the page: the log is the auditors')."""
        try:
            looks: list[dict[str, Any]] = await self.operation(username, "access_log", None, chosen)
        except PermissionDenied:
            return None
        return looks

    @signed_in
    async def access_csv(self, request: Request, username: str) -> Response:
        """The access log as filtered, every look, as CSV (for auditors)."""
        try:
            chosen = _chosen(request)
            rows = await self.operation(username, "access_log", None, chosen)
        except EscalationError as exc:
            return self.render(request, "problem.html", http_status(exc),
                               person=self.person(username), error=str(exc))  # fmt: skip
        return Response(access_csv(rows), media_type="text/csv", headers={
            "content-disposition": 'attachment; filename="access-log.csv"'})  # fmt: skip

    @signed_in
    async def verify(self, request: Request, username: str) -> Response:
        try:
            form = await forms.read(request, frozenset())
            forms.require_token(forms.session_token(request.cookies[SESSION_COOKIE]), form)
            report = await self.operation(username, "verify")
        except EscalationError as exc:
            return self.render(request, "problem.html", http_status(exc),
                               person=self.person(username), error=str(exc))  # fmt: skip
        return await self.page(request, _plain(verify_lines(report, desk=True)))
