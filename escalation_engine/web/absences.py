"""Away and back on the desk: a manager marks someone in their line away (what is with them goes
at once to their stand-in or manager) and back again, as ``escalate away`` and ``escalate back``
do, through the same operations and the same rule: only the person, or someone up their line of
management, may mark them. The page offers each person exactly those they may mark."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from escalation_engine.domain.absences import managers_of
from escalation_engine.errors import EscalationError, InvalidInput, http_status
from escalation_engine.web import forms
from escalation_engine.web.base import SESSION_COOKIE, PageBase, signed_in

#: What a form may send, and the two states it may ask for.
_FIELDS = frozenset({"state", "until", "note"})
_STATES = ("away", "back")


class Absences(PageBase):
    """The away-and-back page, for everyone signed in (each sees those they may mark)."""

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/away", self.page, methods=["GET"]),
            Route("/away/{person}", self.mark, methods=["POST"]),
        ]

    def _marked_by(self, username: str) -> list[Any]:
        """Those ``username`` may mark away or back: themself, and everyone in their line."""
        people = self.service.people_now()
        return [
            p for p in sorted(people.values(), key=lambda p: p.name)
            if p.username == username or username in managers_of(people, p.username)
        ]  # fmt: skip

    @signed_in
    async def page(
        self, request: Request, username: str, problem: EscalationError | None = None,
        sent: dict[str, str] | None = None,
    ) -> Response:  # fmt: skip
        done = request.query_params.get("done", "")
        who = request.query_params.get("person", "")
        mine = await self.work(self._marked_by, username)
        gone = await self.operation(username, "away_list")
        named = {p.username: p.name for p in mine}
        said = f"{named[who]} is marked {done}." if done in _STATES and who in named else ""
        failed = (sent or {}).get("person", "")
        return self.render(
            request, "away.html", http_status(problem) if problem else 200,
            person=self.person(username), mine=mine, gone=gone, said=said,
            error=str(problem) if problem else None, sent=sent or {},
            error_href=f"until-{failed}" if problem and failed else None,
        )  # fmt: skip

    @signed_in
    async def mark(self, request: Request, username: str) -> Response:
        """Mark the person in the address away (with an optional last day) or back."""
        person = str(request.path_params["person"])[:100]
        sent: dict[str, str] = {"person": person}
        try:
            form = await forms.read(request, _FIELDS)
            forms.require_token(forms.session_token(request.cookies[SESSION_COOKIE]), form)
            sent |= {k: str(form.get(k, "")) for k in ("until", "note")}
            state = str(form.get("state", ""))
            if state not in _STATES:
                raise InvalidInput("Choose to mark them away or back, then send again.")
            params: dict[str, Any] = {"note": sent["note"].strip()}
            if state == "away" and sent["until"].strip():
                params["until"] = sent["until"].strip()
            await self.operation(username, state, {"person": person}, params)
        except EscalationError as exc:
            return await self.page(request, exc, sent)
        return RedirectResponse(
            f"/away?{urlencode({'done': state, 'person': person})}", status_code=303
        )
