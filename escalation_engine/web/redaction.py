"""The desk's page for the data protection officer to redact or correct the text of an entry:
the same operations as ``escalate redact`` and ``escalate correct``, each a signed entry.

The entry's number is found in the case's subject-access export, which numbers every entry; the
officer need not be able to open the escalation itself (they may not, under the read rules)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from escalation_engine.app.sentences import FIELD_WORDS
from escalation_engine.domain.visibility import DATA_PROTECTION
from escalation_engine.errors import EscalationError, InvalidInput, http_status
from escalation_engine.service.redacting import FIELDS, REDACTING
from escalation_engine.web import forms
from escalation_engine.web.base import SESSION_COOKIE, PageBase, signed_in

_FORM = frozenset({"reference", "entry", "field", "act", "text", "reason"})
#: Which input a refusal is about, by words in it (so the message sits beside that input).
_ABOUT = (("entry", "Entry "), ("reason", "Say why"), ("text", "corrected text"),
          ("reference", "ESC-"))  # fmt: skip


class Redaction(PageBase):
    """Redact or correct an entry's text (the data protection officer's page)."""

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/records/text", self.page, methods=["GET"]),
            Route("/records/text", self.change, methods=["POST"]),
        ]

    @signed_in
    async def page(
        self, request: Request, username: str, problem: EscalationError | None = None,
        sent: dict[str, str] | None = None,
    ) -> Response:  # fmt: skip
        try:
            self.service.viewing.require_role(username, (DATA_PROTECTION,), REDACTING)
        except EscalationError as exc:
            return self.refused(request, username, exc)
        error = str(problem) if problem else None
        done = None if problem else _done(request.query_params)
        about = next((name for name, said in _ABOUT if error and said in error), None)
        return self.render(
            request, "redaction.html", http_status(problem) if problem else 200,
            person=self.person(username), sent=sent or {"field": "note", "act": "redact"},
            error=error, error_href=about or ("reference" if error else None), done=done,
            fields=[(name, FIELD_WORDS[name].capitalize()) for name in FIELDS],
        )  # fmt: skip

    @signed_in
    async def change(self, request: Request, username: str) -> Response:
        sent: dict[str, str] = {}
        try:
            form = await forms.read(request, _FORM)
            forms.require_token(forms.session_token(request.cookies[SESSION_COOKIE]), form)
            sent = {k: str(form.get(k, "")).strip() for k in _FORM}
            if not sent["reference"]:
                raise InvalidInput("Enter the escalation's reference, for example ESC-2026-0001.")
            if not sent["entry"].isdigit() or len(sent["entry"]) > 12:
                raise InvalidInput(
                    "Entry numbers are whole numbers, for example 3: the subject-access export"
                    " numbers each entry."
                )
            act = sent["act"] if sent["act"] in ("redact", "correct") else "redact"
            params: dict[str, Any] = {"entry": int(sent["entry"]), "field": sent["field"],
                                      "reason": sent["reason"]}  # fmt: skip
            if act == "correct":
                params["text"] = sent["text"]
            found = await self.operation(username, act, {"reference": sent["reference"]}, params)
        except EscalationError as exc:
            return await self.page(request, exc, sent)
        said = {"done": act, "reference": found["reference"], "entry": sent["entry"],
                "field": sent["field"], "recorded": found["entry"]}  # fmt: skip
        # After the post, a page of its own: reloading it does not record the change again.
        return RedirectResponse(f"/records/text?{urlencode(said)}", status_code=303)


def _done(query: Any) -> str | None:
    """What the change just recorded was, from the address it was sent to (each part checked:
    the address is typed into too)."""
    act, field = query.get("done"), query.get("field", "")
    reference, entry, recorded = (query.get(k, "") for k in ("reference", "entry", "recorded"))
    if act not in ("redact", "correct") or field not in FIELDS:
        return None
    if not (entry.isdigit() and recorded.isdigit() and len(entry) + len(recorded) < 24):
        return None
    if not re.fullmatch(r"[A-Z0-9-]{1,40}", reference):
        return None
    return (
        f"{'Redacted' if act == 'redact' else 'Corrected'} the {FIELD_WORDS[field]} of entry"
        f" {entry} of {reference}, recorded as entry {recorded}."
    )
