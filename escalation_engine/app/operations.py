"""The API's operations, run as one named person: what the server does for each route, and what
the CLI does in direct mode. Each takes checked parameters and returns the read model as JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from escalation_engine.app import dashboard, queues, readmodel
from escalation_engine.app.routes import ROUTES, check_params, parse_day
from escalation_engine.domain.inputs import AWAY_UNTIL, FROM, TO
from escalation_engine.errors import InvalidInput

if TYPE_CHECKING:
    from escalation_engine.domain.escalation import Escalation
    from escalation_engine.service import EscalationService

Operation = Callable[["EscalationService", str, dict[str, str], dict[str, Any]], Any]


def run(
    service: EscalationService,
    username: str,
    name: str,
    path: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
) -> Any:
    """Run operation ``name`` as ``username``, its parameters checked first."""
    route = ROUTES[name]
    checked = check_params(route, params or {})
    return OPERATIONS[name](service, username, path or {}, checked)


def _me(service: EscalationService, username: str, _: dict[str, str], __: dict[str, Any]) -> Any:
    person = service.settings.person(username)
    return {"username": person.username, "name": person.name, "roles": list(person.roles),
            "team": person.team, "email": person.email}  # fmt: skip


def _raise(service: EscalationService, username: str, _: dict[str, str], p: dict[str, Any]) -> Any:
    from escalation_engine.domain.inputs import DUE, NAMED_DATE

    named = {
        key.strip(): parse_day(value, f"The {key.strip().replace('_', ' ')}", given=NAMED_DATE)
        for key, value in p.get("dates", {}).items()
    }
    esc = service.raise_alert(
        username=username, workflow=p.get("workflow", "dispute_resolution"),
        alert_type=p["alert_type"], case_refs=p["case_refs"], category=p["category"],
        summary=p["summary"], team=p.get("team", ""), looked_after=p.get("looked_after", True),
        rating=p.get("rating"), due=parse_day(p["due"], "The deadline you set", given=DUE) if "due" in p else None,
        dates=named, tell_my_manager=p.get("tell_my_manager", False),
    )  # fmt: skip
    service.viewing.mark_seen(service.settings.person(username).username, esc)
    return readmodel.raised(service, esc)


#: How many of each list the inbox shows at once; the rest are on further pages of that list.
INBOX = 20
#: The inbox's lists, each a page of its own beyond its first.
INBOX_LISTS = ("waiting", "answered", "raised", "watching")


def _inbox(service: EscalationService, username: str, _: Any, p: dict[str, Any]) -> Any:
    """What is waiting for ``username`` (soonest deadline first, with working days left), what
    they answered that awaits the raiser's decision, what else they raised that is still open
    (a response to judge first), and what they watch: the first INBOX of each, or with
    ``list``, page ``page`` of that list alone."""
    from escalation_engine.domain.filters import Filter

    chosen = p.get("list")
    if chosen is not None and chosen not in INBOX_LISTS:
        raise InvalidInput(f"list must be one of {', '.join(INBOX_LISTS)}, got {chosen[:40]!r}.")
    page = p.get("page", 1)
    if not 1 <= page <= 100_000:
        raise InvalidInput(f"page must be a whole number from 1 to 100,000, got {page}.")
    if chosen is None:
        page = 1
    user = service.settings.person(username).username

    def items(shown: list[Any]) -> list[dict[str, Any]]:
        listed = queues.items(service, user, queues.standings(service, shown))
        for data, esc in zip(listed, shown, strict=True):
            data["to_judge"] = esc.raised_by == user and esc.status == "responded"
        return listed

    def waiting(offset: int) -> tuple[list[Any], int]:
        return service.queries.find_first(Filter(waiting_for=user), INBOX, offset=offset)

    def answered(offset: int) -> tuple[list[Any], int]:
        # Kept on the responder's desk until the raiser decides: accepted, rejected or taken on.
        kept = Filter(responded_by=user, not_raised_by=user, not_waiting_for=user)
        return service.queries.find_first(kept, INBOX, offset=offset)

    def raised(offset: int) -> tuple[list[Any], int]:
        kept = Filter(raised_by=user, not_waiting_for=user)
        return service.queries.find_first(kept, INBOX, judge_first=True, offset=offset)

    def watching(offset: int) -> tuple[list[Any], int]:
        kept = Filter(watched_by=user, not_raised_by=user, not_waiting_for=user)
        return service.queries.find_first(kept, INBOX, offset=offset)

    # Soonest deadline first; of what they raised (and is not waiting for them), a response
    # to judge first. Each list read is only the page shown, with how many it holds in all;
    # each escalation shown is a look in the access log.
    readers = {"waiting": waiting, "answered": answered, "raised": raised, "watching": watching}
    found: dict[str, Any] = {"list": chosen, "page": page}
    for name, read in readers.items():
        if chosen is not None and name != chosen:
            found |= {name: [], f"{name}_more": 0, f"{name}_total": 0}  # not read
            continue
        shown, total = read((page - 1) * INBOX)
        if not shown and total and page > 1:  # the list shrank since the link: its last page
            page = found["page"] = -(-total // INBOX)
            shown, total = read((page - 1) * INBOX)
        found |= {name: items(service.visible(shown, user)),
                  f"{name}_more": max(0, total - page * INBOX), f"{name}_total": total}  # fmt: skip
    found["pages"] = -(-found[f"{chosen}_total"] // INBOX) if chosen is not None else 1
    return found


def _watching(service: EscalationService, username: str, _: Any, __: Any) -> Any:
    """The open escalations ``username`` watches, most recently watched first."""
    user = service.settings.person(username).username
    return [
        readmodel.escalation(service, e)
        for e in service.visible(service.watching.watched(user), user)
    ]


def _watch(service: EscalationService, username: str, path: dict[str, str], _: Any) -> Any:
    esc = service.watch(username, path["reference"])
    return {"reference": esc.reference, "watching": True}


def _unwatch(service: EscalationService, username: str, path: dict[str, str], _: Any) -> Any:
    esc = service.watch(username, path["reference"], watching=False)
    return {"reference": esc.reference, "watching": False}


def _show(service: EscalationService, username: str, path: dict[str, str], _: Any) -> Any:
    return shown(service, username, path["reference"])[0]


def shown(service: EscalationService, username: str, reference: str) -> tuple[Any, Escalation]:
    """``show`` for ``username``, and the escalation it shows (for a page that offers its
    forms): its row and trail read once, together."""
    esc, row, rows = service.queries.get_with_trail(reference)
    service.viewing.seen(esc, username, "show", lambda: bool(service.may_take(username, esc)))
    service.viewing.mark_seen(service.settings.person(username).username, esc)
    problem = service.anchoring.replay_problem(row, rows)
    data = readmodel.escalation(
        service, esc, service.allowed_actions(esc), rows=rows, problem=problem
    )
    data["may_take"] = service.may_take(username, esc)
    data["watching"] = service.watching.is_watching(
        service.settings.person(username).username, esc.reference
    )
    return data, esc


def _trail(service: EscalationService, username: str, path: dict[str, str], _: Any) -> Any:
    esc = service.view(path["reference"], username, "audit")
    return [readmodel.entry(service, row, esc) for row in service.trail(esc.reference)]


def _act(service: EscalationService, username: str, path: dict[str, str], p: dict[str, Any]) -> Any:
    from escalation_engine.domain.actions import catalogue

    action = catalogue.named(path["action"])
    if p.get("force") and p.get("expected_version") is not None:
        raise InvalidInput("Give --if-version or --force, not both.")
    expected = p.get("expected_version")
    if not p.get("force") and expected is None:
        # Act on the version read now, so a retried request is refused with what the escalation
        # has become instead of moving it twice.
        expected = service.get(path["reference"]).version
    values: dict[str, Any] = {"note": p.get("note", ""), "reason": p.get("reason")}
    for given in action.command.inputs():
        raw = p.get(given.name)
        if raw in (None, "", []):
            if given.required:
                raise InvalidInput(f"Give {given.fact}.", given=given)
            continue
        if given.kind == "day":
            values[given.name] = parse_day(raw, given.fact.capitalize(), given=given)
        elif given.kind == "roles":
            values[given.name] = tuple(raw)
        else:
            values[given.name] = raw
    esc = service.acting.take(
        path["reference"], username, action, action.build(**values),
        expected_version=expected, force=p.get("force", False),
    )  # fmt: skip
    service.viewing.mark_seen(service.settings.person(username).username, esc)
    return readmodel.acted(service, esc, action.name)


def _window(service: EscalationService, p: dict[str, Any]) -> dict[str, Any]:
    """The access log's filters as the service takes them: from the start of the first day to
    the end of the last, in the service's own time zone."""
    tz = service.settings.calendar.tz
    first, last = _days(p)
    return {
        "viewer": p.get("viewer"), "reference": p.get("reference"),
        "start": datetime.combine(first, time(), tzinfo=tz) if first else None,
        "end": datetime.combine(last + timedelta(days=1), time(), tzinfo=tz) if last else None,
    }  # fmt: skip


def _days(p: dict[str, Any]) -> tuple[date | None, date | None]:
    first = parse_day(p["from"], "The first day", given=FROM) if "from" in p else None
    last = parse_day(p["to"], "The last day", given=TO) if "to" in p else None
    return first, last


def _look_rows(service: EscalationService, looks: Iterable[Any]) -> list[dict[str, Any]]:
    """Looks as rows, one per escalation looked at (the form the CSV and JSON take)."""
    tz = service.settings.calendar.tz
    return [{"seq": look.seq, "at": look.at.astimezone(tz).isoformat(), "viewer": look.viewer,
             "viewer_name": service.words.person(look.viewer), "reference": reference,
             "view": look.view} for look in looks for reference in look.references]  # fmt: skip


def _access_log(service: EscalationService, username: str, _: Any, p: dict[str, Any]) -> Any:
    return _look_rows(service, service.viewing.access_log(username, **_window(service, p)))


#: How many looks a page of the access log holds.
LOOKS_PAGE = 50


def _access_page(service: EscalationService, username: str, _: Any, p: dict[str, Any]) -> Any:
    """A page of the log, latest first; ``older`` is where the next page starts."""
    looks, older = service.viewing.access_page(
        username, before=p.get("before"), size=LOOKS_PAGE, **_window(service, p)
    )
    return {"looks": _look_rows(service, looks), "older": older}


def _subject_access(service: EscalationService, username: str, path: Any, p: dict[str, Any]) -> Any:
    """Everything held about a child's case reference, for the data protection role."""
    from escalation_engine.app import disclosure

    names = disclosure.naming(p.get("names"))
    found = service.disclosure.subject_access(username, path["case"])
    return disclosure.export(service, found, names)


def _redact(service: EscalationService, username: str, path: Any, p: dict[str, Any]) -> Any:
    """Remove one field's text from an entry (the data protection role)."""
    written = service.redacting.redact(
        username, path["reference"].upper(), p["entry"], p["field"], p["reason"]
    )
    return {"reference": written.reference, "entry": written.seq,
            "redacted": {"entry": p["entry"], "field": p["field"]}}  # fmt: skip


def _correct(service: EscalationService, username: str, path: Any, p: dict[str, Any]) -> Any:
    """Say one field's text again, corrected, in an entry linked to the one it corrects."""
    written = service.redacting.correct(
        username, path["reference"].upper(), p["entry"], p["field"], p["text"], p["reason"]
    )
    return {"reference": written.reference, "entry": written.seq,
            "corrected": {"entry": p["entry"], "field": p["field"]}}  # fmt: skip


def _retention_plan(service: EscalationService, username: str, _: Any, __: Any) -> Any:
    """What the retention schedule will remove when: each closed escalation's text, in order."""
    words, schedule = service.words, service.settings.retention
    return {
        "schedule": {"years_after_closure": schedule.years, "workflows": schedule.workflows,
                     "categories": schedule.categories},
        "due": [{"reference": due.reference, "workflow": due.workflow,
                 "category": due.category, "category_title": words.category(due.category),
                 "closed_on": due.closed_on.isoformat(), "years": due.years,
                 "kept_until": due.kept_until.isoformat() if due.kept_until else None,
                 "kept": (f"until {due.kept_until.isoformat()} (the case record's date)"
                          if due.kept_until else f"{due.years} years"),
                 "remove_on": due.remove_on.isoformat()}
                for due in service.disclosure.retention_plan(username)],
    }  # fmt: skip


def _away_list(service: EscalationService, _: str, __: Any, ___: Any) -> Any:
    return [
        {"username": p.username, "name": p.name,
         "until": p.away_until.isoformat() if p.away_until else None}
        for p in service.people_now().values() if p.away
    ]  # fmt: skip


def _marked(service: EscalationService, person: str, moved: list[Any]) -> Any:
    stands = service.people_now()[person]
    return {
        "person": person,
        "away": stands.away,
        "until": stands.away_until.isoformat() if stands.away_until else None,
        "moved": [
            {
                "reference": e.reference,
                "with": list(e.with_people),
                "with_names": service.words.people(e.with_people),
            }
            for e in moved
        ],  # fmt: skip
    }


def _away(
    service: EscalationService, username: str, path: dict[str, str], p: dict[str, Any]
) -> Any:
    day = parse_day(p["until"], "The last day away", given=AWAY_UNTIL) if "until" in p else None
    person = path["person"]
    moved = service.mark(username, person, away=True, until=day, note=p.get("note", ""))
    return _marked(service, person, moved)


def _back(
    service: EscalationService, username: str, path: dict[str, str], p: dict[str, Any]
) -> Any:
    person = path["person"]
    moved = service.mark(username, person, away=False, note=p.get("note", ""))
    return _marked(service, person, moved)


#: Entries in one page of the trail across escalations.
PAGE = 1_000


def _search(service: EscalationService, username: str, _: Any, p: dict[str, Any]) -> Any:
    """A page of the trail across escalations; ``next`` is where the next page starts."""
    from escalation_engine.domain import filters, people, periods
    from escalation_engine.domain.actions import catalogue

    settings, specs = service.settings, list(service.workflows.values())
    first, last = _days(p)
    period = periods.chosen(p.get("year"), first, last)
    limit = p.get("limit", PAGE)
    if not 1 <= limit <= PAGE:
        raise InvalidInput(f"limit must be from 1 to {PAGE:,}, got {limit}.")
    text = {name: p[name] for name in ("team", "person", "child", "workflow", "type", "category",
                                        "stage", "action", "outcome") if name in p}  # fmt: skip
    chosen = filters.TrailFilter(
        start=period.start if period else None, end=period.end if period else None,
        team=filters.team(people.teams(settings.people), text["team"]) if "team" in text else None,
        person=settings.person(text["person"]).username if "person" in text else None,
        child=filters.child(settings.case_reference_pattern, text["child"], service.queries.case_references()) if "child" in text else None,
        workflow=service.workflow(text["workflow"]).name if "workflow" in text else None,
        version=p.get("version"),
        alert_type=filters.alert_type(specs, text["type"]) if "type" in text else None,
        category=filters.category(settings.categories, text["category"]) if "category" in text else None,
        stages=filters.stage_keys(specs, text["stage"]) if "stage" in text else frozenset(),
        action=filters.action(text["action"], catalogue.kinds()) if "action" in text else None,
        outcome=filters.outcome(text["outcome"]) if "outcome" in text else None,
    )  # fmt: skip
    entries: list[dict[str, Any]] = []
    # Read a page's worth at a time: most pages are short, and a chunk is read whole.
    found = service.viewing.search_trail(username, chosen, p.get("after", 0), chunk=max(limit, 100))
    try:
        for row, spec in found:
            entries.append(readmodel.trail_entry(service, row, spec))
            if len(entries) == limit:
                break
    finally:
        found.close()  # records the looks now, not when the generator is collected
    return {"entries": entries, "next": entries[-1]["seq"] if len(entries) == limit else None}


def _report_period(service: EscalationService, p: dict[str, Any]) -> Any:
    from escalation_engine.domain import periods

    first, last = _days(p)
    return periods.chosen(p.get("year"), first, last) or service.reporting.default_period()


def _report(service: EscalationService, username: str, _: Any, p: dict[str, Any]) -> Any:
    period = _report_period(service, p)
    return service.report(username, period, p.get("by", "month")).as_dict()


def _report_explain(service: EscalationService, username: str, _: Any, p: dict[str, Any]) -> Any:
    """The figure named (or every figure of a table or row) with the entries behind it."""
    period = _report_period(service, p)
    found = service.explain(username, period, p["figure"], p.get("by", "month"))
    return [
        {"figure": f.key, "value": f.value,
         "evidence": [{"reference": ref, "entry": seq} for ref, seq in f.evidence]}
        for f in found
    ]  # fmt: skip


def _workflows(service: EscalationService, _: str, __: Any, ___: Any) -> Any:
    return [readmodel.workflow_summary(spec) for spec in service.workflows.values()]


def _workflow(service: EscalationService, _: str, path: dict[str, str], __: Any) -> Any:
    return readmodel.workflow(service, service.workflow(path["name"]))


def _status(service: EscalationService, username: str, _: Any, __: Any) -> Any:
    from escalation_engine.app.health import status

    service.viewing.require_oversight(username, "see the worker's status")
    return status(service).as_dict()


def _verify(service: EscalationService, username: str, _: Any, p: dict[str, Any]) -> Any:
    service.viewing.require_oversight(username, "verify the audit trail")
    since = p.get("since", 0)
    if since < 0:
        raise InvalidInput(f"since must be 0 or an entry number, got {since}.")
    return service.verify_all(since).as_dict()


OPERATIONS: dict[str, Operation] = {
    "me": _me, "inbox": _inbox, "raise": _raise, "list": queues.run_list,
    "queue": queues.run_queue, "dashboard": dashboard.run_dashboard, "show": _show, "trail": _trail, "act": _act,
    "access_log": _access_log, "access_page": _access_page, "subject_access": _subject_access,
    "redact": _redact, "correct": _correct, "retention_plan": _retention_plan, "watching": _watching, "watch": _watch, "unwatch": _unwatch,
    "away_list": _away_list, "away": _away, "back": _back,
    "workflows": _workflows, "workflow": _workflow, "status": _status, "verify": _verify,
    "search": _search, "report": _report, "report_explain": _report_explain,
}  # fmt: skip
