"""Whether every stage an escalation can reach has someone to act on it, proved before it runs.

Routing finds people by role within the escalation's reach (its team, that team's line of
management and the raiser's). A stage whose role nobody in that reach holds would be entered with
nobody to answer, judge or carry it on: the escalation would stall unseen. This module walks each
workflow from every stage an alert can enter, for every team that can receive it and every person
who can raise it, and names each stage, team and role that nobody holds, who holds that role
elsewhere, and the fix. Missing responders, judges or escalation-step holders stall the
escalation; missing copies, watchers or addressees only leave someone untold, so they are warnings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.people import Person
from escalation_engine.domain.routing import reach_of
from escalation_engine.spec.model import OUTCOMES, RAISER, StageSpec, WorkflowSpec


@dataclass(frozen=True, slots=True)
class Gap:
    """One stage, for one team, where nobody in reach holds a role the stage needs."""

    workflow: str
    stage: str
    title: str
    team: str
    roles: tuple[str, ...]
    use: str
    stalls: bool
    #: The raiser whose line of management was looked in, when only some raisers lack it.
    raiser: str | None = None
    #: Who holds the role outside the reach (the fix may be ``scope: service``).
    elsewhere: tuple[str, ...] = ()

    def said(self) -> str:
        """The gap as a sentence with its fix."""
        titles = " or ".join(r.replace("_", " ") for r in self.roles)
        article = "an" if titles[:1] in "aeiou" else "a"
        line = f"{self.team}'s line of management" + (f" or {self.raiser}'s" if self.raiser else "")
        verb = "holds" if len(self.elsewhere) == 1 else "hold"
        found = (
            f" ({', '.join(self.elsewhere)} {verb} it outside that reach)" if self.elsewhere else ""
        )
        fixes = ["give the stage `scope: service`"] if self.elsewhere else []
        if self.use == "respond":
            fixes.append("add a `stand_in:` role someone in reach holds")
        fixes.append(
            f"add {article} {titles} to {self.team} or its line of management in config.yaml"
        )
        return (
            f"{self.workflow}, stage {self.stage!r} ({self.title}): for a child in {self.team},"
            f" nobody in {line} is {article} {titles} to {self.use}{found}."
            f" Fix: {', or '.join(fixes)}."
        )


_STALLING = ("respond", "judge", "carry out the escalation step")


def _needs(stage: StageSpec) -> list[tuple[str, tuple[str, ...]]]:
    """What a stage needs, as (use, roles where any one will do)."""
    judges = [r for r in stage.satisfied_by.roles if r != RAISER]
    needs: list[tuple[str, tuple[str, ...]]] = [("respond", stage.responders.roles)]
    if stage.satisfied_by.mode == "all_of":
        needs += [("judge", (role,)) for role in judges]
    elif judges and RAISER not in stage.satisfied_by.roles:
        needs.append(("judge", tuple(judges)))
    if stage.escalation_step is not None:
        needs.append(("carry out the escalation step", stage.escalation_step.by))
    needs += [("be copied", (role,)) for role in stage.copy]
    needs += [("watch", (role,)) for role in stage.watchers]
    needs += [("be told", (role,)) for role in stage.addressees]
    return needs


def _climbs(spec: WorkflowSpec, entry: str) -> list[str]:
    """The stages an escalation entering at ``entry`` can reach by the engine's own moves:
    timeouts, unsatisfactory judgements and reopening. A bypass is the raiser's choice at the time
    and is checked when it is asked for."""
    seen: list[str] = []
    ahead = [entry]
    reopen_to = spec.reopen.to if spec.reopen.allowed and spec.reopen.to != "last_stage" else None
    while ahead:
        name = ahead.pop(0)
        if name in seen or name in OUTCOMES or name not in spec.stage_names:
            continue
        seen.append(name)
        stage = spec.stage(name)
        ahead += [n for n in (stage.on_timeout, stage.on_unsatisfactory, reopen_to) if n]
    return seen


def _entries(spec: WorkflowSpec) -> dict[str, tuple[str, ...]]:
    """Each stage an alert can enter at, with the roles that may raise alerts entering there."""
    entries: dict[str, set[str]] = {}
    for alert in spec.alert_types:
        targets = [alert.enters_at] if alert.enters_at else []
        if spec.rag is not None:
            targets += list(spec.rag.drives.values())
        for target in targets:
            if target in spec.stage_names:
                entries.setdefault(target, set()).update(alert.raised_by)
    return {stage: tuple(sorted(roles)) for stage, roles in entries.items()}


def receiving_teams(
    stage: StageSpec, people: Mapping[str, Person], raisers: Iterable[Person]
) -> list[str]:
    """The teams a child can be in when an alert enters at ``stage``: those whose people hold its
    responders' or stand-ins' roles; for a service-wide stage, the raisers' own."""
    if stage.scope == "service":
        return sorted({p.team for p in raisers})
    roles = {*stage.responders.roles, *stage.stand_in}
    return sorted({p.team for p in people.values() if roles & set(p.roles)})


def _holders_in(people: Mapping[str, Person], roles: Iterable[str], within: set[str]) -> bool:
    wanted = set(roles)
    return any(wanted & set(people[u].roles) for u in within if u in people)


def _missing(
    spec: WorkflowSpec, stage: StageSpec, team: str, raiser: str, people: Mapping[str, Person]
) -> list[Gap]:
    within = reach_of(people, team, raiser)
    everyone = set(people)
    found: list[Gap] = []
    for use, roles in _needs(stage):
        # Judges are found in reach; an escalation step falls back to anyone in the service.
        wide = use == "carry out the escalation step" or (
            use != "judge" and stage.scope == "service"
        )
        looked = everyone if wide else within
        if _holders_in(people, roles, looked):
            continue
        if use == "respond" and stage.stand_in and _holders_in(people, stage.stand_in, looked):
            continue
        elsewhere = tuple(sorted(u for u in everyone - looked if set(roles) & set(people[u].roles)))
        found.append(
            Gap(
                spec.name, stage.name, stage.title, team, roles, use, use in _STALLING,
                raiser, elsewhere,
            )
        )  # fmt: skip
    return found


def gaps(spec: WorkflowSpec, people: Mapping[str, Person]) -> list[Gap]:
    """Every stage x team x role in ``spec`` that nobody in reach holds, for every team that can
    receive an alert and every person who can raise one. A gap only some raisers' lines leave
    names the first such raiser; one that none fills is the team's alone."""
    lacking: dict[tuple[str, str, tuple[str, ...], str], list[Gap]] = {}
    raisers_of: dict[tuple[str, str, tuple[str, ...], str], set[str]] = {}
    for entry, raising in _entries(spec).items():
        raisers = sorted(
            (p for p in people.values() if set(raising) & set(p.roles)), key=lambda p: p.username
        )
        for team in receiving_teams(spec.stage(entry), people, raisers):
            for name in _climbs(spec, entry):
                for raiser in raisers:
                    for gap in _missing(spec, spec.stage(name), team, raiser.username, people):
                        key = (gap.stage, gap.team, gap.roles, gap.use)
                        lacking.setdefault(key, []).append(gap)
                    for key in [
                        (name, team, roles, use) for use, roles in _needs(spec.stage(name))
                    ]:
                        raisers_of.setdefault(key, set()).add(raiser.username)
    found = []
    for key, each in lacking.items():
        everyone_lacks = {g.raiser for g in each} >= raisers_of[key]
        found.append(replace(each[0], raiser=None) if everyone_lacks else each[0])
    return found


def ahead(spec: WorkflowSpec, escalation: Escalation, people: Mapping[str, Person]) -> list[Gap]:
    """The stalling gaps an open escalation would meet, at its stage or on its climb, for its
    own team and raiser."""
    found: list[Gap] = []
    for name in _climbs(spec, escalation.stage):
        found += [
            g
            for g in _missing(spec, spec.stage(name), escalation.team, escalation.raised_by, people)
            if g.stalls
        ]
    return found
