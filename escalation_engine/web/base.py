"""What every page of the desk shares: its templates, who the session cookie says is asking,
how a refusal becomes a status, and the session cookie itself."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from escalation_engine.app import operations
from escalation_engine.app.routes import ROUTES, query_value
from escalation_engine.app.threads import in_thread
from escalation_engine.domain.visibility import DATA_PROTECTION, SEE_ALL
from escalation_engine.errors import EscalationError, InvalidInput, http_status
from escalation_engine.web import forms

if TYPE_CHECKING:
    from escalation_engine.service import EscalationService
    from escalation_engine.web.oidc import Oidc

T = TypeVar("T")
P = ParamSpec("P")
Page = TypeVar("Page", bound="PageBase")
HERE = Path(__file__).parent
SESSION_COOKIE = "escalate_session"


class _Templates(Environment):
    """Jinja2 over the read model, which is plain dicts: ``entry.shown.when`` looks the key up
    first, where Jinja2 would first look for an attribute and raise, for every field of every row
    (600 times for a page of the trail). A dict's own methods are found as before when no key has
    their name."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


_TEMPLATES = _Templates(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # the templates are the package's own: not looked at again each page
)


def query_of(request: Request, route: str, allowed: tuple[str, ...], what: str) -> dict[str, Any]:
    """The query string's choices for the API operation ``route``: only ``allowed`` names (else
    refused, naming ``what`` they are choices of), blanks left out, each checked as the API
    checks it."""
    kinds = ROUTES[route].params
    chosen: dict[str, Any] = {}
    for name, value in request.query_params.multi_items():
        if name not in allowed:
            raise InvalidInput(f"{name[:40]!r} is not one of {what}.")
        if value.strip():
            chosen[name] = query_value(kinds[name], value.strip()[:200], name)
    return chosen


class PageBase:
    """Pages over ``service``; ``oidc`` when the council's identity provider signs people in."""

    def __init__(self, service: EscalationService, oidc: Oidc | None) -> None:
        self.service = service
        self.oidc = oidc

    async def work(self, work: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``work(*args, **kwargs)`` in one of the process's database threads."""
        return await in_thread(self.service, work, *args, **kwargs)

    async def operation(
        self, username: str, name: str, path: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:  # fmt: skip
        """The API's operation ``name`` as ``username`` (``operations.run``), in a database
        thread."""
        return await self.work(operations.run, self.service, username, name, path, params)

    # --- rendering -----------------------------------------------------------------------
    def render(
        self, request: Request, template: str, status: int = 200, **values: Any
    ) -> HTMLResponse:
        session = request.cookies.get(SESSION_COOKIE, "")
        values.setdefault("token", forms.session_token(session) if session else "")
        values.setdefault("person", None)
        person = values["person"]
        # Links to what the person's roles may open (each page checks again).
        values["oversees"] = person is not None and bool(set(person.roles) & set(SEE_ALL))
        values["raises"] = person is not None and "iro" in person.roles
        values["discloses"] = person is not None and DATA_PROTECTION in person.roles
        text = _TEMPLATES.get_template(template).render(service_name="IRO escalations", **values)
        return HTMLResponse(text, status_code=status)

    async def who(self, request: Request) -> str | None:
        """Whose session came with ``request``, or ``None`` (not signed in, or it ended)."""
        token = request.cookies.get(SESSION_COOKIE, "")
        if not token:
            return None
        try:
            return await self.work(self.service.sessions.session_user, token)
        except EscalationError:
            return None

    def person(self, username: str) -> Any:
        return self.service.settings.person(username)

    def refused(self, request: Request, username: str, problem: EscalationError) -> HTMLResponse:
        """The page saying why ``username`` cannot have what they asked for."""
        return self.render(request, "problem.html", http_status(problem),
                           person=self.person(username), error=str(problem))  # fmt: skip

    @staticmethod
    def to_sign_in(request: Request) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/sign-in?next={quote(target, safe='/')}", status_code=303)


def set_session(response: Response, token: str, hours: float) -> None:
    """The session cookie: sent over HTTPS only, out of scripts' reach, not on other sites' posts."""
    response.set_cookie(SESSION_COOKIE, token, max_age=int(hours * 3600), path="/", secure=True,
                        httponly=True, samesite="lax")  # fmt: skip


def signed_in(
    page: Callable[Concatenate[Page, Request, str, P], Awaitable[Response]],
) -> Callable[Concatenate[Page, Request, P], Awaitable[Response]]:
    """A page for people signed in: it is given who is asking; anyone else is sent to sign in
    first, and brought back to it after."""

    async def shown(self: Page, request: Request, /, *args: P.args, **kwargs: P.kwargs) -> Response:
        username = await self.who(request)
        if username is None:
            return self.to_sign_in(request)
        return await page(self, request, username, *args, **kwargs)

    functools.update_wrapper(shown, page)  # its name and docstring
    return shown
