"""The desk's pages: sign-in with a local account, the inbox, one escalation and its actions.

Each page asks the same operation the API runs (``operations.run``) as the person whose session
cookie came with the request, and renders its read model; each form posts back with its token
(``forms.py``). A refusal is shown on the page it came from, saying what to do; nothing is
written when a form is refused."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from escalation_engine.app import operations, sentences
from escalation_engine.domain.actions import catalogue
from escalation_engine.errors import EscalationError, InvalidInput, SignInRefused, http_status
from escalation_engine.web import forms, raising
from escalation_engine.web.actionforms import (
    Sent,
    error_href,
    fields_posted,
    forms_for,
    params_of,
    typed,
)
from escalation_engine.web.base import (
    HERE,
    SESSION_COOKIE,
    PageBase,
    query_of,
    set_session,
    signed_in,
)

_SIGN_IN_FIELDS = frozenset({"username", "password", "next"})


class Desk(PageBase):
    """Signing in, the inbox, raising, and one escalation with its actions."""

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/", self.home, methods=["GET"]),
            Route("/sign-in", self.sign_in_page, methods=["GET"]),
            Route("/sign-in", self.sign_in, methods=["POST"]),
            Route("/inbox", self.inbox, methods=["GET"]),
            Route("/raise", self.raise_page, methods=["GET"]),
            Route("/raise", self.raise_alert, methods=["POST"]),
            Route("/escalations/{reference}", self.escalation, methods=["GET"]),
            Route("/escalations/{reference}/actions/{action}", self.act, methods=["POST"]),
            Route("/escalations/{reference}/watch", self.watch, methods=["POST"]),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]

    # --- sign-in -------------------------------------------------------------------------
    async def home(self, request: Request) -> Response:
        return RedirectResponse("/inbox", status_code=303)

    async def sign_in_page(
        self, request: Request, error: str | None = None, status: int = 200,
        going: str | None = None,
    ) -> Response:  # fmt: skip
        """The sign-in form, taking whoever signs in on to ``going`` (a refused try's) or the
        page that sent them here (the link in their email)."""
        pre = forms.fresh_token()
        response = self.render(
            request, "sign_in.html", status, token=pre, error=error,
            next=forms.safe_next(going if going else request.query_params.get("next")),
            provider=self.oidc.config.name if self.oidc is not None else None,
        )  # fmt: skip
        response.set_cookie(forms.PRE_SESSION_COOKIE, pre, max_age=1800, path="/sign-in",
                            secure=True, httponly=True, samesite="strict")  # fmt: skip
        return response

    async def sign_in(self, request: Request) -> Response:
        source = request.client.host if request.client else "unknown"
        going = ""
        try:
            form = await forms.read(request, _SIGN_IN_FIELDS)
            going = str(form.get("next", ""))
            forms.require_token(request.cookies.get(forms.PRE_SESSION_COOKIE, ""), form)
            username, password = str(form.get("username", "")), str(form.get("password", ""))
            if not username or not password or len(username) > 64 or len(password) > 1024:
                raise SignInRefused("Enter your username and password.")
            person = await self.work(
                self.service.accounts.sign_in, username.strip(), password, source=source
            )
            token, _ = await self.work(
                self.service.sessions.start_session, person.username, "password"
            )
        except EscalationError as exc:  # where they were going is kept for the next try
            return await self.sign_in_page(request, str(exc), http_status(exc), going)
        response = RedirectResponse(forms.safe_next(str(form.get("next", ""))), status_code=303)
        response.delete_cookie(forms.PRE_SESSION_COOKIE, path="/sign-in")
        set_session(response, token, self.service.settings.server.token_hours)
        return response

    # --- pages ---------------------------------------------------------------------------
    @signed_in
    async def inbox(self, request: Request, username: str) -> Response:
        try:
            chosen = query_of(request, "inbox", ("list", "page"), "the inbox's choices")
            found = await self.operation(username, "inbox", None, chosen)
        except EscalationError as exc:
            return self.refused(request, username, exc)
        lists = {
            name: {"shown": found[name], "more": found[f"{name}_more"],
                   "total": found[f"{name}_total"]}
            for name in operations.INBOX_LISTS
        }  # fmt: skip
        return self.render(request, "inbox.html", person=self.person(username), lists=lists,
                           list=found["list"], page=found["page"], pages=found["pages"])  # fmt: skip

    @signed_in
    async def raise_page(
        self, request: Request, username: str, refused: EscalationError | None = None,
        sent: dict[str, str] | None = None,
    ) -> Response:  # fmt: skip
        choices = raising.choices(self.service, username)
        return self.render(
            request, "raise.html", http_status(refused) if refused else 200,
            person=self.person(username), error=str(refused) if refused else None,
            error_href=raising.field_of(refused, choices), sent=sent or {}, **choices,
        )  # fmt: skip

    @signed_in
    async def raise_alert(self, request: Request, username: str) -> Response:
        sent: dict[str, str] = {}
        try:
            form = await forms.read(request, raising.fields(self.service))
            sent = {name: str(value) for name, value in form.items() if name != forms.FIELD}
            forms.require_token(forms.session_token(request.cookies[SESSION_COOKIE]), form)
            done = await self.operation(username, "raise", None, raising.params_of(sent))
        except EscalationError as exc:
            return await self.raise_page(request, exc, sent)
        # Redirected, so that reloading the page it lands on cannot raise it twice.
        return RedirectResponse(f"/escalations/{done['reference']}?raised=1", status_code=303)

    @signed_in
    async def escalation(
        self, request: Request, username: str, refused: EscalationError | None = None,
        sent: Sent | None = None,
    ) -> Response:  # fmt: skip
        """One escalation; with ``refused``, the form ``sent`` shown again as it was typed, its
        field marked and linked from the error summary."""
        reference = str(request.path_params["reference"])
        try:
            shown = await self.work(self._shown, username, reference)
        except EscalationError as exc:
            return self.refused(request, username, exc)
        said = None if refused is not None else self._said(request, reference, shown["esc"])
        action, values = sent if sent is not None else ("", {})
        return self.render(
            request, "escalation.html", http_status(refused) if refused else 200,
            person=self.person(username), error=str(refused) if refused else None,
            error_href=error_href(shown["forms"], action, refused), said=said,
            sent_action=action, sent=values, **shown,
        )  # fmt: skip

    def _said(self, request: Request, reference: str, esc: dict[str, Any]) -> str | None:
        """What the redirect after a form says was done (``?done=ACTION``, ``?raised=1`` or
        ``?watching=yes|no``), with where the escalation is now."""
        query = request.query_params
        if query.get("raised") == "1":
            return f"Raised {reference}."
        if query.get("watching") in ("yes", "no"):
            return WATCH_SAID[query["watching"]]
        done = catalogue.find(query.get("done", ""))
        if done is None:
            return None
        words = self.service.words
        return (
            f"{reference}: {words.done(done.name)}. Now: {esc['shown']['stage']}"
            f" ({esc['shown']['plain_status']})."
        )

    def _shown(self, username: str, reference: str) -> dict[str, Any]:
        service = self.service
        data, esc = operations.shown(service, username, reference)
        spec = service.spec_for(esc)
        # The page offers its forms, not commands to type.
        data["next"] = sentences.next_steps(
            esc, spec, data["may_take"], service.words, commands=False
        )
        ladder = [
            {"title": service.words.stage(spec, name), "current": name == esc.stage,
             "reached": name in esc.stages_reached}
            for name in spec.stage_names
        ]  # fmt: skip
        return {"esc": data, "ladder": ladder,
                "forms": forms_for(spec, esc, data["may_take"], service.words)}  # fmt: skip

    @signed_in
    async def act(self, request: Request, username: str) -> Response:
        reference = str(request.path_params["reference"])
        action = str(request.path_params["action"])
        kept: dict[str, Any] = {}
        try:
            form = await forms.read(request, fields_posted())
            kept = typed(form)
            forms.require_token(forms.session_token(request.cookies[SESSION_COOKIE]), form)
            await self.operation(
                username, "act",
                {"reference": reference, "action": action}, params_of(form, action),
            )  # fmt: skip
        except EscalationError as exc:
            return await self.escalation(request, exc, (action, kept))
        # Redirected, so that reloading the page it lands on cannot send the form again.
        return RedirectResponse(f"/escalations/{reference}?done={action}", status_code=303)

    @signed_in
    async def watch(self, request: Request, username: str) -> Response:
        """Start or stop watching (the form's ``watching`` is ``yes`` or ``no``)."""
        reference = str(request.path_params["reference"])
        try:
            form = await forms.read(request, frozenset({"watching"}))
            forms.require_token(forms.session_token(request.cookies[SESSION_COOKIE]), form)
            choice = str(form.get("watching"))
            if choice not in WATCH_SAID:
                raise InvalidInput("Choose to watch it or to stop watching it, then send again.")
            name = "watch" if choice == "yes" else "unwatch"
            await self.operation(username, name, {"reference": reference})
        except EscalationError as exc:
            return await self.escalation(request, exc)
        return RedirectResponse(f"/escalations/{reference}?watching={choice}", status_code=303)


#: What the page says after watching (``yes``) or no longer watching (``no``).
WATCH_SAID = {
    "yes": "You are watching it: it is listed in your inbox until it closes.",
    "no": "You no longer watch it.",
}
