"""The escalations page a manager works from, and the dashboard that links into it: every escalation they may see, narrowed by team,
stage, workflow, category, deadline window, who raised it and whether it waits for them; sorted,
a page at a time, with how many are late, due today and due this week. The search box on every
page comes here: a reference typed whole goes straight to that escalation.

The page runs the API's ``queue`` operation, so its filters, order and counts are the API's and
the CLI's (``escalate list``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from escalation_engine.app.routes import FILTERS
from escalation_engine.domain import queue
from escalation_engine.domain.labels import upper_first
from escalation_engine.errors import EscalationError, http_status
from escalation_engine.web.base import PageBase, query_of, signed_in

_CHOSEN = tuple(name for name in FILTERS if name not in ("mine", "overdue")) + ("page",)
_WINDOWS = {"overdue": "Overdue", "today": "Due today", "week": "Due this week"}


def link(chosen: dict[str, Any], **changes: Any) -> str:
    """The escalations page with ``chosen`` filters, as changed (``None`` drops one)."""
    kept = {k: v for k, v in (chosen | changes).items() if v not in (None, "", False)}
    encoded = {k: ("true" if v is True else v) for k, v in kept.items()}
    return "/escalations" + (f"?{urlencode(encoded)}" if encoded else "")


class Queues(PageBase):
    """The escalations page, for everyone signed in (each sees what the read rules allow)."""

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/escalations", self.escalations, methods=["GET"]),
            Route("/dashboard", self.dashboard, methods=["GET"]),
        ]

    def _choices(self) -> dict[str, list[tuple[str, str]]]:
        service = self.service
        words, specs = service.words, list(service.workflows.values())
        stages: dict[str, str] = {}
        for spec in specs:
            for name in spec.stage_names:
                stages.setdefault(name, upper_first(words.stage(spec, name)))
        people = service.settings.people.values()
        teams = sorted({p.team for p in people if p.team})
        return {
            "team": [(t, words.team(t)) for t in teams],
            "stage": list(stages.items()),
            "workflow": [(s.name, s.title) for s in sorted(specs, key=lambda s: s.title)],
            "category": list(service.settings.categories.items()),
            "raised_by": sorted(
                ((p.username, p.name) for p in people if "iro" in p.roles), key=lambda pair: pair[1]
            ),  # fmt: skip
            "due": list(_WINDOWS.items()),
            "sort": [(key, upper_first(text)) for key, text in queue.SORTS.items()],
        }

    @signed_in
    async def escalations(self, request: Request, username: str) -> Response:
        person = self.person(username)
        chosen: dict[str, Any] = {}
        try:
            chosen = query_of(request, "queue", _CHOSEN, "the escalations page's filters")
            found = await self.operation(username, "queue", None, chosen)
        except EscalationError as exc:
            return self.render(request, "escalations.html", http_status(exc), person=person,
                               error=str(exc), chosen=chosen, found=None,
                               choices=self._choices(), link=link, windows=_WINDOWS)  # fmt: skip
        searched = str(chosen.get("q", "")).strip().upper()
        if len(found["items"]) == 1 and found["items"][0]["reference"] == searched:
            # A reference typed whole in the search box: straight to it.
            return RedirectResponse(f"/escalations/{searched}", status_code=303)
        return self.render(request, "escalations.html", person=person, chosen=chosen,
                           found=found, choices=self._choices(), link=link,
                           windows=_WINDOWS)  # fmt: skip

    @signed_in
    async def dashboard(self, request: Request, username: str) -> Response:
        person = self.person(username)
        try:
            found = await self.operation(username, "dashboard")
        except EscalationError as exc:
            return self.refused(request, username, exc)
        return self.render(request, "dashboard.html", person=person, found=found, link=link,
                           windows=_WINDOWS)  # fmt: skip
