"""The pages for an address the service does not have (404) and for a form's address opened
as a page or sent the wrong way (405): a page in the desk's style that says what to do next,
not a bare line of text. The API's addresses answer in JSON as its refusals do."""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from escalation_engine.app.routes import API
from escalation_engine.web.base import PageBase

_ESCALATION = re.compile(r"^/escalations/([A-Za-z0-9._-]{1,64})/")


class Missing(PageBase):
    """What the desk shows for an address it does not have, or one used the wrong way."""

    async def handle(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        path = request.url.path
        if path.startswith(API + "/") or path == API:
            said = (
                f"No such address in the API: {request.method} {path[:200]}."
                if status == 404
                else f"{path[:200]} does not take {request.method}."
            )
            return JSONResponse({"error": said, "kind": "NotFound" if status == 404 else
                                 "MethodNotAllowed"}, status_code=status)  # fmt: skip
        username = await self.who(request)
        found = _ESCALATION.match(path)
        response = self.render(
            request, "missing.html", status,
            person=self.person(username) if username else None, code=status,
            escalation=found.group(1) if found else None,
        )  # fmt: skip
        if isinstance(exc, HTTPException) and exc.headers:
            response.headers.update(exc.headers)  # 405's Allow
        return response
