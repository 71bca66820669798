"""Cross-reference and graph checks on a read workflow; every problem is reported, not the first.

The checks that need the whole workflow: names that refer to stages, outcomes and roles; stages
nothing can reach; stages with no way to an outcome; clocks that could let an escalation be
forgotten; and an overall limit shorter than the stages it has to hold.
"""

from __future__ import annotations

from collections.abc import Iterable

from escalation_engine.errors import did_you_mean
from escalation_engine.spec.model import (
    CLOCK_STARTS,
    OUTCOMES,
    OVERALL_STARTS,
    RAISER,
    SCOPES,
    StageSpec,
    Timescale,
    WorkflowSpec,
)
from escalation_engine.spec.yamlnodes import Parsed

_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600}


class _Checker:
    def __init__(self, spec: WorkflowSpec, parsed: Parsed) -> None:
        self.spec = spec
        self.parsed = parsed
        self.problems: list[str] = []
        self.stages = set(spec.stage_names)

    def problem(self, path: str, message: str) -> None:
        line = self.parsed.line(path)
        self.problems.append(f"line {line}: {path}: {message}" if line else f"{path}: {message}")

    def roles(self, roles: Iterable[str], path: str) -> None:
        known = (*self.spec.roles, RAISER)
        for role in roles:
            if role not in known:
                self.problem(
                    path,
                    f"unknown role {role!r}.{did_you_mean(role, known)} Declare it under roles"
                    f" (known: {', '.join(known)})",
                )

    def target(self, name: str | None, path: str, *, outcomes: bool = True) -> None:
        if name is None:
            return
        allowed = (*self.spec.stage_names, *OUTCOMES) if outcomes else self.spec.stage_names
        if name not in allowed:
            kind = "stage or outcome" if outcomes else "stage"
            self.problem(
                path,
                f"unknown {kind} {name!r}.{did_you_mean(name, allowed)} Allowed: {', '.join(allowed)}",
            )


def check_workflow(spec: WorkflowSpec, parsed: Parsed) -> list[str]:
    """Every cross-reference and graph problem in ``spec``; an empty list when it is sound."""
    checker = _Checker(spec, parsed)
    if not spec.roles:
        checker.problem("roles", "is missing: list the roles this workflow uses")
    if not spec.stages and any(not a.positive for a in spec.alert_types):
        checker.problem("stages", "is missing: an alert that escalates needs at least one stage")
    if not spec.alert_types:
        checker.problem("alert_types", "is missing: declare at least one kind of alert to raise")
    _check_names(checker)
    _check_permissions(checker, spec.permissions, "permissions")
    for alert in spec.alert_types:
        path = f"alert_types.{alert.name}"
        checker.roles(alert.raised_by, f"{path}.raised_by")
        if not alert.raised_by:
            checker.problem(path, "nobody may raise it: add raised_by or permissions.raise")
        if alert.positive and alert.enters_at:
            checker.problem(
                f"{path}.enters_at",
                "a positive alert is recorded, never escalated: remove enters_at",
            )
        elif not alert.positive and alert.enters_at is None:
            checker.problem(path, "needs enters_at (the stage it starts at) or positive: true")
        else:
            checker.target(alert.enters_at, f"{path}.enters_at", outcomes=False)
    for stage in spec.stages:
        _check_stage(checker, stage)
    _check_extras(checker)
    _check_graph(checker)
    _check_timeout_loops(checker)
    _check_overall_limit(checker)
    return checker.problems


def _check_timeout_loops(checker: _Checker) -> None:
    """A chain of timeouts that comes back to where it started would move an escalation round
    and round with nobody acting, never reaching the top of the ladder or an outcome."""
    by_name = {s.name: s for s in checker.spec.stages}
    reported: set[str] = set()
    for start in by_name:
        chain = [start]
        name = by_name[start].on_timeout
        while name in by_name and name not in chain:
            chain.append(name)
            name = by_name[name].on_timeout
        if name == start and start not in reported:
            reported.update(chain)
            loop = " → ".join([*chain, start])
            checker.problem(
                f"stages.{start}.on_timeout",
                f"timeouts go round in a loop ({loop}): an escalation would climb for ever with"
                " nobody acting. End the chain at a top stage with no on_timeout, or at an outcome",
            )


def _check_names(checker: _Checker) -> None:
    spec = checker.spec
    for stage in spec.stages:
        if stage.name in OUTCOMES:
            checker.problem(
                f"stages.{stage.name}",
                f"{stage.name!r} is a terminal outcome, not a stage: outcomes take no actions; rename the stage",
            )
    for name in set(spec.stage_names) & {a.name for a in spec.alert_types}:
        checker.problem(f"alert_types.{name}", f"{name!r} is also a stage name; use distinct names")
    if RAISER in spec.roles:
        checker.problem(
            "roles", f"{RAISER!r} is built in (the person who raised the alert); remove it"
        )


def _check_permissions(
    checker: _Checker, permissions: dict[str, tuple[str, ...]] | object, path: str
) -> None:
    if isinstance(permissions, dict):
        for action, roles in permissions.items():
            checker.roles(roles, f"{path}.{action}")


def _check_stage(checker: _Checker, stage: StageSpec) -> None:
    path = f"stages.{stage.name}"
    checker.roles(stage.responders.roles, f"{path}.responders")
    checker.roles(stage.satisfied_by.roles, f"{path}.satisfied_by")
    for key in ("stand_in", "fallback", "escalate_by", "copy", "watchers", "addressees"):
        checker.roles(getattr(stage, key), f"{path}.{key}")
    if stage.escalation_step is not None:
        checker.roles(stage.escalation_step.by, f"{path}.escalation_step.by")
        if stage.on_unsatisfactory is None:
            checker.problem(
                f"{path}.escalation_step",
                "needs on_unsatisfactory: say where the escalation it carries out goes",
            )
    _check_permissions(checker, dict(stage.permissions), f"{path}.permissions")
    if not stage.responders.roles:
        checker.problem(f"{path}.responders", "is missing: say which role responds at this stage")
    checker.target(stage.on_timeout, f"{path}.on_timeout")
    checker.target(stage.on_unsatisfactory, f"{path}.on_unsatisfactory")
    if stage.on_timeout == stage.name or stage.on_unsatisfactory == stage.name:
        checker.problem(
            path, "escalates to itself; point on_timeout/on_unsatisfactory at another stage"
        )
    if stage.scope not in SCOPES:
        checker.problem(
            f"{path}.scope",
            f"{stage.scope!r}: must be team (the escalation's team and its line of management)"
            " or service (anyone holding the role)",
        )
    if stage.starts not in CLOCK_STARTS and not stage.starts.isidentifier():
        checker.problem(
            f"{path}.starts",
            f"{stage.starts!r} must be stage, raised, or the name of a date given when raising",
        )
    clock_given = f"{path}.clock" in checker.parsed.lines
    if not clock_given and stage.remind_every is None:
        checker.problem(
            path,
            "has no clock and no remind_every, so an escalation here could be forgotten;"
            " add clock or remind_every",
        )
    if stage.clock.has_deadline and stage.on_timeout is None and stage.remind_every is None:
        checker.problem(
            path,
            "has a clock but no on_timeout and no remind_every: say where it goes when the clock"
            " passes, or how often to remind",
        )
    if (
        f"{path}.reminder" in checker.parsed.lines
        and stage.reminder
        and stage.clock.kind == stage.reminder.kind
        and stage.reminder.amount >= stage.clock.amount
    ):
        checker.problem(
            f"{path}.reminder",
            f"{stage.reminder.describe()} is not shorter than the clock ({stage.clock.describe()})",
        )


def _check_extras(checker: _Checker) -> None:
    spec = checker.spec
    if spec.bypass.consult:
        checker.roles([spec.bypass.consult], "bypass.consult")
    if spec.separation.others_alerts and "separation.others_alerts" in checker.parsed.lines:
        checker.roles(spec.separation.others_alerts, "separation.others_alerts")
    for name in spec.cafcass.from_stages or ():
        checker.target(name, "cafcass.from", outcomes=False)
    if spec.reopen.to != "last_stage":
        checker.target(spec.reopen.to, "reopen.to", outcomes=False)
    if spec.overall_limit and spec.overall_limit.starts not in OVERALL_STARTS:
        checker.problem(
            "overall_limit.starts",
            f"{spec.overall_limit.starts!r}: must be one of {', '.join(OVERALL_STARTS)}",
        )
    if spec.rag:
        for rating, target in spec.rag.drives.items():
            checker.target(target, f"rag.drives.{rating}")


def _edges(stage: StageSpec) -> list[str]:
    out = [t for t in (stage.on_timeout, stage.on_unsatisfactory) if t]
    if stage.satisfied_by.roles:
        out.append("resolved")
    return out


def _check_graph(checker: _Checker) -> None:
    spec = checker.spec
    by_name = {s.name: s for s in spec.stages}
    entries = [a.enters_at for a in spec.alert_types if a.enters_at]
    if spec.rag:
        entries += list(spec.rag.drives.values())
    seen: set[str] = set()
    todo = [e for e in entries if e in by_name]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += [t for t in _edges(by_name[name]) if t in by_name]
    for name in spec.stage_names:
        if name not in seen:
            checker.problem(
                f"stages.{name}",
                "is unreachable: no alert type enters there and no stage escalates to it",
            )
    for name, stage in by_name.items():
        if not _reaches_outcome(name, by_name):
            checker.problem(
                f"stages.{name}",
                "has no way to an outcome: give it satisfied_by, or an on_timeout or"
                " on_unsatisfactory that leads to one",
            )
        del stage


def _reaches_outcome(start: str, by_name: dict[str, StageSpec]) -> bool:
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in OUTCOMES:
            return True
        if name in seen or name not in by_name:
            continue
        seen.add(name)
        todo += _edges(by_name[name])
    return False


def _in_limit_units(clock: Timescale, limit: Timescale) -> float | None:
    if clock.kind == limit.kind:
        return clock.amount
    if clock.kind in _SECONDS and limit.kind in _SECONDS:
        return clock.amount * _SECONDS[clock.kind] / _SECONDS[limit.kind]
    if clock.kind == "working_days" and limit.kind == "calendar_days":
        return clock.amount  # a working day is at least a calendar day
    return None


def _check_overall_limit(checker: _Checker) -> None:
    spec = checker.spec
    limit = spec.overall_limit
    if limit is None:
        return
    by_name = {s.name: s for s in spec.stages}
    for alert in spec.alert_types:
        name, total, seen = alert.enters_at, 0.0, set()
        while name in by_name and name not in seen:
            seen.add(name)
            stage = by_name[name]
            amount = _in_limit_units(stage.clock, limit.clock) if stage.formal else 0
            total += amount or 0
            name = stage.on_timeout
        if total > limit.clock.amount:
            checker.problem(
                "overall_limit.clock",
                f"{limit.clock.describe()} is shorter than the stages a {alert.name} passes"
                f" through on timeouts ({total:g} {limit.clock.kind.replace('_', ' ')})",
            )
