"""The form for each action a person may take on an escalation, generated from the action's
definition: a field for each of its inputs, the reason where the outcome it closes with has
reasons, and the note; and how a posted form becomes the parameters of the ``act`` operation
(the same the API takes).

Nothing here is written per action, so an input can never be offered on the command line and not
on the desk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from escalation_engine.domain.actions import catalogue
from escalation_engine.domain.actions.base import NOTE, REASON, Action, Input
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.labels import Words, upper_first
from escalation_engine.domain.machine import machine_for
from escalation_engine.errors import EscalationError
from escalation_engine.spec.model import OUTCOMES, RAISER, WorkflowSpec
from escalation_engine.web.forms import FIELD


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str
    #: ``textarea``, ``text``, ``select``, ``checkbox`` (one yes/no) or ``checkboxes`` (several).
    kind: str
    hint: str = ""
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ActionForm:
    action: str
    title: str
    summary: str
    fields: tuple[Field, ...]


def fields_posted() -> frozenset[str]:
    """Every field an action's form may post."""
    names = {"note", "reason", "expected_version"}
    for action in catalogue.actions():
        names |= {given.name for given in action.command.inputs()}
    return frozenset(names)


def forms_for(
    spec: WorkflowSpec, escalation: Escalation, actions: list[str], words: Words
) -> list[ActionForm]:
    """A form for each of ``actions`` (those the person may take now), in the catalogue's order:
    the one a person most often takes (respond) first, open."""
    order = {name: n for n, name in enumerate(catalogue.names())}
    found = [catalogue.find(name) for name in sorted(actions, key=lambda a: order.get(a, 999))]
    return [_form(spec, escalation, action, words) for action in found if action is not None]


def _choices(
    spec: WorkflowSpec, escalation: Escalation, action: Action, given: Input, words: Words
) -> tuple[tuple[str, str], ...]:
    if given.kind == "stage":
        targets = machine_for(spec).targets(escalation.stage, action.name)
        return tuple((t, words.stage(spec, t)) for t in targets)
    if given.kind == "rating" and spec.rag is not None:
        return tuple((r.name, r.label or r.title) for r in spec.rag.ratings)
    if given.kind == "roles":
        return tuple((role, upper_first(words.role(role))) for role in (*spec.roles, RAISER))
    return ()


def _field(
    spec: WorkflowSpec, escalation: Escalation, action: Action, given: Input, words: Words
) -> Field:
    choices = _choices(spec, escalation, action, given, words)
    if given.kind == "flag":
        kind = "checkbox"
    elif given.many:
        kind = "checkboxes"
    elif choices:
        kind = "select"
    else:
        kind = "textarea" if given.kind == "long_text" else "text"
    return Field(given.name, given.label, kind, given.hint, given.required, choices)


def _closes_with(spec: WorkflowSpec, escalation: Escalation, action: Action) -> set[str]:
    """The outcomes ``action`` may close the escalation with from where it is."""
    return {
        move.dest
        for move in action.moves(spec)
        if move.source == escalation.stage and move.dest in OUTCOMES
    }


def _form(spec: WorkflowSpec, escalation: Escalation, action: Action, words: Words) -> ActionForm:
    fields = [_field(spec, escalation, action, given, words) for given in action.command.inputs()]
    reasons = {
        key: text
        for outcome in sorted(_closes_with(spec, escalation, action))
        for key, text in spec.outcome_reasons.get(outcome, {}).items()
    }
    if reasons and action.command.CLOSES:
        fields.append(Field(REASON.name, REASON.label, "select", required=True,
                            choices=tuple(reasons.items())))  # fmt: skip
    hint = f"For example: {action.example}" if action.example else ""
    fields.append(Field(NOTE.name, NOTE.label, "textarea", hint, action.note_required))
    return ActionForm(action.name, action.title, action.summary, tuple(fields))


def params_of(form: FormData, action: str) -> dict[str, Any]:
    """The ``act`` operation's parameters from a form posted for ``action`` (blank fields left
    out)."""
    params: dict[str, Any] = {}
    version = form.get("expected_version")
    if isinstance(version, str) and version.strip():
        params["expected_version"] = int(version) if version.isdigit() else -1
    defined = catalogue.find(action)
    inputs = (NOTE, REASON, *(defined.command.inputs() if defined is not None else ()))
    for given in inputs:
        if given.many:
            chosen = [v.strip() for v in form.getlist(given.name) if isinstance(v, str)]
            if chosen := [v for v in chosen if v]:
                params[given.name] = chosen
            continue
        value = form.get(given.name)
        if not isinstance(value, str) or not value.strip():
            continue
        if given.kind == "flag":
            params[given.name] = True
        else:
            params[given.name] = value if given is NOTE else value.strip()
    return params


#: A form refused: the action it was for, and what was typed in it.
Sent = tuple[str, dict[str, Any]]


def typed(form: FormData) -> dict[str, Any]:
    """What was typed in a posted form, to show it again: a list where a field was sent more
    than once (checkboxes), else the text."""
    kept: dict[str, Any] = {}
    for name in form:
        if name in (FIELD, "expected_version"):
            continue
        values = [v for v in form.getlist(name) if isinstance(v, str)]
        kept[name] = values if len(values) > 1 else (values[0] if values else "")
    return kept


def error_href(shown: list[ActionForm], action: str, refused: EscalationError | None) -> str | None:
    """The id of the field ``refused`` is about, in the form for ``action``, where it has one."""
    given = getattr(refused, "given", None)
    form = next((f for f in shown if f.action == action), None)
    if given is None or form is None:
        return None
    for field in form.fields:
        if field.name == given.name:
            first = (
                f"-{field.choices[0][0]}" if field.kind == "checkboxes" and field.choices else ""
            )
            return f"{action}-{field.name}{first}"
    return None
