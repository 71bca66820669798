"""Who may see an escalation: the read rules, as a pure decision with its reason.

A concern about a looked-after child is read by the people it involves and no one else. An IRO
sees the alerts they raised, those they are copied on, and those about children they have raised
alerts about (their own caseload). A manager sees what is or was with their tier: escalations
they were waited on for, or that reached a stage their role answers within their reach (their
team, the teams below them, and the raiser's line). The IRO manager and auditors see everything.
Everyone else is refused, and told why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.people import Person
from escalation_engine.domain.routing import reach

#: Roles that see every escalation: the IRO service's manager, and the auditors.
SEE_ALL = ("iro_manager", "auditor")
#: The role that answers a child's subject-access request (and sees nothing else by it).
DATA_PROTECTION = "data_protection_officer"


@dataclass(frozen=True, slots=True)
class Involvement:
    """What the trail says of who an escalation has involved, for the read rules."""

    #: Everyone it has waited on at some stage.
    waited_on: frozenset[str] = frozenset()
    #: Everyone copied, watching, addressed or told as the raiser's manager.
    told: frozenset[str] = frozenset()
    #: The roles that answer (respond or judge) at the stages it has reached.
    stage_roles: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Sight:
    allowed: bool
    why: str


def sight(
    person: Person,
    escalation: Escalation,
    involvement: Involvement,
    people: Mapping[str, Person],
    own_cases: frozenset[str],
) -> Sight:
    """Whether ``person`` may see ``escalation``, and on what ground (or why not).

    ``own_cases``: the case references of the alerts ``person`` has raised."""
    if held := [role for role in SEE_ALL if role in person.roles]:
        return Sight(True, f"as {held[0].replace('_', ' ')}")
    if person.username == escalation.raised_by:
        return Sight(True, "raised by them")
    if person.username in involvement.told:
        return Sight(True, "copied on it")
    if person.username in involvement.waited_on:
        return Sight(True, "it was with them")
    if own_cases & set(escalation.case_refs):
        return Sight(True, "about a child they have raised alerts about")
    in_reach = person.username in reach(people, escalation)
    if in_reach and involvement.stage_roles & set(person.roles):
        return Sight(True, "it reached their tier in their line")
    return Sight(
        False,
        f"{person.name} ({person.username}) may not see {escalation.reference}: it was not raised"
        " by them, they are not copied on it, it concerns no child they have raised alerts about,"
        " and it has not been with their tier in their team or the teams below them. The IRO"
        " manager and auditors see every escalation.",
    )
