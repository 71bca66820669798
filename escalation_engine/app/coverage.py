"""Every stage reaches someone: the check the doors run before they start and report after.

``escalate workflows validate`` prints the gaps; ``run``, ``serve`` and ``db upgrade`` refuse to
start while any stage would reach nobody, naming the escalations already open that would meet it;
``escalate status``, the desk's oversight page and ``/health`` list what stays unreached.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from escalation_engine.domain.coverage import Gap, ahead, gaps
from escalation_engine.domain.filters import Filter
from escalation_engine.domain.people import Person
from escalation_engine.domain.routing import route
from escalation_engine.errors import ConfigError
from escalation_engine.service import EscalationService
from escalation_engine.spec.model import WorkflowSpec


@dataclass(frozen=True, slots=True)
class Coverage:
    """The gaps in the current workflows, and the open escalations that would meet one."""

    gaps: tuple[Gap, ...] = ()
    #: Reference → the first stage ahead of it (or where it is) that would reach nobody.
    affected: Mapping[str, str] = field(default_factory=dict)

    @property
    def stalls(self) -> list[Gap]:
        return [gap for gap in self.gaps if gap.stalls]

    @property
    def warnings(self) -> list[Gap]:
        return [gap for gap in self.gaps if not gap.stalls]

    def affected_lines(self) -> list[str]:
        return [f"{ref} {said}" for ref, said in sorted(self.affected.items())]


def stalls_in(specs: Iterable[WorkflowSpec], people: Mapping[str, Person]) -> list[Gap]:
    return [gap for spec in specs for gap in gaps(spec, people) if gap.stalls]


def coverage(service: EscalationService, *, with_escalations: bool = True) -> Coverage:
    """The gaps the service's workflows leave with its people, and the open escalations (under
    the workflow version each is pinned to) that wait on nobody, are held by a fallback because
    nobody in reach can take them (who is away counts), or would wait on nobody further up."""
    people = service.settings.people
    found = tuple(gap for spec in service.workflows.values() for gap in gaps(spec, people))
    affected: dict[str, str] = {}
    now = service.people_now() if with_escalations else {}
    seen: dict[tuple[str, str, str, str], list[Gap]] = {}  # escalations share their situations
    for escalation in service.find(Filter()) if with_escalations else []:
        spec = service.spec_for(escalation)
        routing = route(now, spec.stage(escalation.stage), escalation)
        if not escalation.with_people:
            affected[escalation.reference] = f"is with nobody now, at {escalation.stage}"
            continue
        if routing.fallback:
            affected[escalation.reference] = (
                f"is held by a fallback at {escalation.stage}: {routing.why}"
            )
            continue
        key = (spec.digest, escalation.stage, escalation.team, escalation.raised_by)
        if key not in seen:
            seen[key] = ahead(spec, escalation, people)
        if seen[key]:
            affected[escalation.reference] = f"would wait on nobody at {seen[key][0].stage}"
    return Coverage(found, affected)


def refusal(doing: str, stalls: list[Gap], affected: Mapping[str, str]) -> ConfigError:
    """The refusal to ``doing`` while ``stalls`` stand: each gap and its fix, and who meets it."""
    lines = [f"Cannot {doing}: a stage would reach nobody; nothing was done."]
    lines += [f"  ✗ {gap.said()}" for gap in stalls]
    if affected:
        lines.append("Open escalations that would stall:")
        lines += [f"  {ref} {said}" for ref, said in sorted(affected.items())]
    lines.append("Fix the workflow or config.yaml, then check with 'escalate workflows validate'.")
    return ConfigError("\n".join(lines))


def refuse_stalls(service: EscalationService, doing: str) -> None:
    """Raise ``ConfigError`` naming every stalling gap and the escalations it affects. The open
    escalations are read only when there is a gap to name them for: start-up stays quick
    however many there are."""
    found = coverage(service, with_escalations=False)
    if found.stalls:
        raise refusal(doing, found.stalls, coverage(service).affected)
