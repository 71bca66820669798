"""The JSON API's operations: each one's method, address and parameters, in one table.

The server registers a route for each, the CLI in client mode calls them by name, and direct mode
runs the same operations in-process: so every command the API offers is defined once. This module
imports nothing but the standard library, because a client must not load the database layer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from escalation_engine.domain.calendar import EARLIEST, LATEST
from escalation_engine.errors import Given, InvalidInput

API = "/api/v1"

#: What a parameter may be: ``text``, ``int``, ``bool``, ``list`` (of text) or ``map`` (text to
#: text); anything else sent is refused before an operation sees it.
Kind = str

#: How an action's input travels in a request: a yes/no as a boolean, several as a list, the
#: rest as text (days as YYYY-MM-DD).
_SENT_AS = {"flag": "bool", "roles": "list"}


def act_params() -> dict[str, Kind]:
    """The ``act`` route's parameters: every action's inputs (read from the action catalogue
    when first asked, so a client that never acts loads none of the rules), with the note, the
    outcome's reason and the version acted on."""
    from escalation_engine.domain.actions import catalogue

    params: dict[str, Kind] = {"note": "text", "reason": "text", "expected_version": "int",
                               "force": "bool"}  # fmt: skip
    for action in catalogue.actions():
        for given in action.command.inputs():
            params[given.name] = _SENT_AS.get(given.kind, "text")
    return params


#: The access log's filters (``access_log``, all at once; ``access_page``, a page at a time).
LOG_FILTERS: dict[str, Kind] = {"viewer": "text", "reference": "text", "from": "text", "to": "text"}

#: The filters of the lists of escalations (``list``, all at once; ``queue``, a page at a time).
FILTERS = {
    "mine": "bool", "waiting": "bool", "overdue": "bool", "due": "text", "child": "text",
    "stage": "text", "team": "text", "category": "text", "workflow": "text", "raised_by": "text",
    "q": "text", "sort": "text", "all": "bool",
}  # fmt: skip
_REPORT_PARAMS = {"year": "text", "from": "text", "to": "text", "by": "text"}


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    method: str
    path: str
    #: Its parameters and their kinds, or what works them out when asked.
    given: dict[str, Kind] | Callable[[], dict[str, Kind]]
    #: Parameters that must be given (a path's own parameters always are).
    required: tuple[str, ...] = ()
    #: Whether it may take minutes (checking the whole trail), so a client waits that long.
    slow: bool = False

    @property
    def params(self) -> dict[str, Kind]:
        return self.given() if callable(self.given) else self.given

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    def url(self, **values: str) -> str:
        path = self.path
        for name in self.path_params:
            path = path.replace("{" + name + "}", _segment(values[name], name))
        return API + path


ROUTES: dict[str, Route] = {
    route.name: route
    for route in (
        Route("me", "GET", "/me", {}),
        Route("inbox", "GET", "/inbox", {"list": "text", "page": "int"}),
        Route(
            "raise",
            "POST",
            "/escalations",
            {
                "workflow": "text",
                "alert_type": "text",
                "case_refs": "list",
                "category": "text",
                "summary": "text",
                "team": "text",
                "looked_after": "bool",
                "rating": "text",
                "due": "text",
                "dates": "map",
                "tell_my_manager": "bool",
            },
            ("alert_type", "case_refs", "category", "summary"),
        ),  # fmt: skip
        Route("list", "GET", "/escalations", FILTERS),
        Route("queue", "GET", "/queue", FILTERS | {"page": "int"}),
        Route("dashboard", "GET", "/dashboard", {}),
        Route("show", "GET", "/escalations/{reference}", {}),
        Route("trail", "GET", "/escalations/{reference}/trail", {}),
        Route("act", "POST", "/escalations/{reference}/actions/{action}", act_params),
        Route("access_log", "GET", "/access-log", LOG_FILTERS),
        Route("access_page", "GET", "/access-log/page", LOG_FILTERS | {"before": "int"}),
        Route("subject_access", "GET", "/subject-access/{case}", {"names": "text"}),
        Route("retention_plan", "GET", "/retention/plan", {}),
        Route(
            "redact",
            "POST",
            "/escalations/{reference}/redactions",
            {"entry": "int", "field": "text", "reason": "text"},
            ("entry", "field", "reason"),
        ),
        Route(
            "correct",
            "POST",
            "/escalations/{reference}/corrections",
            {"entry": "int", "field": "text", "text": "text", "reason": "text"},
            ("entry", "field", "text", "reason"),
        ),  # fmt: skip
        Route("watching", "GET", "/watching", {}),
        Route("watch", "POST", "/escalations/{reference}/watch", {}),
        Route("unwatch", "DELETE", "/escalations/{reference}/watch", {}),
        Route("away_list", "GET", "/away", {}),
        Route("away", "POST", "/people/{person}/away", {"until": "text", "note": "text"}),
        Route("back", "POST", "/people/{person}/back", {"note": "text"}),
        Route(
            "search",
            "GET",
            "/trail",
            {
                "from": "text",
                "to": "text",
                "year": "text",
                "team": "text",
                "person": "text",
                "child": "text",
                "workflow": "text",
                "version": "int",
                "type": "text",
                "category": "text",
                "stage": "text",
                "action": "text",
                "outcome": "text",
                "after": "int",
                "limit": "int",
            },
        ),  # fmt: skip
        Route("report", "GET", "/report", _REPORT_PARAMS, slow=True),
        Route(
            "report_explain",
            "GET",
            "/report/explain",
            _REPORT_PARAMS | {"figure": "text"},
            ("figure",),
            slow=True,
        ),
        Route("workflows", "GET", "/workflows", {}),
        Route("workflow", "GET", "/workflows/{name}", {}),
        Route("status", "GET", "/status", {}),
        Route("verify", "POST", "/audit/verify", {"since": "int"}, slow=True),
    )
}

_SEGMENT = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
MAX_TEXT = 8_000
MAX_ITEMS = 50


def _segment(value: str, name: str) -> str:
    if not _SEGMENT.match(value):
        raise InvalidInput(
            f"{name} {value[:40]!r} is not valid here: use letters, digits, '.', '_', '@' or '-'."
        )
    return value


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text, got {type(value).__name__}.")
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{name} is {len(value):,} characters long; keep it to {MAX_TEXT:,}.")
    return value


def check_params(route: Route, given: dict[str, Any]) -> dict[str, Any]:
    """``given`` with every parameter checked against ``route``: unknown names, wrong kinds and
    oversized values are refused naming the parameter, and missing required ones named."""
    checked: dict[str, Any] = {}
    for name, value in given.items():
        kind = route.params.get(name)
        if kind is None:
            known = ", ".join(route.params) or "none"
            raise InvalidInput(f"{name!r} is not a parameter of {route.name}; known: {known}.")
        if value is None:
            continue
        if kind == "text":
            checked[name] = _text(value, name)
        elif kind == "int":
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not -(2**62) < value < 2**62
            ):
                raise InvalidInput(f"{name} must be a whole number, got {value!r:.40}.")
            checked[name] = value
        elif kind == "bool":
            if not isinstance(value, bool):
                raise InvalidInput(f"{name} must be true or false, got {value!r:.40}.")
            checked[name] = value
        elif kind == "list":
            if not isinstance(value, list) or len(value) > MAX_ITEMS:
                raise InvalidInput(f"{name} must be a list of at most {MAX_ITEMS} texts.")
            checked[name] = [_text(item, name) for item in value]
        else:
            if not isinstance(value, dict) or len(value) > MAX_ITEMS:
                raise InvalidInput(f"{name} must be a mapping of at most {MAX_ITEMS} texts.")
            checked[name] = {_text(k, name): _text(v, name) for k, v in value.items()}
    for name in route.required:
        if checked.get(name) in (None, "", []):
            raise InvalidInput(f"{route.name} needs {name}; give it and try again.")
    return checked


def query_value(kind: Kind, raw: str, name: str) -> Any:
    """A query-string value as the kind its parameter is."""
    if kind == "bool":
        if raw not in ("true", "false"):
            raise InvalidInput(f"{name} must be true or false, got {raw[:40]!r}.")
        return raw == "true"
    if kind == "int":
        if not raw.lstrip("-").isdigit() or len(raw) > 18:
            raise InvalidInput(f"{name} must be a whole number, got {raw[:40]!r}.")
        return int(raw)
    return raw


def parse_day(value: str, option: str, *, given: Given | None = None) -> date:
    """A day as people type it (YYYY-MM-DD), within the years a record can hold; ``option`` says
    what it is in a refusal, and ``given`` which input."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"{option} {value[:40]!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-14.",
            given=given,
        ) from None
    if not EARLIEST <= day <= LATEST:
        raise InvalidInput(
            f"{option} {day} is outside the years {EARLIEST.year}-{LATEST.year}; check the year.",
            given=given,
        )
    return day
