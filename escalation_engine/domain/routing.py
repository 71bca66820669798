"""Who an escalation is with, and who may act on it: by role, team and line of management,
never by named person.

An escalation reaches the people of its team, everyone up their line of management, and the
raiser's own line (where the IRO manager is). A stage's responders are the holders of its roles
within that reach, the team's own first; a stage with ``scope: service`` reaches anyone holding
the role. When they are all away, the stage's stand-in for that team takes it, else the away
responder's own manager; with neither, the stage's fallback roles anywhere in the service, then
the IRO manager. It is never with nobody, and the trail records why it went where it went.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from escalation_engine.domain.absences import phrase
from escalation_engine.domain.actions import catalogue
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.people import Person
from escalation_engine.errors import PermissionDenied, one_of
from escalation_engine.spec import vocabulary
from escalation_engine.spec.model import ANSWERING, IRO_MANAGER, RAISER, StageSpec, WorkflowSpec


def reach(people: Mapping[str, Person], escalation: Escalation) -> set[str]:
    """Usernames in the escalation's team, up its line of management, and up the raiser's."""
    return reach_of(people, escalation.team, escalation.raised_by)


def reach_of(people: Mapping[str, Person], team: str, raiser: str) -> set[str]:
    """Usernames in ``team``, up its line of management, and up ``raiser``'s."""
    seeds = [p.username for p in people.values() if p.team == team]
    seeds.append(raiser)
    reached: set[str] = set()
    for username in seeds:
        while username and username not in reached and username in people:
            reached.add(username)
            username = people[username].manager or ""
    return reached


def holders(
    people: Mapping[str, Person], roles: Iterable[str], escalation: Escalation, scope: str = "team"
) -> tuple[str, ...]:
    """Usernames of present people holding any of ``roles`` within the escalation's reach (or
    anywhere, for ``scope: service``), the escalation's team first."""
    wanted = set(roles)
    within = reach(people, escalation) if scope == "team" else set(people)
    present = [
        p for p in people.values() if wanted & set(p.roles) and not p.away and p.username in within
    ]
    in_team = [p for p in present if p.team == escalation.team]
    return tuple(sorted(p.username for p in (in_team or present)))


@dataclass(frozen=True, slots=True)
class Routing:
    """Who a stage is waiting on, and, when it is not the stage's own responders, why.
    ``fallback`` marks a stage nobody in reach could take: it stays an alarm until it can."""

    roles: tuple[str, ...]
    people: tuple[str, ...]
    why: str | None = None
    fallback: bool = False


def _title(role: str) -> str:
    return role.replace("_", " ")


def _titles(roles: Iterable[str]) -> str:
    return " or ".join(sorted(map(_title, roles)))


def route(people: Mapping[str, Person], stage: StageSpec, escalation: Escalation) -> Routing:
    """The roles and people a stage's response (or its judgement) is waiting on; never nobody."""
    if escalation.status == "awaiting_escalation" and stage.escalation_step is not None:
        by = stage.escalation_step.by
        chosen = holders(people, by, escalation) or holders(people, by, escalation, "service")
        if chosen:
            return Routing(by, chosen)
        return last_resort(people, stage, escalation, f"nobody present is a {_titles(by)}")
    if escalation.status == "responded":
        # A judge who has accepted is no longer waited on (all_of stages wait for the rest).
        roles = tuple(r for r in stage.satisfied_by.roles if r not in escalation.satisfied)
        named = [escalation.raised_by] if RAISER in roles else []
        others = holders(people, [r for r in roles if r != RAISER], escalation)
        if named or others or not roles:
            return Routing(roles, tuple(sorted({*named, *others})))
        cause = f"nobody present in {escalation.team}'s reach is a {_titles(roles)}"
        return last_resort(people, stage, escalation, cause)
    chosen = holders(people, stage.responders.roles, escalation, stage.scope)
    if chosen:
        return Routing(stage.responders.roles, chosen)
    wanted = set(stage.responders.roles)
    within = reach(people, escalation) if stage.scope == "team" else set(people)
    away = sorted(
        p.username
        for p in people.values()
        if wanted & set(p.roles) and p.away and p.username in within
    )
    cause = phrase(people, away) if away else f"nobody in {escalation.team} is a {_titles(wanted)}"
    stand_ins = holders(people, stage.stand_in, escalation, stage.scope) if stage.stand_in else ()
    if stand_ins:
        titles = ", ".join(_title(r) for r in stage.stand_in)
        return Routing(
            stage.stand_in,
            stand_ins,
            f"{cause}: with {', '.join(stand_ins)}, {titles} for {escalation.team}",
        )
    managers = sorted(
        {
            manager
            for username in away
            if (manager := people[username].manager or "") in people and not people[manager].away
        }
    )
    if managers:
        return Routing(
            tuple(sorted({r for m in managers for r in people[m].roles})),
            tuple(managers),
            f"{cause}: with {', '.join(managers)}, {'their' if len(away) > 1 else 'the'} manager",
        )
    return last_resort(people, stage, escalation, f"{cause}, and nobody stands in")


def last_resort(
    people: Mapping[str, Person], stage: StageSpec, escalation: Escalation, cause: str
) -> Routing:
    """Where a stage goes when nobody in reach can take it: the stage's ``fallback`` roles, then
    the IRO manager (present, else away: they are told, and it is never with nobody), then, in a
    service with no IRO manager at all, the raiser. It stays an alarm until someone who can take
    it is back in reach."""
    fallbacks = holders(people, stage.fallback, escalation, "service") if stage.fallback else ()
    if fallbacks:
        return Routing(
            stage.fallback,
            fallbacks,
            f"{cause}: with {', '.join(fallbacks)}, {_titles(stage.fallback)} (the stage's"
            " fallback) until someone who can take it is in reach",
            fallback=True,
        )
    managers = holders(people, (IRO_MANAGER,), escalation, "service") or tuple(
        sorted(p.username for p in people.values() if IRO_MANAGER in p.roles)
    )
    if managers:
        return Routing(
            (IRO_MANAGER,),
            managers,
            f"{cause}: with {', '.join(managers)}, the IRO manager, until someone who can take"
            " it is in reach",
            fallback=True,
        )
    return Routing(
        (RAISER,),
        (escalation.raised_by,),
        f"{cause}, and the service has no IRO manager: with {escalation.raised_by}, who raised"
        " it, until someone who can take it is in reach",
        fallback=True,
    )


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
    people: Mapping[str, Person] | None = None,
) -> list[str]:
    """The roles by which ``person`` may take ``action``; raise ``PermissionDenied`` if none.
    Given ``people``, a stage action in a stage role needs the person within the escalation's
    reach."""
    stage = escalation.stage if escalation is not None else None
    allowed = tuple(roles) if roles is not None else spec.roles_for(action, stage)
    if action in ANSWERING and escalation is not None and person.username in escalation.with_people:
        # Whoever it was routed to (a stand-in, the away responder's manager) may answer it.
        allowed = (*allowed, *escalation.with_roles)
    filled = satisfies(person, allowed, escalation)
    if filled and escalation is not None:
        if people is not None:
            _within_reach(spec, people, person, action, escalation, filled)
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
        if rules.raiser_only_as_raiser and action in vocabulary.own_alert():
            filled = [role for role in filled if role == RAISER]
            if not filled:
                raise PermissionDenied(
                    f"{who} raised {escalation.reference}, so may not {verb} it as"
                    f" {' or '.join(map(_title, person.roles))}: nobody answers,"
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
        f" on another's alert needs {managers}, or reallocating it to {person.username} first."
    )


def _within_reach(
    spec: WorkflowSpec,
    people: Mapping[str, Person],
    person: Person,
    action: str,
    escalation: Escalation,
    filled: list[str],
) -> None:
    defined = catalogue.find(action)
    if defined is None or not defined.reached or RAISER in filled:
        return
    stage = spec.stage(escalation.stage)
    if stage.scope == "service" or person.username in escalation.with_people:
        return
    if person.username in reach(people, escalation):
        return
    held = ", ".join(_title(role) for role in person.roles)
    with_whom = (
        f"; it is with {', '.join(escalation.with_people)}" if escalation.with_people else ""
    )
    raise PermissionDenied(
        f"{person.name} ({person.username}, {held} in {person.team}) may not {action} on"
        f" {escalation.reference}: it is about a child in {escalation.team}{with_whom}. Only people"
        f" in {escalation.team} and its line of management may act on it at this stage."
    )
