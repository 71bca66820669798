"""The lists a manager works from: ``list`` (every match, for the CLI and scripts) and ``queue``
(a page of them, with how many are late, due today and due this week, for the desk and the
API), both narrowed by the same filters and ordered the same way.

Every value a filter is given is checked against what exists (``domain/filters.py``), except
the search box's, which finds a reference or a child's case reference by any part of it. Only
what the viewer may see is counted or listed, and only what a page shows is a look in the
access log: one look for the page, naming the escalations on it (a row for each).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from escalation_engine.app import readmodel
from escalation_engine.domain import queue
from escalation_engine.domain.queue import Standing
from escalation_engine.errors import InvalidInput

if TYPE_CHECKING:
    from escalation_engine.domain.escalation import Escalation
    from escalation_engine.domain.filters import Filter
    from escalation_engine.service import EscalationService

#: How many escalations one page of a queue shows.
PAGE = 25
_LONGEST_SEARCH = 64


def chosen_filter(service: EscalationService, user: str, p: dict[str, Any]) -> Filter:
    """The filter ``p`` asks for, as ``user``, each value checked."""
    from escalation_engine.domain import filters, people

    settings = service.settings
    child, stage, team = p.get("child"), p.get("stage"), p.get("team")
    category, workflow, search = p.get("category"), p.get("workflow"), p.get("q")
    if p.get("mine") and p.get("raised_by"):
        raise InvalidInput("Give mine or raised_by, not both: mine is raised_by yourself.")
    raiser = settings.person(p["raised_by"].strip()).username if p.get("raised_by") else None
    if search is not None and len(search.strip()) > _LONGEST_SEARCH:
        raise InvalidInput(
            f"Search for a reference or a case reference: at most {_LONGEST_SEARCH} characters,"
            f" got {len(search.strip()):,}."
        )
    return filters.Filter(
        include_closed=p.get("all", False),
        raised_by=user if p.get("mine") else raiser,
        waiting_for=user if p.get("waiting") else None,
        overdue_at=service.clock.now() if p.get("overdue") else None,
        child=filters.child(
            settings.case_reference_pattern, child, service.queries.case_references()
        )
        if child
        else None,
        stages=filters.stage_keys(service.workflows.values(), stage) if stage else frozenset(),
        team=filters.team(people.teams(settings.people), team) if team else None,
        category=filters.category(settings.categories, category) if category else None,
        workflow=service.workflow(workflow).name if workflow else None,
        search=search.strip() if search and search.strip() else None,
    )


def standings(
    service: EscalationService, escalations: list[Escalation]
) -> list[tuple[Escalation, Standing]]:
    now, calendar = service.clock.now(), service.calendar
    return [(esc, queue.standing(esc, calendar, now)) for esc in escalations]


def matching(
    service: EscalationService, user: str, p: dict[str, Any]
) -> tuple[list[tuple[Escalation, Standing]], queue.Counts]:
    """What ``p`` keeps that ``user`` may see, in the order asked for, and the counts of it by
    deadline before the deadline window (``due``) narrows it."""
    chosen = chosen_filter(service, user, p)
    window = queue.window(p["due"]) if p.get("due") else None
    sort = queue.sort_key(p["sort"]) if p.get("sort") else "due"
    found = standings(service, service.viewing.allowed(service.find(chosen), user))
    counts = queue.counted(where for _, where in found)
    if window is not None:
        found = [item for item in found if item[1].within(window)]
    return queue.ordered(found, sort, lambda esc: _rank(service, esc)), counts


def _rank(service: EscalationService, esc: Escalation) -> int:
    """``esc``'s stage's place on its ladder (an outcome after every stage)."""
    names = service.spec_for(esc).stage_names
    return names.index(esc.stage) if esc.stage in names else len(names)


def item(
    service: EscalationService, esc: Escalation, where: Standing, unseen: str | None = None
) -> dict[str, Any]:
    """``esc`` as a list shows it: its facts, where it stands against its deadline, and
    (``unseen``) whether it is ``new`` to the person or ``changed`` since they last saw it."""
    data = readmodel.escalation(service, esc)
    data["unseen"] = unseen
    data |= {
        "days_left": where.days_left, "overdue_by": where.overdue_by,
        "overdue": where.overdue_by is not None, "breached": where.breached,
        "due_today": where.due_today, "due_this_week": where.due_this_week,
    }  # fmt: skip
    data["shown"]["standing"] = standing_words(where)
    return data


def standing_words(where: Standing) -> str:
    """Where an escalation stands, as a list says it: "Overdue by 3 working days"."""
    if where.overdue_by is not None:
        late = where.overdue_by
        return (
            f"Overdue by {late} working day{'s' if late != 1 else ''}" if late else "Overdue today"
        )
    if where.breached:
        return "Past its timescale"
    if where.due_today:
        return "Due today"
    if where.days_left is None:
        return "-"
    return f"{where.days_left} working day{'s' if where.days_left != 1 else ''} left"


def items(
    service: EscalationService, user: str, shown: list[tuple[Escalation, Standing]]
) -> list[dict[str, Any]]:
    """``shown`` as a list shows it to ``user``: what is new to them or changed since they
    looked read once for the whole list."""
    unseen = service.viewing.unseen_changes(user, [esc for esc, _ in shown])
    return [item(service, esc, where, unseen.get(esc.reference)) for esc, where in shown]


def run_list(service: EscalationService, username: str, _: Any, p: dict[str, Any]) -> Any:
    """Every escalation ``p`` keeps that ``username`` may see (one look in the access log)."""
    user = service.settings.person(username).username
    found, _counts = matching(service, user, p)
    service.viewing.record_shown(user, [esc for esc, _ in found], "list")
    return items(service, user, found)


def run_queue(service: EscalationService, username: str, _: Any, p: dict[str, Any]) -> Any:
    """Page ``page`` of what ``p`` keeps that ``username`` may see, with the counts by deadline
    and how many pages there are (the last, where the page asked for is past it)."""
    user = service.settings.person(username).username
    page = p.get("page", 1)
    if not 1 <= page <= 100_000:
        raise InvalidInput(f"page must be a whole number from 1 to 100,000, got {page}.")
    found, counts = matching(service, user, p)
    pages = max(1, -(-len(found) // PAGE))
    page = min(page, pages)
    shown = found[(page - 1) * PAGE : page * PAGE]
    service.viewing.record_shown(user, [esc for esc, _ in shown], "list")
    return {
        "items": items(service, user, shown),
        "total": len(found), "page": page, "pages": pages, "per_page": PAGE,
        "counts": {"overdue": counts.overdue, "today": counts.today, "week": counts.week,
                   "all": counts.total},
        "sorts": queue.SORTS,
    }  # fmt: skip
