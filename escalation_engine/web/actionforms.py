"""The form for each action a person may take on an escalation: which fields it has, and how a
posted form becomes the parameters of the ``act`` operation (the same the API takes).

Every action has its note; some aim at something (a stage, a rating), an extension needs its new
date, a closing may need its reason, a meeting its day, who came and what was agreed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from escalation_engine.domain.action_table import BY_NAME
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.labels import Words
from escalation_engine.domain.machine import machine_for
from escalation_engine.spec.model import WorkflowSpec

#: The outcome an action closes an escalation with, where it closes one.
_CLOSES = {"accept": "resolved", "withdraw": "withdrawn", "supersede": "superseded",
           "refer_cafcass": "referred_to_cafcass"}  # fmt: skip
#: What a button says where the command's own name would read oddly.
_TITLES = {"refer_cafcass": "Refer to Cafcass", "not_looked_after": "Record not looked after",
           "meeting": "Record a meeting", "extend": "Extend the deadline",
           "bypass": "Bypass to another stage", "rate": "Give a RAG rating"}  # fmt: skip
FIELDS = frozenset(
    {"note", "target", "until", "reason", "held_on", "attendees", "outcome", "next_step",
     "expected_version"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str
    #: ``textarea``, ``text``, ``date`` or ``select``.
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


def forms_for(
    spec: WorkflowSpec, escalation: Escalation, actions: list[str], words: Words
) -> list[ActionForm]:
    """A form for each of ``actions`` (those the person may take now), in the order given."""
    return [_form(spec, escalation, action, words) for action in actions if action in BY_NAME]


def _form(spec: WorkflowSpec, escalation: Escalation, action: str, words: Words) -> ActionForm:
    known = BY_NAME[action]
    title = _TITLES.get(action) or (known.command or action).replace("-", " ").capitalize()
    fields: list[Field] = []
    targets = machine_for(spec).targets(escalation.stage, action)
    if action == "rate" and spec.rag is not None:
        choices = tuple((r.name, r.label or r.title) for r in spec.rag.ratings)
        fields.append(Field("target", "Rating", "select", required=True, choices=choices))
    elif targets:
        choices = tuple((t, words.stage(spec, t)) for t in targets)
        fields.append(Field("target", "Move it to", "select", required=True, choices=choices))
    if action == "extend":
        fields.append(Field("until", "New deadline", "date", "For example, 2026-12-18",
                            required=True))  # fmt: skip
    if action == "meeting":
        fields += [
            Field("held_on", "Day it was held", "date", "For example, 2026-12-01", True),
            Field("attendees", "Who attended", "text", "Usernames, separated by commas", True),
            Field("outcome", "What was agreed", "textarea", required=True),
            Field("next_step", "Next step", "textarea"),
        ]
    reasons = spec.outcome_reasons.get(_CLOSES.get(action, ""), {})
    if reasons:
        choices = tuple((key, text) for key, text in reasons.items())
        fields.append(Field("reason", "Why it closes", "select", required=True, choices=choices))
    hint = f"For example: {known.example}" if known.example else ""
    fields.append(Field("note", "Note", "textarea", hint, required=known.note_required))
    return ActionForm(action, title, known.summary, tuple(fields))


def params_of(form: FormData) -> dict[str, Any]:
    """The ``act`` operation's parameters from a posted form (blank fields left out)."""
    params: dict[str, Any] = {}
    for name in FIELDS:
        value = form.get(name)
        if not isinstance(value, str) or not value.strip():
            continue
        if name == "expected_version":
            params[name] = int(value) if value.isdigit() else -1
        elif name == "attendees":
            params[name] = [part.strip() for part in value.split(",") if part.strip()]
        else:
            params[name] = value.strip() if name != "note" else value
    return params
