"""Who an escalation is with, and who may act on it: by role and team, never by named person.

A stage names roles. The people holding a responder role in the escalation's team are preferred;
if none are in that team, anyone holding the role (service-wide roles such as the director); if
all of them are away, the stage's stand-in role (for example the duty manager).
"""

from __future__ import annotations

from collections.abc import Iterable

from .config import Person
from .errors import PermissionDenied, one_of
from .escalation import Escalation
from .spec.model import OWN_ALERT_ACTIONS, RAISER, StageSpec, WorkflowSpec


def holders(people: Iterable[Person], roles: Iterable[str], team: str) -> tuple[str, ...]:
    """Usernames of present people holding any of ``roles``, preferring ``team``."""
    wanted = set(roles)
    present = [p for p in people if wanted & set(p.roles) and not p.away]
    in_team = [p for p in present if p.team == team]
    return tuple(sorted(p.username for p in (in_team or present)))


def route(
    people: Iterable[Person], stage: StageSpec, escalation: Escalation
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The roles and people a stage's response is waiting on."""
    people = list(people)
    if escalation.status == "responded":
        # A judge who has accepted is no longer waited on (all_of stages wait for the rest).
        roles = tuple(r for r in stage.satisfied_by.roles if r not in escalation.satisfied)
        named = [escalation.raised_by] if RAISER in roles else []
        others = holders(people, [r for r in roles if r != RAISER], escalation.team)
        return roles, tuple(sorted({*named, *others}))
    chosen = holders(people, stage.responders.roles, escalation.team)
    if chosen or not stage.stand_in:
        return stage.responders.roles, chosen
    return stage.stand_in, holders(people, stage.stand_in, escalation.team)


def satisfies(person: Person, roles: Iterable[str], escalation: Escalation | None) -> list[str]:
    """Which of ``roles`` ``person`` fills for ``escalation`` (``raiser`` included)."""
    filled = [role for role in roles if role in person.roles]
    if RAISER in roles and escalation is not None and escalation.raised_by == person.username:
        filled.append(RAISER)
    return filled


def authorise(
    spec: WorkflowSpec,
    person: Person,
    action: str,
    escalation: Escalation | None,
    *,
    roles: Iterable[str] | None = None,
) -> list[str]:
    """The roles by which ``person`` may take ``action``; raise ``PermissionDenied`` if none."""
    stage = escalation.stage if escalation is not None else None
    allowed = tuple(roles) if roles is not None else spec.roles_for(action, stage)
    filled = satisfies(person, allowed, escalation)
    if filled and escalation is not None:
        return separate(spec, person, action, escalation, filled)
    if filled:
        return filled
    subject = f" {escalation.reference} at stage {escalation.stage!r}" if escalation else ""
    needs = [
        f"the raiser ({escalation.raised_by})"
        if role == RAISER and escalation
        else role.replace("_", " ")
        for role in allowed
    ]
    held = ", ".join(role.replace("_", " ") for role in person.roles)
    raise PermissionDenied(
        f"{person.name} ({person.username}, {held}) may not"
        f" {action.replace('_', '-')}{subject} under {spec.name}: that needs"
        f" {one_of(needs) if needs else 'a role nobody holds'}."
    )


def separate(
    spec: WorkflowSpec, person: Person, action: str, escalation: Escalation, filled: list[str]
) -> list[str]:
    """``filled`` as separation of duties leaves it: nobody answers, judges or closes an alert
    they raised in another capacity, and a peer of the raiser (another IRO) acts on it only with
    a role the workflow allows for that, or once it is reallocated to them."""
    rules = spec.separation
    who = f"{person.name} ({person.username})"
    verb = action.replace("_", "-")
    if escalation.raised_by == person.username:
        if rules.raiser_only_as_raiser and action in OWN_ALERT_ACTIONS:
            filled = [role for role in filled if role == RAISER]
            if not filled:
                raise PermissionDenied(
                    f"{who} raised {escalation.reference}, so may not {verb} it as"
                    f" {one_of([r.replace('_', ' ') for r in person.roles])}: nobody answers,"
                    " judges or closes an alert they raised. Another holder of the role must."
                )
        return filled
    peers = set(spec.alert_type(escalation.alert_type).raised_by)
    if rules.others_alerts is None or not set(filled) <= peers:
        return filled
    if set(person.roles) & set(rules.others_alerts):
        return filled
    managers = one_of([r.replace("_", " ") for r in rules.others_alerts]) or "nobody"
    raise PermissionDenied(
        f"{who} may not {verb} {escalation.reference}: {escalation.raised_by} raised it, and acting"
        f" on another's alert needs {managers}, or reallocating it first"
        f" (escalate reallocate {escalation.reference} --to {person.username})."
    )
