"""A workflow spec as a ``transitions`` state machine: which action is allowed where, and where
it leads.

One ``Machine`` is built per workflow version (by content digest) and shared by every escalation
of that version; the machine holds no escalation, it is handed one per action. Automatic
``to_<stage>`` triggers are off, so the only ways between stages are the ones the YAML declares.
"""

from __future__ import annotations

from typing import Any, Protocol

from transitions import Machine, MachineError

from escalation_engine.domain.actions import catalogue
from escalation_engine.errors import TransitionNotAllowed
from escalation_engine.spec.model import OUTCOMES, WorkflowSpec


class MachineModel(Protocol):
    """What the machine needs of an escalation: its stage, whether the judges are satisfied, and
    whether a rating just given moves it."""

    stage: str
    rating_moves: bool

    def is_satisfied(self) -> bool: ...


def trigger_name(action: str, target: str | None = None) -> str:
    """The machine trigger for a person's action, e.g. ``bypass`` to ``director``."""
    return f"{action}__{target}" if target else action


def action_of(trigger: str) -> str:
    return trigger.split("__", 1)[0]


def _transitions(spec: WorkflowSpec) -> list[dict[str, Any]]:
    """Every way the workflow allows between stages and outcomes: each action's own, and the
    engine's timeout."""
    result: list[dict[str, Any]] = []
    for stage in spec.stages:
        result.append({"trigger": "timeout", "source": stage.name, "dest": stage.on_timeout})
    for action in catalogue.actions():
        for move in action.moves(spec):
            result.append({
                "trigger": trigger_name(action.name, move.target), "source": move.source,
                "dest": move.dest, **({"conditions": move.condition} if move.condition else {}),
            })  # fmt: skip
    return result


Moves = frozenset[tuple[str, str, str]]


def moves_of(spec: WorkflowSpec) -> Moves:
    """Every (action, from, to) the workflow allows that changes the stage. The engine records
    its own moves as ``timeout``, whether it timed out or carried out a due escalation."""
    allowed: set[tuple[str, str, str]] = set()
    for move in _transitions(spec):
        if move["dest"] is None or move["dest"] == move["source"]:
            continue
        action = action_of(move["trigger"])
        allowed.add((action, move["source"], move["dest"]))
        if action == "escalate":
            allowed.add(("timeout", move["source"], move["dest"]))
    return frozenset(allowed)


class WorkflowMachine:
    """The allowed moves of one workflow version."""

    def __init__(self, spec: WorkflowSpec) -> None:
        self.spec = spec
        self._machine = Machine(
            model=None,
            states=[*spec.stage_names, *OUTCOMES],
            transitions=_transitions(spec),
            initial=spec.stage_names[0] if spec.stages else "recorded",
            auto_transitions=False,
            model_attribute="stage",
            ignore_invalid_triggers=False,
        )

    def triggers(self, stage: str) -> list[str]:
        """Every machine trigger valid from ``stage``."""
        return list(self._machine.get_triggers(stage))

    def allowed_actions(self, stage: str) -> list[str]:
        """The person-facing actions at ``stage`` (``bypass``, not ``bypass__director``)."""
        return sorted({action_of(t) for t in self.triggers(stage)} - {"timeout"})

    def targets(self, stage: str, action: str) -> list[str]:
        """For ``bypass``/``rate``/``reopen``: the names that may follow the action at ``stage``."""
        prefix = f"{action}__"
        return [t[len(prefix) :] for t in self.triggers(stage) if t.startswith(prefix)]

    def require(self, stage: str, trigger: str, *, reference: str) -> None:
        """Raise ``TransitionNotAllowed`` unless ``trigger`` is valid from ``stage``."""
        if trigger not in self.triggers(stage):
            raise TransitionNotAllowed(
                reference, action_of(trigger), stage, self.allowed_actions(stage)
            )

    def fire(self, model: MachineModel, trigger: str, *, reference: str) -> bool:
        """Run ``trigger`` on ``model``; return whether the stage changed.

        :raises TransitionNotAllowed: when the trigger is not valid from the model's stage.
        """
        stage = model.stage
        self.require(stage, trigger, reference=reference)
        event = self._machine.events[trigger]
        try:
            event.trigger(model)
        except MachineError as exc:  # pragma: no cover - guarded by the check above
            raise TransitionNotAllowed(
                reference, action_of(trigger), stage, self.allowed_actions(stage)
            ) from exc
        return model.stage != stage


_MACHINES: dict[tuple[str, tuple[str, ...]], WorkflowMachine] = {}


def machine_for(spec: WorkflowSpec) -> WorkflowMachine:
    """The shared machine for ``spec``'s version (keyed by content digest, and the actions
    known), built on first use."""
    key = (spec.digest, catalogue.names())
    machine = _MACHINES.get(key)
    if machine is None:
        machine = _MACHINES[key] = WorkflowMachine(spec)
    return machine
