"""The raise-an-alert form: what a person may choose (the alert types their roles may raise,
the categories, teams and ratings config.yaml and the workflows give), and how the form becomes
the ``raise`` operation's parameters, which checks everything as it does for the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from escalation_engine.domain.labels import humanize, upper_first
from escalation_engine.errors import EscalationError
from escalation_engine.spec.model import CLOCK_STARTS, AlertType, StageSpec, WorkflowSpec

if TYPE_CHECKING:
    from escalation_engine.service import EscalationService

FIELDS = frozenset({"kind", "case_refs", "category", "team", "summary", "rating", "looked_after",
                    "due"})  # fmt: skip
#: A named date an alert type's first stage counts from ("review_date") is posted as
#: ``date_review_date``.
DATE = "date_"


def _entry(spec: WorkflowSpec, alert: AlertType) -> StageSpec | None:
    name = alert.enters_at or spec.stage_names[0]
    return spec.stage(name) if name in spec.stage_names else None


def dates_asked(specs: Iterable[WorkflowSpec]) -> dict[str, list[str]]:
    """Each named date a first stage's clock counts from, with the kinds of alert that ask for
    it ("review_date": ["Case Alert: ..."])."""
    found: dict[str, list[str]] = {}
    for spec in specs:
        for alert in spec.alert_types:
            stage = _entry(spec, alert)
            if stage is not None and stage.starts not in CLOCK_STARTS:
                found.setdefault(stage.starts, []).append(f"{spec.title}: {alert.title}")
    return found


def fields(service: EscalationService) -> frozenset[str]:
    """Every field the raise form may post, its named dates included."""
    return FIELDS | {DATE + name for name in dates_asked(service.workflows.values())}


def choices(service: EscalationService, username: str) -> dict[str, Any]:
    """The form's options for ``username``."""
    person = service.settings.person(username)
    kinds = [
        (f"{spec.name}:{alert.name}", f"{spec.title}: {alert.title}")
        for spec in sorted(service.workflows.values(), key=lambda s: s.title)
        for alert in spec.alert_types
        if set(alert.raised_by) & set(person.roles)
    ]
    ratings = {
        rating.name: rating.label or rating.title
        for spec in service.workflows.values() if spec.rag is not None
        for rating in spec.rag.ratings
    }  # fmt: skip
    teams = sorted({p.team for p in service.settings.people.values() if p.team})
    mine = [spec for spec in service.workflows.values()
            if any(set(a.raised_by) & set(person.roles) for a in spec.alert_types)]  # fmt: skip
    due = [
        f"{spec.title}: {alert.title}"
        for spec in mine for alert in spec.alert_types
        if (stage := _entry(spec, alert)) is not None and stage.clock.kind == "set_by_raiser"
    ]  # fmt: skip
    return {
        "dates": [
            (DATE + name, upper_first(humanize(name)), kinds)
            for name, kinds in dates_asked(mine).items()
        ],  # fmt: skip
        "due_for": due,
        "kinds": kinds,
        "categories": list(service.settings.categories.items()),
        "teams": [(team, service.words.team(team)) for team in teams],
        "ratings": list(ratings.items()),
    }


def params_of(sent: dict[str, str]) -> dict[str, Any]:
    """The ``raise`` operation's parameters from the posted form (blank fields left out)."""
    workflow, _, alert_type = sent.get("kind", "").partition(":")
    params: dict[str, Any] = {
        "alert_type": alert_type,
        "case_refs": [
            part.strip() for part in sent.get("case_refs", "").split(",") if part.strip()
        ],
        "category": sent.get("category", ""),
        "summary": sent.get("summary", ""),
        "looked_after": sent.get("looked_after", "yes") != "no",
    }
    if workflow:
        params["workflow"] = workflow
    for name in ("team", "rating", "due"):
        if sent.get(name, "").strip():
            params[name] = sent[name].strip()
    dates = {
        name[len(DATE) :]: value.strip()
        for name, value in sent.items() if name.startswith(DATE) and value.strip()
    }  # fmt: skip
    if dates:
        params["dates"] = dates
    return params


def field_of(refused: EscalationError | None, shown: dict[str, Any]) -> str | None:
    """The id of the raise form's field ``refused`` is about, where it names one."""
    given = getattr(refused, "given", None)
    if given is None:
        return None
    if given.name == "dates":
        return shown["dates"][0][0] if shown["dates"] else None
    return given.name if given.name in FIELDS else None
