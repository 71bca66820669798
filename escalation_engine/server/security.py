"""What every response carries and every request is held to: security headers, and a limit on
the size of a request body (counted as it arrives, so a body without a Content-Length is held
to it too)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),  # no-referrer would send "Origin: null" on forms
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (
        b"content-security-policy",
        # Pictures may be inline (the report's charts are PNGs in the page); nothing else may.
        b"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self';"
        b" base-uri 'none'",
    ),
    (b"cache-control", b"no-store"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class Guard:
    """Security headers on every response; request bodies over ``limit`` bytes refused (413)."""

    def __init__(self, app: ASGIApp, *, limit: int, https: bool) -> None:
        self.app = app
        self.limit = limit
        self.headers = [*HEADERS, HSTS] if https else HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(send)
            return
        # The body is read whole before the application sees it: a body sent without a
        # Content-Length is held to the same limit, and nothing acts on half a request.
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body.extend(message.get("body", b""))
            if len(body) > self.limit:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in self.headers if n not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, replay, with_headers)

    async def _refuse(self, send: Send) -> None:
        body = (
            b'{"error": "The request is larger than this service accepts (server.max_request_kb'
            b' in config.yaml).", "kind": "TooLarge"}'
        )
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            *self.headers,
        ]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})
