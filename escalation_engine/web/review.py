"""The pages for reviewing: the trail across escalations, searched with the filters of
``escalate audit`` a page at a time and downloaded as CSV, with the same read rules and access
log (a page seen and a download are recorded as the API records them)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from .. import operations, trail_export
from ..errors import EscalationError, http_status
from .base import PageBase, query_of

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

    async def trail(self, request: Request) -> Response:
        username = await self.who(request)
        if username is None:
            return self.to_sign_in(request)
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

    async def trail_csv(self, request: Request) -> Response:
        username = await self.who(request)
        if username is None:
            return self.to_sign_in(request)
        try:
            chosen = filters_of(request)
            chosen.pop("after", None)
            # The first page is read before answering, so a refusal is a page, not a broken file.
            first = await self.operation(username, "search", None, chosen)
        except EscalationError as exc:
            return self.render(request, "problem.html", http_status(exc),
                               person=self.person(username), error=str(exc))  # fmt: skip
        return StreamingResponse(
            _lines(self._entries(username, chosen, first)), media_type="text/csv",
            headers={"content-disposition": 'attachment; filename="trail.csv"'},
        )  # fmt: skip

    def _entries(
        self, username: str, chosen: dict[str, Any], page: dict[str, Any]
    ) -> Iterator[dict[str, Any]]:
        """Every entry the filters keep, a page at a time (memory stays flat)."""
        while True:
            yield from page["entries"]
            if page["next"] is None:
                return
            page = operations.run(self.service, username, "search", None,
                                  chosen | {"after": page["next"]})  # fmt: skip


def _lines(entries: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in trail_export.rows(entries):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
