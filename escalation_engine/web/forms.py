"""What a form posted to the desk may hold, and the token that proves the desk sent it.

Every form carries a token derived from the browser's session (an HMAC keyed by the session
token, which only that browser holds: its cookie is HttpOnly), so a page on another site cannot
post one; before sign-in the sign-in form carries a random token that must match a cookie of its
own. Forms are read with limits on their fields and sizes, and an unknown field is refused."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import parse_qsl

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from escalation_engine.app.routes import MAX_ITEMS, MAX_TEXT
from escalation_engine.errors import InvalidInput, PermissionDenied

FIELD = "csrf_token"
#: The sign-in form's own cookie, before there is a session.
PRE_SESSION_COOKIE = "escalate_form"
_PURPOSE = b"escalate desk form"


def session_token(session: str) -> str:
    """The form token for a browser with session token ``session``."""
    return hmac.new(session.encode(), _PURPOSE, hashlib.sha256).hexdigest()


def fresh_token() -> str:
    return secrets.token_urlsafe(32)


def require_token(expected: str, form: FormData) -> None:
    """Refuse a form whose token is not ``expected``."""
    given = form.get(FIELD)
    if not expected or not isinstance(given, str) or not hmac.compare_digest(given, expected):
        raise PermissionDenied(
            "This form did not come from this service's page, or the page is from an earlier"
            " sign-in: go back, reload the page and send it again."
        )


async def read(request: Request, allowed: frozenset[str]) -> FormData:
    """The form posted with ``request`` (URL-encoded: the desk's forms send no files): each
    field named in ``allowed`` (or the token), at most ``MAX_TEXT`` characters, ``MAX_ITEMS``
    fields in all. The body's size is already bounded by the server."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise InvalidInput("Send the form as the page does (application/x-www-form-urlencoded).")
    try:
        pairs = parse_qsl((await request.body()).decode(), keep_blank_values=True,
                          max_num_fields=MAX_ITEMS, strict_parsing=False)  # fmt: skip
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput(
            f"The form could not be read: at most {MAX_ITEMS} fields, in UTF-8."
        ) from None
    for name, value in pairs:
        if name != FIELD and name not in allowed:
            raise InvalidInput(f"The form sent a field {name[:40]!r} this page does not have.")
        if len(value) > MAX_TEXT:
            raise InvalidInput(f"{name[:40]} is too long: at most {MAX_TEXT:,} characters.")
    return FormData(list[tuple[str, str | UploadFile]](pairs))


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this service only (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/inbox"
    return target[:500]
