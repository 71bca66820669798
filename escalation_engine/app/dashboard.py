"""The dashboard: what is open at each stage of each workflow, by team, how much is late, due
today and due this week, and this month's comings and goings (raised, closed, and how they
closed), over the escalations the viewer may see: the whole service for the IRO manager, a
team's for its manager. Each figure names the filters of the escalations page that list what it
counts, so a page can link into that list.

It shows counts only, never an escalation, so it is no look in the access log; the list a
figure links to is.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Any

from escalation_engine.app import queues
from escalation_engine.domain.filters import Filter
from escalation_engine.domain.labels import upper_first

if TYPE_CHECKING:
    from escalation_engine.service import EscalationService


def run_dashboard(service: EscalationService, username: str, _: Any, __: Any) -> Any:
    user = service.settings.person(username).username
    words = service.words
    found, counts = queues.matching(service, user, {})
    at_stage = Counter((esc.workflow, esc.stage) for esc, _ in found)
    late_at = Counter((esc.workflow, esc.stage) for esc, where in found if where.late)
    workflows: list[dict[str, Any]] = []
    for spec in sorted(service.workflows.values(), key=lambda s: s.title):
        stages = [
            {"stage": name, "title": upper_first(words.stage(spec, name)),
             "open": at_stage[spec.name, name], "overdue": late_at[spec.name, name],
             "filters": {"workflow": spec.name, "stage": name}}
            for name in spec.stage_names
        ]  # fmt: skip
        total = sum(at_stage[spec.name, name] for name in spec.stage_names)
        workflows.append({"workflow": spec.name, "title": spec.title, "stages": stages,
                          "open": total})  # fmt: skip
    teams = Counter(esc.team for esc, _ in found)
    late_teams = Counter(esc.team for esc, where in found if where.late)
    month = _this_month(service, user)
    return {
        "counts": {"overdue": counts.overdue, "today": counts.today, "week": counts.week,
                   "all": counts.total},
        "workflows": workflows,
        "teams": [
            {"team": team, "title": words.team(team), "open": teams[team],
             "overdue": late_teams[team], "filters": {"team": team}}
            for team in sorted(teams, key=words.team)
        ],
        "month": month,
    }  # fmt: skip


def _this_month(service: EscalationService, user: str) -> dict[str, Any]:
    """Raised and closed since the first of this month (London), and how they closed."""
    calendar = service.calendar
    today = calendar.local_day(service.clock.now())
    start = datetime(today.year, today.month, 1, tzinfo=calendar.tz)
    touched = service.viewing.allowed(
        service.find(Filter(include_closed=True, touched_since=start)), user
    )
    raised = sum(1 for esc in touched if esc.raised_at >= start)
    closed = [esc for esc in touched if esc.closed_at is not None and esc.closed_at >= start]
    words = service.words
    outcomes = Counter(
        upper_first(words.outcome(service.spec_for(esc), esc.outcome or esc.stage))
        for esc in closed
    )
    return {
        "from": start.date().isoformat(), "title": start.strftime("%B %Y"), "raised": raised,
        "closed": len(closed), "outcomes": dict(sorted(outcomes.items())),
    }  # fmt: skip
