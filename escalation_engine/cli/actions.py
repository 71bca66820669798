"""A command for every action, generated from its definition: ``escalate respond``, ``accept``,
``bypass``, ``meeting`` and the rest take the escalation's reference, the action's own inputs as
options (spelt as its inputs say), the note, and the options every action shares.

Nothing here is written per action: a new action in the catalogue is a new command.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from escalation_engine.cli.common import (
    AsUser,
    Force,
    IfVersion,
    Json,
    Note,
    OutcomeReason,
    Ref,
    app,
    bare,
    emit_json,
    escape,
    out,
)
from escalation_engine.domain.actions import catalogue
from escalation_engine.domain.actions.base import NOTE, REASON, Action, Input
from escalation_engine.errors import InvalidInput


def run_action(
    reference: str, action: str, as_user: str | None, as_json: bool, **params: Any
) -> None:
    from escalation_engine.cli.backend import connect
    from escalation_engine.cli.client import ServerRefused

    try:
        result = connect(as_user).call("act", {"reference": reference, "action": action}, **params)
    except ServerRefused as refused:
        # The server names the input; this door spells it as its option.
        defined = catalogue.find(action)
        inputs = (NOTE, REASON, *(defined.command.inputs() if defined else ()))
        given = next((i for i in inputs if i.name == refused.field), None)
        if given is None:
            raise
        raise InvalidInput(str(refused), given=given) from None
    if as_json:
        emit_json(bare(result))
        return
    out.print(escape(result["said"]))
    for line in result["next"][:2]:
        out.print("  " + escape(line))


def _option(given: Input) -> tuple[Any, Any]:
    """The annotation and default of ``given``'s option."""
    option = typer.Option(given.option, metavar=given.metavar or None, help=given.help)
    if given.kind == "flag":
        return Annotated[bool, option], False
    if given.many:
        kind: Any = list[str] if given.required else list[str] | None
        return Annotated[kind, option], inspect.Parameter.empty if given.required else None
    if given.required:
        return Annotated[str, option], inspect.Parameter.empty
    return Annotated[str | None, option], None


def example(action: Action) -> str:
    """A command line to copy: the action's inputs with values, and its example note."""
    parts = [f"escalate {action.cli} ESC-2026-0042"]
    for given in action.command.inputs():
        if not given.sample:
            continue
        values = given.sample.split() if given.many else [given.sample]
        for value in values:
            parts.append(f'{given.option} "{value}"' if " " in value else f"{given.option} {value}")
    if action.example:
        parts.append(f'--note "{action.example}"')
    return " ".join(parts)


def command_for(action: Action) -> Callable[..., None]:
    """A Typer command for ``action``."""
    inputs = action.command.inputs()
    shared: list[tuple[str, Any, Any]] = [("note", Note, "")]
    if action.command.CLOSES:
        shared.append(("outcome_reason", OutcomeReason, None))
    shared += [("as_user", AsUser, None), ("if_version", IfVersion, None),
               ("force", Force, False), ("as_json", Json, False)]  # fmt: skip
    names = {given.name for given in inputs}

    def command(reference: str, **values: Any) -> None:
        params = {name: value for name, value in values.items() if name in names}
        params = {name: value for name, value in params.items() if value not in (None, False, [])}
        run_action(
            reference, action.name, values["as_user"], values["as_json"], note=values["note"],
            reason=values.get("outcome_reason"), expected_version=values["if_version"],
            force=values["force"], **params,
        )  # fmt: skip

    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [inspect.Parameter("reference", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                    annotation=Ref)]  # fmt: skip
    for given in inputs:
        annotation, default = _option(given)
        parameters.append(inspect.Parameter(given.name, keyword, annotation=annotation,
                                            default=default))  # fmt: skip
    for name, annotation, default in shared:
        parameters.append(inspect.Parameter(name, keyword, annotation=annotation, default=default))
    command.__signature__ = inspect.Signature(parameters, return_annotation=None)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": None}
    command.__name__ = action.name
    command.__doc__ = f"{action.summary}\n\nExample: {example(action)}"
    return command


def add_commands(app: typer.Typer, actions: tuple[Action, ...] | None = None) -> None:
    """A command on ``app`` for each of ``actions`` (every action in the catalogue by default)."""
    for action in actions if actions is not None else catalogue.actions():
        app.command(action.cli)(command_for(action))


add_commands(app)
