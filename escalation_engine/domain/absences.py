"""Who is away today: config.yaml's ``away: true``, overridden by ``escalate away`` and
``escalate back`` marks, with a mark's last day passing by itself.

Pure: given the people, the latest marks and today's date, it says how everyone stands, and who
may mark whom. The service records marks and re-routes what they change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta

from escalation_engine.domain.inputs import AWAY_UNTIL
from escalation_engine.domain.people import Person
from escalation_engine.errors import InvalidInput, PermissionDenied

#: The furthest ahead an absence may be marked to end.
LONGEST = timedelta(days=366)

Marks = Mapping[str, tuple[bool, "date | None"]]


def as_marked(people: Mapping[str, Person], marks: Marks, today: date) -> dict[str, Person]:
    """``people`` as the marks leave them today (a mark whose last day has passed is over)."""
    marked = dict(people)
    for username, (away, until) in marks.items():
        person = marked.get(username)
        if person is None:
            continue
        if away and until is not None and until < today:
            away, until = False, None
        marked[username] = replace(person, away=away, away_until=until if away else None)
    return marked


def ended(marks: Marks, today: date) -> list[str]:
    """Who was marked away until a day that has now passed, and is not yet marked back."""
    return sorted(u for u, (away, until) in marks.items() if away and until and until < today)


def managers_of(people: Mapping[str, Person], username: str) -> list[str]:
    """Everyone up ``username``'s line of management, nearest first."""
    chain: list[str] = []
    manager = people[username].manager
    while manager and manager in people and manager not in chain:
        chain.append(manager)
        manager = people[manager].manager
    return chain


def check_mark(
    people: Mapping[str, Person],
    by: Person,
    who: Person,
    *,
    away: bool,
    until: date | None,
    today: date,
) -> None:
    """Refuse a mark that ``by`` may not make, or that says nothing true: only the person or
    someone up their line of management marks them; ``until`` is today or later, within a year."""
    line = managers_of(people, who.username)
    if by.username != who.username and by.username not in line:
        may = ", ".join([who.username, *line])
        raise PermissionDenied(
            f"{by.name} ({by.username}) may not mark {who.username} {'away' if away else 'back'}:"
            f" only {who.username} or someone up their line of management may ({may})."
        )
    if not away:
        if until is not None:
            raise InvalidInput(
                "A last day away goes with marking someone away, not back.", given=AWAY_UNTIL
            )
        if not who.away:
            raise InvalidInput(
                f"{who.username} is not marked away, so cannot be marked back. Nothing was written."
            )
        return
    if until is not None and until < today:
        raise InvalidInput(
            f"The last day away, {until}, has passed; give the last day {who.username} is away"
            f" (today, {today}, or later).",
            given=AWAY_UNTIL,
        )
    if until is not None and until > today + LONGEST:
        raise InvalidInput(
            f"The last day away, {until}, is more than a year ahead; mark {who.username} away"
            " with no last day, and back when they return.",
            given=AWAY_UNTIL,
        )


def phrase(people: Mapping[str, Person], usernames: list[str]) -> str:
    """ "jo is away until 4 Dec", "ellie and jo are away"."""
    if len(usernames) == 1:
        until = people[usernames[0]].away_until
        return f"{usernames[0]} is away" + (f" until {until.day} {until:%b}" if until else "")
    return f"{' and '.join(usernames)} are away"
