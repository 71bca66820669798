"""The pages for reviewing: the trail across escalations, searched with the filters of
``escalate audit`` a page at a time and downloaded as CSV, with the same read rules and access
log (a page seen and a download are recorded as the API records them)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from escalation_engine.app import operations
from escalation_engine.errors import EscalationError, http_status
from escalation_engine.reports import trail_csv
from escalation_engine.web.base import PageBase, query_of, signed_in

#: Entries on one page of the trail.
PAGE = 50
_FILTERS = ("from", "to", "year", "child", "person", "team", "workflow", "type", "category",
            "stage", "action", "outcome")  # fmt: skip


def filters_of(request: Request) -> dict[str, Any]:
    """The trail's filters from the query string (anything else in it is refused)."""
    return query_of(request, "search", (*_FILTERS, "after"), "the trail's filters")


class Review(PageBase):
    """The trail, for the IRO manager, auditors and anyone within the read rules."""

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/trail", self.trail, methods=["GET"]),
            Route("/trail.csv", self.trail_csv, methods=["GET"]),
        ]

    @signed_in
    async def trail(self, request: Request, username: str) -> Response:
        person = self.person(username)
        chosen: dict[str, Any] = {}
        try:
            chosen = filters_of(request)
            found = await self.operation(username, "search", None, chosen | {"limit": PAGE})
        except EscalationError as exc:
            return self.render(request, "trail.html", http_status(exc), person=person,
                               error=str(exc), chosen=chosen, entries=[], more=None,
                               download=None)  # fmt: skip
        kept = {k: v for k, v in chosen.items() if k != "after"}
        more = (
            None
            if found["next"] is None
            else "/trail?" + urlencode(kept | {"after": found["next"]})
        )
        return self.render(request, "trail.html", person=person, chosen=kept,
                           entries=found["entries"], more=more,
                           download="/trail.csv?" + urlencode(kept))  # fmt: skip

    @signed_in
    async def trail_csv(self, request: Request, username: str) -> Response:
        try:
            chosen = filters_of(request)
            chosen.pop("after", None)
            # The first page is read before answering, so a refusal is a page, not a broken file.
            first = await self.operation(username, "search", None, chosen)
        except EscalationError as exc:
            return self.refused(request, username, exc)
        return StreamingResponse(
            self._csv(username, chosen, first), media_type="text/csv",
            headers={"content-disposition": 'attachment; filename="trail.csv"'},
        )  # fmt: skip

    async def _csv(
        self, username: str, chosen: dict[str, Any], page: dict[str, Any]
    ) -> AsyncIterator[str]:
        """Every entry the filters keep, as CSV a page at a time (memory stays flat), each page
        read in the process's database threads like any other page's work."""
        yield await self.work(_text, page["entries"], True)
        while page["next"] is not None:
            page, text = await self.work(self._following, username, chosen, page["next"])
            yield text

    def _following(
        self, username: str, chosen: dict[str, Any], after: int
    ) -> tuple[dict[str, Any], str]:
        page = operations.run(self.service, username, "search", None, chosen | {"after": after})
        return page, _text(page["entries"], False)


def _text(entries: list[dict[str, Any]], heading: bool) -> str:
    """``entries`` as lines of CSV, after the heading when ``heading``."""
    buffer = io.StringIO()
    lines = trail_csv.rows(entries)
    if not heading:
        next(lines)
    csv.writer(buffer).writerows(lines)
    return buffer.getvalue()
