"""One exception tree for everything the engine refuses to do.

Every message names the bad value and says what is allowed or how to fix it, because the
people who read them are IROs and managers, not programmers. The CLI catches
``EscalationError`` once and prints ``str(error)``; nothing else needs to know the subclasses.

::

    EscalationError
    ├── ConfigError                 config.yaml is missing, malformed or inconsistent
    ├── DefinitionError             a workflow file has problems (all of them, listed)
    ├── NotFound (LookupError)
    │   ├── EscalationNotFound      no escalation with that reference
    │   ├── WorkflowNotFound        no workflow or alert type with that name
    │   └── UnknownUser             no person with that username in config.yaml
    ├── InvalidInput (ValueError)   a malformed case reference, category, date, rating…
    ├── PermissionDenied            the acting person lacks a role the workflow requires
    ├── SignInRefused               a sign-in failed (saying no more than that)
    ├── TransitionNotAllowed        the action is not allowed at the escalation's stage
    └── ConcurrentUpdate            someone else changed the escalation first
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Protocol


def did_you_mean(value: str, allowed: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` when ``value`` is close to one allowed name, else ``""``."""
    matches = difflib.get_close_matches(value, list(allowed), n=1, cutoff=0.6)
    return f" Did you mean {matches[0]!r}?" if matches else ""


def one_of(allowed: Iterable[str]) -> str:
    """Render a list of allowed names for a message: ``'a', 'b' or 'c'``."""
    names = [repr(name) for name in allowed]
    if not names:
        return "(none)"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " or " + names[-1]


class EscalationError(Exception):
    """Base class of every error the engine raises on purpose."""


class ConfigError(EscalationError):
    """config.yaml is missing, malformed or names something that does not exist."""


class IntegrityError(EscalationError):
    """What was read back (a restored backup) does not verify: it must not be used."""


class DefinitionError(EscalationError):
    """A workflow definition has one or more problems; ``problems`` lists each one."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        count = len(problems)
        listing = "\n".join(f"  - {problem}" for problem in problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{source}: {count} {noun}:\n{listing}")


class NotFound(EscalationError, LookupError):
    """Something named on the command line does not exist."""


class EscalationNotFound(NotFound):
    """No escalation has the given reference."""


def not_found_or_not_yours(reference: str) -> EscalationNotFound:
    """The one refusal for a reference that does not exist and for one the person may not see:
    the same words and the same status, so that nobody learns from it what exists."""
    return EscalationNotFound(
        f"No escalation has the reference {reference[:40]!r} that you may see. References look"
        " like ESC-2026-0042; 'escalate list' shows the ones you may see, and the IRO manager"
        " sees every escalation."
    )


class WorkflowNotFound(NotFound):
    """No workflow (or alert type within it) has the given name."""


class UnknownUser(NotFound):
    """The acting user is not listed in config.yaml."""


class Given(Protocol):
    """Something a person gives, as each door spells it: its name in the API and the desk's
    forms, its option on the command line, and its label on the desk."""

    @property
    def name(self) -> str: ...

    @property
    def option(self) -> str: ...

    @property
    def metavar(self) -> str: ...

    @property
    def label(self) -> str: ...


class InvalidInput(EscalationError, ValueError):
    """A value given by a person is malformed or out of range.

    The message names the fact ("the new deadline"), never how a door spells it; ``given`` says
    which input it is about, so the command line can add its option and the desk mark its
    field."""

    def __init__(self, message: str, *, given: Given | None = None) -> None:
        super().__init__(message)
        self.given = given


class PermissionDenied(EscalationError):
    """The acting person does not hold a role the workflow allows for this action."""


class SignInRefused(EscalationError):
    """A sign-in failed; the message says so without saying whether the username exists."""


class TooManyAttempts(SignInRefused):
    """Too many sign-ins have failed from one address lately; it must wait."""


class TransitionNotAllowed(EscalationError):
    """The action is not one the escalation's current stage allows."""

    def __init__(self, reference: str, action: str, stage: str, allowed: Iterable[str]) -> None:
        self.reference = reference
        self.action = action
        self.stage = stage
        self.allowed = sorted(set(allowed))
        commands = [name.replace("_", "-") for name in self.allowed]
        hint = (
            f"Actions allowed there: {', '.join(commands)}."
            if commands
            else "No action is allowed there."
        )
        command = action.replace("_", "-")
        super().__init__(f"Cannot {command} {reference} at stage {stage!r}. {hint}")


class ConcurrentUpdate(EscalationError):
    """The escalation changed between reading it and writing the change."""


class Busy(EscalationError):
    """The database stayed busy with other writers for longer than a writer waits."""


class DatabaseUnavailable(EscalationError):
    """The database could not be reached (a failover under way, or it is down); nothing of the
    request was saved."""


class OutcomeUnknown(EscalationError):
    """The connection to the database was lost after something may have been saved; trying again
    blindly could do it twice."""


def http_status(exc: EscalationError) -> int:
    """The HTTP status that says what kind of refusal ``exc`` is (the API's and the pages')."""
    for kind, code in ((TooManyAttempts, 429), (SignInRefused, 401), (PermissionDenied, 403), (NotFound, 404),
                       (TransitionNotAllowed, 409), (ConcurrentUpdate, 409), (InvalidInput, 422), (Busy, 503),
                       (DatabaseUnavailable, 503), (OutcomeUnknown, 503)):  # fmt: skip
        if isinstance(exc, kind):
            return code
    return 400
