"""The browser's way in through the identity provider: its round trip (authorization code with
PKCE), and signing out (the sign-in page itself is the desk's, ``web/desk.py``). The session is
a cookie that is Secure, HttpOnly and SameSite=Lax, holding a token kept by the service only as
its SHA-256."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from escalation_engine.app.threads import in_thread
from escalation_engine.errors import EscalationError, SignInRefused
from escalation_engine.web import forms
from escalation_engine.web.base import SESSION_COOKIE, set_session
from escalation_engine.web.oidc import Oidc

if TYPE_CHECKING:
    from escalation_engine.service import EscalationService

STATE_COOKIE = "escalate_sign_in"
_NONE: frozenset[str] = frozenset()


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} -'
        f" IRO escalations</title></head><body><main><h1>{escape(title)}</h1>{body}</main>"
        "</body></html>",
        status_code=status,
    )


class Pages:
    """Sign-in in a browser."""

    def __init__(self, service: EscalationService, oidc: Oidc | None) -> None:
        self.service = service
        self.oidc = oidc

    def routes(self) -> list[Route]:
        return [
            Route("/sign-in/oidc", self.start, methods=["GET"]),
            Route("/sign-in/callback", self.callback, methods=["GET"]),
            Route("/signed-in", self.signed_in, methods=["GET"]),
            Route("/sign-out", self.sign_out, methods=["POST"]),
        ]

    def base(self, request: Request) -> str:
        return self.service.settings.server.url or str(request.base_url).rstrip("/")

    async def start(self, request: Request) -> Response:
        if self.oidc is None:
            return RedirectResponse("/sign-in", status_code=303)
        oidc = self.oidc
        url, state = await run_in_threadpool(
            oidc.authorize_url, self.base(request) + "/sign-in/callback"
        )
        response = RedirectResponse(url, status_code=303)
        response.set_cookie(STATE_COOKIE, state, max_age=600, path="/sign-in", secure=True,
                            httponly=True, samesite="lax")  # fmt: skip
        return response

    async def callback(self, request: Request) -> Response:
        oidc, source = self.oidc, request.client.host if request.client else "unknown"
        state, code = request.query_params.get("state", ""), request.query_params.get("code", "")
        try:
            if oidc is None:
                raise SignInRefused("This service has no identity provider configured.")
            if not state or state != request.cookies.get(STATE_COOKIE) or not code:
                raise SignInRefused("This sign-in did not start in this browser; start again.")
            redirect = self.base(request) + "/sign-in/callback"
            claims = await run_in_threadpool(oidc.finish_browser, state, code[:2048], redirect)
            username = oidc.person_for(claims)
        except EscalationError as exc:
            await in_thread(
                self.service, self.service.sessions.record_sign_in, "(identity provider)", ok=False,
                method="oidc", detail=str(exc), source=source,
            )  # fmt: skip
            body = f'<p>{escape(str(exc))}</p><p><a href="/sign-in">Sign in again</a></p>'
            return page("Sign-in refused", body, status=401)
        await in_thread(
            self.service, self.service.sessions.record_sign_in, username, ok=True, method="oidc",
            detail="signed in", source=source,
        )  # fmt: skip
        token, expires = await in_thread(
            self.service, self.service.sessions.start_session, username, "oidc"
        )
        response = RedirectResponse("/inbox", status_code=303)
        response.delete_cookie(STATE_COOKIE, path="/sign-in")
        set_session(response, token, self.service.settings.server.token_hours)
        return response

    async def signed_in(self, request: Request) -> Response:
        # The address earlier releases sent people to after signing in.
        return RedirectResponse("/inbox", status_code=303)

    async def sign_out(self, request: Request) -> Response:
        # A cross-site form cannot sign someone out: the Origin must be this service.
        if request.headers.get("origin") not in (None, self.base(request)):
            return page("Refused", "<p>That request came from another site.</p>", status=403)
        token = request.cookies.get(SESSION_COOKIE, "")
        if token:
            try:
                forms.require_token(forms.session_token(token), await forms.read(request, _NONE))
            except EscalationError as exc:
                return page("Refused", f"<p>{escape(str(exc))}</p>", status=403)
            await in_thread(self.service, self.service.sessions.end_session, token)
        response = RedirectResponse("/sign-in", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
