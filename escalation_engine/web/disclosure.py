"""The data protection pages of the desk: the privacy notice for everyone, and for the data
protection officer a child's subject-access export: a form (the case reference, names or roles,
a page, a PDF or JSON) that downloads what ``escalate subject-access`` writes, through the same
operation, recorded in the access log.

The form is posted, not a link: an export is recorded as a look at every escalation in it, and a
case reference has no place in an address that proxies and browsers keep."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from escalation_engine.app.disclosure import plan_csv
from escalation_engine.app.privacy import TITLE, sections
from escalation_engine.domain.visibility import DATA_PROTECTION
from escalation_engine.errors import EscalationError, InvalidInput, http_status
from escalation_engine.reports.subject_access import page as readable
from escalation_engine.reports.subject_access_pdf import document
from escalation_engine.service.disclosure import EXPORTING
from escalation_engine.web import forms
from escalation_engine.web.base import SESSION_COOKIE, PageBase, signed_in

_FIELDS = frozenset({"case", "names", "format"})
_FORMATS = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
}


class Disclosure(PageBase):
    """The subject-access page (the data protection officer's; others are told whose it is)."""

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/subject-access", self.page, methods=["GET"]),
            Route("/subject-access", self.export, methods=["POST"]),
            Route("/privacy", self.privacy, methods=["GET"]),
            Route("/retention", self.retention, methods=["GET"]),
            Route("/retention.csv", self.retention_csv, methods=["GET"]),
        ]

    @signed_in
    async def retention(self, request: Request, username: str) -> Response:
        """When each closed escalation's text falls due under the schedule in config.yaml."""
        person = self.person(username)
        try:
            found = await self.operation(username, "retention_plan")
        except EscalationError as exc:
            return self.refused(request, username, exc)
        schedule = self.service.settings.retention
        return self.render(request, "retention.html", person=person, due=found["due"],
                           scheduled=schedule.set)  # fmt: skip

    @signed_in
    async def retention_csv(self, request: Request, username: str) -> Response:
        try:
            found = await self.operation(username, "retention_plan")
        except EscalationError as exc:
            return self.refused(request, username, exc)
        return Response(plan_csv(found), media_type="text/csv", headers={
            "content-disposition": 'attachment; filename="retention-plan.csv"'})  # fmt: skip

    @signed_in
    async def privacy(self, request: Request, username: str) -> Response:
        """This service's privacy notice, written from its config.yaml, for everyone signed in."""
        return self.render(request, "privacy.html", person=self.person(username), title=TITLE,
                           sections=sections(self.service.settings))  # fmt: skip

    @signed_in
    async def page(
        self, request: Request, username: str, problem: EscalationError | None = None,
        sent: dict[str, str] | None = None,
    ) -> Response:  # fmt: skip
        try:
            self.service.viewing.require_role(username, (DATA_PROTECTION,), EXPORTING)
        except EscalationError as exc:
            return self.refused(request, username, exc)
        return self.render(
            request, "subject_access.html", http_status(problem) if problem else 200,
            person=self.person(username), sent=sent or {"names": "people", "format": "html"},
            error=str(problem) if problem else None,
            error_href="case" if problem and (sent or {}).get("case") is not None else None,
        )  # fmt: skip

    @signed_in
    async def export(self, request: Request, username: str) -> Response:
        """The export of the case asked for, as a file to save."""
        sent: dict[str, str] = {}
        try:
            form = await forms.read(request, _FIELDS)
            forms.require_token(forms.session_token(request.cookies[SESSION_COOKIE]), form)
            sent = {k: str(form.get(k, "")).strip() for k in ("case", "names", "format")}
            if sent["format"] not in _FORMATS:
                raise InvalidInput("Choose a page, a PDF or JSON, then export again.")
            if not sent["case"]:
                raise InvalidInput("Enter the child's case reference, for example CLA-123456.")
            found: dict[str, Any] = await self.operation(
                username, "subject_access", {"case": sent["case"]}, {"names": sent["names"]}
            )
        except EscalationError as exc:
            return await self.page(request, exc, sent)
        suffix = sent["format"]
        if suffix == "pdf":
            body: str | bytes = await self.work(document, found)
        else:
            body = readable(found) if suffix == "html" else json.dumps(found, indent=2) + "\n"
        return Response(body, media_type=_FORMATS[suffix], headers={
            "content-disposition": f'attachment; filename="{found["case"]}.{suffix}"',
            "cache-control": "no-store",
        })  # fmt: skip
