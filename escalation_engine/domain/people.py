"""The people of an IRO service as the rules see them: who they are, their roles, their team, their
manager and whether they are away.

config.yaml lists them (``settings``); away and back marks change how they stand on a given day
(``absences``). Routing, the read rules and the actions are handed them as a mapping by username.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from escalation_engine.errors import UnknownUser, did_you_mean


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    username: str
    name: str
    roles: tuple[str, ...]
    team: str
    email: str = ""
    manager: str | None = None
    away: bool = False
    #: The last day they are away, when marked away until a day (``escalate away --until``).
    away_until: date | None = None


def named(people: Mapping[str, Person], username: str) -> Person:
    """The person ``username`` among ``people``, or a refusal naming the nearest usernames."""
    try:
        return people[username]
    except KeyError:
        raise UnknownUser(
            f"User {username!r} is not listed under people.{did_you_mean(username, people)}"
            " Name someone who is, or add them to the people in config.yaml."
        ) from None


def teams(people: Mapping[str, Person]) -> list[str]:
    """Every team someone belongs to, sorted."""
    return sorted({person.team for person in people.values()})
