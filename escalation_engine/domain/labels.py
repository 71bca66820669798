"""The words people read: titles for the names the engine keeps, and people's names for usernames.

The engine stores keys (``team_manager``, ``drift_and_delay``, ``referred_to_cafcass``, ``jo``);
people read titles ("Stage 1: team manager", "Drift and delay", "referred to Cafcass", "Jo
Bennett"). Tables, sentences, notifications and errors all take their words from here, so that
they say the same thing, and the action names they show are the commands people type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from escalation_engine.domain.actions import catalogue
from escalation_engine.domain.calendar import LONDON
from escalation_engine.domain.people import Person
from escalation_engine.spec.model import RAISER, WorkflowSpec

#: Outcomes as a sentence says them, unless the workflow gives its own titles.
OUTCOME_TITLES = {
    "resolved": "resolved",
    "withdrawn": "withdrawn",
    "superseded": "superseded",
    "referred_to_cafcass": "referred to Cafcass",
    "unresolved": "unresolved at the top of the ladder",
    "recorded": "recorded (never escalated)",
}

STATUS_TITLES = {
    "awaiting_response": "awaiting a response",
    "holding": "holding response given",
    "responded": "response in, awaiting judgement",
    "awaiting_escalation": "not satisfied, awaiting escalation",
    "closed": "closed",
}


def local(moment: datetime | None) -> str:
    """A moment as people read it, in London time: "Mon 05 Jan 2026 17:00"."""
    return moment.astimezone(LONDON).strftime("%a %d %b %Y %H:%M") if moment else "-"


def local_text(moment: str | None) -> str:
    """An ISO time from the read model (JSON), as ``local`` says it."""
    return local(datetime.fromisoformat(moment)) if moment else "-"


def iso(moment: datetime | None) -> str | None:
    """A moment in London time as ISO 8601 text, for JSON."""
    return moment.astimezone(LONDON).isoformat() if moment else None


def version_words(spec: WorkflowSpec) -> str:
    """Which version of a workflow, as people say it: "Dispute Resolution Protocol, version 2"
    (its digest is for the record, not for reading)."""
    return f"{spec.title}, version {spec.version}"


def command(action: str) -> str:
    """The command a person types for ``action`` (``refer_cafcass`` → ``refer-cafcass``)."""
    return action.replace("_", "-")


def commands(actions: Iterable[str]) -> str:
    return ", ".join(command(a) for a in actions) or "none"


#: Words a key spells in lower case that people write with capitals.
_PROPER = {"cafcass": "Cafcass", "iro": "IRO", "iros": "IROs", "qa": "QA"}


def humanize(key: str) -> str:
    """A key as words: ``referred_to_cafcass`` is "referred to Cafcass"."""
    return " ".join(_PROPER.get(word, word) for word in key.split("_"))


def upper_first(text: str) -> str:
    """``text`` starting with a capital, the rest as it was ("Referred to Cafcass"; where
    ``str.capitalize`` would lower the rest: "Referred to cafcass")."""
    return text[:1].upper() + text[1:]


@dataclass(frozen=True, slots=True)
class Words:
    """Titles for one service's keys (config.yaml), and for one workflow's where given."""

    everyone: Mapping[str, Person]
    role_titles: Mapping[str, str]
    categories: Mapping[str, str]

    def person(self, username: str) -> str:
        person = self.everyone.get(username)
        return person.name if person else username

    def people(self, usernames: Iterable[str]) -> str:
        return ", ".join(self.person(u) for u in usernames)

    def role(self, role: str) -> str:
        if role == RAISER:
            return "the raiser"
        return self.role_titles.get(role) or humanize(role)

    def roles(self, roles: Iterable[str], joiner: str = " or ") -> str:
        return joiner.join(self.role(r) for r in roles)

    def category(self, key: str) -> str:
        return self.categories.get(key) or humanize(key)

    def team(self, key: str) -> str:
        """A team's name, written as a name ("North", "IRO service")."""
        return upper_first(humanize(key))

    @staticmethod
    def outcome(spec: WorkflowSpec | None, key: str) -> str:
        titles = spec.outcome_titles if spec is not None else {}
        return titles.get(key) or OUTCOME_TITLES.get(key) or humanize(key)

    def stage(self, spec: WorkflowSpec, key: str | None) -> str:
        if key is None:
            return "-"
        if key in spec.stage_names:
            return spec.stage(key).title
        return self.outcome(spec, key)

    @staticmethod
    def status(key: str) -> str:
        return STATUS_TITLES.get(key) or humanize(key)

    @staticmethod
    def done(action: str) -> str:
        """What an entry of kind ``action`` did, as a line of a timeline says it."""
        said = catalogue.words(action)
        return said[0] if said else humanize(action)

    def rating(self, spec: WorkflowSpec, key: str | None) -> str:
        if key is None:
            return "-"
        if spec.rag is not None:
            for rating in spec.rag.ratings:
                if rating.name == key:
                    return rating.title
        return key
