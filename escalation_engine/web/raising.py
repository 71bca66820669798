"""The raise-an-alert form: what a person may choose (the alert types their roles may raise,
the categories, teams and ratings config.yaml and the workflows give), and how the form becomes
the ``raise`` operation's parameters, which checks everything as it does for the CLI."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from escalation_engine.service import EscalationService

FIELDS = frozenset({"kind", "case_refs", "category", "team", "summary", "rating", "looked_after"})


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
    return {
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
    for name in ("team", "rating"):
        if sent.get(name, "").strip():
            params[name] = sent[name].strip()
    return params
