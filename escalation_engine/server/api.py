"""The JSON API: one route per operation in ``api_routes``, each run as the person whose bearer
token came with it, and nobody else. Sign-in and sign-out, health and readiness sit beside them.

No route takes a name to act or read as: who acts is only ever the token's owner.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from escalation_engine import store
from escalation_engine.app import operations
from escalation_engine.app.health import Answers, status
from escalation_engine.app.routes import API, ROUTES, query_value
from escalation_engine.app.routes import Route as ApiRoute
from escalation_engine.app.threads import in_thread
from escalation_engine.errors import EscalationError, InvalidInput, SignInRefused, http_status
from escalation_engine.web.oidc import Oidc

if TYPE_CHECKING:
    from escalation_engine.service import EscalationService

Handler = Callable[[Request], Awaitable[Response]]
MAX_SECRET = 1_024


def refusal(exc: EscalationError) -> JSONResponse:
    """An engine refusal as JSON, with the status that says what kind it is."""
    status = http_status(exc)
    headers = {"WWW-Authenticate": 'Bearer realm="escalate"'} if status == 401 else None
    body = {"error": str(exc), "kind": type(exc).__name__}
    given = getattr(exc, "given", None)
    if given is not None:  # which input it is about, so each door can point at its own field
        body["field"] = given.name
    return JSONResponse(body, status_code=status, headers=headers)


def bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise SignInRefused(
            "Sign in first: send the token from 'escalate login' as Authorization: Bearer TOKEN."
        )
    return token.strip()


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("The request body is not JSON; send a JSON object.") from None
    if not isinstance(data, dict):
        raise InvalidInput("The request body must be a JSON object of parameters.")
    return data


def source(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class Api:
    """The API's handlers over one service."""

    def __init__(self, service: EscalationService, oidc: Oidc | None) -> None:
        self.service = service
        self.oidc = oidc
        self._answers = Answers()

    def routes(self) -> list[Route]:
        routes = [
            Route("/health", self.health, methods=["GET"]),
            Route("/ready", self.ready, methods=["GET"]),
            Route(API + "/sessions", self.guarded(self.sign_in), methods=["POST"]),
            Route(API + "/sessions/current", self.guarded(self.sign_out), methods=["DELETE"]),
            Route(API + "/device", self.guarded(self.device_start), methods=["POST"]),
            Route(API + "/device/poll", self.guarded(self.device_poll), methods=["POST"]),
        ]
        for route in ROUTES.values():
            routes.append(
                Route(API + route.path, self.guarded(self.operation(route)), methods=[route.method])
            )
        return routes

    @staticmethod
    def guarded(handler: Handler) -> Handler:
        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except EscalationError as exc:
                return refusal(exc)

        return run

    async def user(self, request: Request) -> str:
        return await in_thread(self.service, self.service.sessions.session_user, bearer(request))

    def operation(self, route: ApiRoute) -> Handler:
        async def handle(request: Request) -> Response:
            username = await self.user(request)
            path = {name: str(request.path_params[name]) for name in route.path_params}
            if route.method == "GET":
                params: dict[str, Any] = {}
                for name, value in request.query_params.multi_items():
                    kind = route.params.get(name)
                    if kind is None:
                        raise InvalidInput(f"{name!r} is not a parameter of {route.name}.")
                    params[name] = query_value(kind, value, name)
            else:
                params = await json_body(request)
            result = await in_thread(
                self.service, operations.run, self.service, username, route.name, path, params
            )
            return JSONResponse(result, status_code=201 if route.name == "raise" else 200)

        return handle

    async def sign_in(self, request: Request) -> Response:
        body = await json_body(request)
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            raise InvalidInput("Send username and password, both as text.")
        if len(username) > 64 or len(password) > MAX_SECRET:
            raise SignInRefused("Sign-in refused: the username or password was not accepted.")
        person = await in_thread(
            self.service, self.service.accounts.sign_in, username, password, source=source(request)
        )
        return await self.issued(person.username, "password")

    async def issued(self, username: str, method: str) -> JSONResponse:
        token, expires = await in_thread(
            self.service, self.service.sessions.start_session, username, method
        )
        person = self.service.settings.person(username)
        return JSONResponse(
            {
                "token": token,
                "expires_at": expires.isoformat(),
                "username": username,
                "name": person.name,
            },  # fmt: skip
            status_code=201,
        )

    def _provider(self) -> Oidc:
        if self.oidc is None:
            raise InvalidInput(
                "This service has no identity provider (server.oidc in its config.yaml); sign in"
                " with a local account: escalate login."
            )
        return self.oidc

    async def device_start(self, request: Request) -> Response:
        """Begin a sign-in with the identity provider from a device (the CLI)."""
        return JSONResponse(await run_in_threadpool(self._provider().start_device))

    async def device_poll(self, request: Request) -> Response:
        oidc = self._provider()
        handle = (await json_body(request)).get("handle")
        if not isinstance(handle, str) or len(handle) > 100:
            raise InvalidInput("Send the handle from POST /api/v1/device.")
        try:
            claims = await run_in_threadpool(oidc.poll_device, handle)
            if claims is None:
                return JSONResponse({"pending": True}, status_code=202)
            username = oidc.person_for(claims)
        except SignInRefused as exc:
            await in_thread(
                self.service, self.service.sessions.record_sign_in, "(identity provider)", ok=False,
                method="oidc-device", detail=str(exc), source=source(request),
            )  # fmt: skip
            raise
        await in_thread(
            self.service, self.service.sessions.record_sign_in, username, ok=True, method="oidc-device",
            detail="signed in", source=source(request),
        )  # fmt: skip
        return await self.issued(username, "oidc-device")

    async def sign_out(self, request: Request) -> Response:
        token = bearer(request)
        await in_thread(self.service, self.service.sessions.session_user, token)
        await in_thread(self.service, self.service.sessions.end_session, token)
        return JSONResponse({"signed_out": True})

    async def health(self, request: Request) -> Response:
        """Alive (HTTP 200) and, when something needs attention, ``degraded`` with how many of
        each kind: counts only, never which escalation (anyone may ask)."""
        problems = await in_thread(self.service, self._health_problems)
        if not problems:
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "degraded", "problems": problems})

    def _health_problems(self) -> dict[str, int]:
        service = self.service
        return self._answers.problems(service.clock.now(), lambda: status(service).problems())

    async def ready(self, request: Request) -> Response:
        problems = await in_thread(self.service, self._problems)
        return JSONResponse(
            {"ready": not problems, "problems": problems}, status_code=503 if problems else 200
        )

    def _problems(self) -> list[str]:
        service = self.service
        try:
            store.ping(service.engine)
            revision = store.schema_revision(service.engine)
        except Exception as exc:
            return [f"the database cannot be reached ({type(exc).__name__})"]
        problems = []
        if revision != store.SCHEMA_HEAD:
            problems.append(f"the database schema is {revision}, not {store.SCHEMA_HEAD}")
        try:
            service.ctx.signer  # noqa: B018 - loading the key is the check
        except EscalationError as exc:
            problems.append(str(exc))
        return problems
