"""A new action reaches every door from its one definition.

``pause`` exists only here: its command and input, its event, what it does, where it may be
taken, its words. Registered for a test, it is a command of the command line, a route of the API
(through the same operation the desk and the CLI use), a form on the desk, a permission a
workflow may grant (and the rule when it grants none), cells of the permission matrix, a line of
``workflows show`` and a key of the JSON Schema; unregistered, it is none of these.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar

import pytest
import typer
from sqlalchemy import Engine
from typer.testing import CliRunner

from escalation_engine.app import operations, readmodel
from escalation_engine.app.routes import act_params
from escalation_engine.cli.actions import add_commands
from escalation_engine.clock import FakeClock
from escalation_engine.domain import policy
from escalation_engine.domain.actions import catalogue
from escalation_engine.domain.actions.base import (
    Action,
    ActionContext,
    Command,
    Input,
    at_every_stage,
    given,
)
from escalation_engine.domain.escalation import Escalation
from escalation_engine.domain.events import PersonEvent
from escalation_engine.domain.machine import machine_for
from escalation_engine.errors import DefinitionError, InvalidInput
from escalation_engine.service import EscalationService
from escalation_engine.settings.config import load_settings
from escalation_engine.spec import schema
from escalation_engine.spec.loader import load_workflow_text
from escalation_engine.trail import audit
from escalation_engine.web.actionforms import forms_for
from tests.support.matrix import EXTRA_PEOPLE, Matrix
from tests.support.scenarios import practice_alert

RESTART = Input(
    name="until", kind="day", fact="the day the clock restarts", option="--restart",
    metavar="YYYY-MM-DD", label="Day the clock restarts", hint="For example, 2026-01-20",
    help="The day the stage's clock starts again.", sample="2026-01-20", required=True,
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Pause(Command):
    until: date | None = given(RESTART)


@dataclass(frozen=True, slots=True, kw_only=True)
class Paused(PersonEvent):
    ACTION: ClassVar[str] = "pause"
    restarts: str = ""


def pause(ctx: ActionContext, esc: Escalation, command: Pause) -> Paused:
    if esc.stage_due_at is None or command.until is None:
        raise InvalidInput(f"{esc.reference} has no running clock to pause.")
    restart = policy.due_from_person(
        command.until, now=ctx.now, calendar=ctx.calendar, limit=None, given=RESTART
    )
    esc.remind_at = restart.due
    return Paused(restarts=restart.due.isoformat())


PAUSE = Action(
    name="pause", command=Pause, event=Paused, handle=pause, moves=at_every_stage(),
    cli="pause", title="Pause the clock", summary="Pause the stage's clock until a day.",
    example="The child is in hospital this week", done="paused the clock",
    headline="clock paused", note_required=True,
)  # fmt: skip


@pytest.fixture
def paused() -> Iterator[Action]:
    with catalogue.registered(PAUSE) as registered:
        yield registered


def test_it_is_a_command_with_its_option_help_and_example(paused: Action) -> None:
    app = typer.Typer()
    add_commands(app)  # every action in the catalogue, as the escalate command is built
    shown = CliRunner().invoke(app, ["pause", "--help"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "Pause the stage's clock until a day." in shown.output
    assert "--restart" in shown.output
    assert 'escalate pause ESC-2026-0042 --restart 2026-01-20 --note "The child' in shown.output


def test_the_operation_every_door_calls_takes_it_and_the_trail_records_it(
    paused: Action, service: EscalationService
) -> None:
    assert act_params()["until"] == "text"
    reference = practice_alert(service).reference
    done = operations.run(
        service, "aisha", "act", {"reference": reference, "action": "pause"},
        {"until": "2026-01-08", "note": "The child is in hospital this week"},
    )  # fmt: skip
    assert done["said"] == f"{reference}: paused the clock. Now: Stage 1: team manager" + (
        " (awaiting a response)."
    )
    entry = audit.entries(service.engine, reference)[-1]
    assert (entry.action, entry.note) == ("pause", "The child is in hospital this week")
    assert '"restarts":"2026-01-08T17:00:00+00:00"' in entry.data
    with pytest.raises(InvalidInput, match="Give the day the clock restarts") as refused:
        operations.run(service, "aisha", "act", {"reference": reference, "action": "pause"},
                       {"note": "Again"})  # fmt: skip
    assert refused.value.given is RESTART


def test_the_desk_offers_its_form_to_whoever_may_take_it(
    paused: Action, service: EscalationService
) -> None:
    esc = practice_alert(service)
    spec = service.spec_for(esc)
    assert "pause" in service.may_take("aisha", esc)  # the raiser, as a workflow says nothing
    assert "pause" not in service.may_take("jo", esc)
    (form,) = forms_for(spec, esc, ["pause"], service.words)
    assert form.title == "Pause the clock"
    assert [(f.name, f.label, f.kind, f.required) for f in form.fields] == [
        ("until", "Day the clock restarts", "text", True),
        ("note", "Note", "textarea", True),
    ]


def test_a_workflow_may_grant_it_and_show_says_who_may(
    paused: Action, project: Path, service: EscalationService
) -> None:
    text = (project / "workflows" / "dispute_resolution.yaml").read_text()
    granted = load_workflow_text(
        text.replace("permissions:\n", "permissions:\n  pause: [iro_manager]\n", 1)
    )
    assert granted.roles_for("pause", None) == ("iro_manager",)
    may = {m["action"]: m["who"] for m in readmodel.workflow(service, granted)["may"]}
    assert may["pause"] == "IRO manager"
    assert "pause" in machine_for(granted).allowed_actions("team_manager")


def test_the_permission_matrix_tries_it_and_agrees_with_the_rules(
    paused: Action, project: Path, engine: Engine, clock: FakeClock
) -> None:
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("people:\n", "people:\n" + EXTRA_PEOPLE, 1))
    service = EscalationService(load_settings(config), engine, clock)
    matrix = Matrix(service, service.workflow("dispute_resolution"), clock,
                    extra={"pause": {"until": date(2026, 1, 8)}})  # fmt: skip
    assert matrix.check(matrix.at("team_manager")) == []
    assert "pause" in matrix.tried


def test_the_json_schema_names_it_as_a_permission(paused: Action) -> None:
    assert "pause" in schema.schema()["$defs"]["permissions"]["properties"]


def test_unregistered_it_is_nowhere(service: EscalationService, project: Path) -> None:
    assert catalogue.find("pause") is None
    assert "pause" not in schema.schema()["$defs"]["permissions"]["properties"]
    reference = practice_alert(service).reference
    with pytest.raises(InvalidInput, match="'pause' is not an action"):
        operations.run(service, "aisha", "act", {"reference": reference, "action": "pause"},
                       {"until": "2026-01-08", "note": "x"})  # fmt: skip
    text = (project / "workflows" / "dispute_resolution.yaml").read_text()
    with pytest.raises(DefinitionError, match="pause"):
        load_workflow_text(text.replace("permissions:\n", "permissions:\n  pause: [iro]\n", 1))
