"""Workflow YAML → ``WorkflowSpec``, collecting every problem before giving up.

Loading happens in stages: safe YAML (``yamlnodes``), then this module's reading of each key into
the typed spec (unknown keys, wrong types, clocks without units), then ``checks`` (the graph and
cross-references). A council writing its first file sees every problem at once, each with its
line and, where a name is close to a known one, a did-you-mean hint.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from ..errors import DefinitionError, WorkflowNotFound, did_you_mean, one_of
from .checks import check_workflow
from .model import (
    CLOCK_WORDS,
    COUNTED_UNITS,
    DEFAULT_REMINDER,
    OUTCOMES,
    RAISER,
    SCHEMA_VERSION,
    AlertType,
    BypassSpec,
    CafcassSpec,
    ClockKind,
    OverallLimit,
    RagRating,
    RagSpec,
    ReopenSpec,
    RoleSet,
    StageSpec,
    Timescale,
    WorkflowSpec,
)
from .yamlnodes import Parsed, parse_yaml

TOP_KEYS = (
    "schema_version", "name", "version", "title", "description", "roles", "permissions",
    "alert_types", "stages", "outcomes", "overall_limit", "bypass", "cafcass", "rag", "reopen",
)  # fmt: skip
STAGE_KEYS = (
    "title", "responders", "satisfied_by", "stand_in", "escalate_by", "clock", "starts",
    "reminder", "remind_every", "on_timeout", "on_unsatisfactory", "copy", "watchers",
    "notify_raisers_manager", "permissions", "formal",
)  # fmt: skip
ALERT_KEYS = ("title", "description", "enters_at", "raised_by", "positive")
_SHORT_CLOCK = re.compile(
    r"^\s*(\d+)\s+(working|calendar)?\s*(day|days|hour|hours|minute|minutes|second|seconds)\s*$"
)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class _Reader:
    """Reads one parsed document into a spec, noting problems instead of stopping at the first."""

    def __init__(self, parsed: Parsed) -> None:
        self.parsed = parsed
        self.problems: list[str] = []
        for path, line in parsed.duplicates:
            self.problem(path, "is given twice; names must be unique", line=line)

    def problem(self, path: str, message: str, *, line: int | None = None) -> None:
        where = line if line is not None else self.parsed.line(path)
        location = f"line {where}: " if where else ""
        self.problems.append(f"{location}{path}: {message}" if path else f"{location}{message}")

    def mapping(self, value: Any, path: str, allowed: Iterable[str]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"must be a mapping of keys to values, got {value!r}")
            return {}
        allowed = tuple(allowed)
        for key in value:
            if key not in allowed:
                self.problem(
                    f"{path}.{key}" if path else key,
                    f"unknown key {key!r}.{did_you_mean(key, allowed)} Allowed: {', '.join(allowed)}",
                )
        return value

    def text(self, value: Any, path: str, default: str = "") -> str:
        if value is None:
            return default
        if not isinstance(value, str | int | float):
            self.problem(path, f"must be text, got {value!r}")
            return default
        return str(value).strip()

    def flag(self, value: Any, path: str, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(path, f"must be true or false, got {value!r}")
            return default
        return value

    def names(self, value: Any, path: str) -> tuple[str, ...]:
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            self.problem(path, f"must be a name or a list of names, got {value!r}")
            return ()
        seen: set[str] = set()
        for item in items:
            if item in seen:
                self.problem(path, f"lists {item!r} twice")
            seen.add(item)
        return tuple(items)

    def roleset(self, value: Any, path: str, default: RoleSet) -> RoleSet:
        if value is None:
            return default
        if isinstance(value, dict):
            self.mapping(value, path, ("any_of", "all_of"))
            if len(value) != 1:
                self.problem(path, "give exactly one of any_of or all_of")
                return default
            mode, roles = next(iter(value.items()))
            if mode not in ("any_of", "all_of"):
                return default
            return RoleSet(mode=mode, roles=self.names(roles, f"{path}.{mode}"))
        return RoleSet(mode="any_of", roles=self.names(value, path))

    def timescale(self, value: Any, path: str, *, allow_words: bool = True) -> Timescale | None:
        if value is None:
            return None
        if isinstance(value, str) and value.strip() in CLOCK_WORDS and allow_words:
            kind: ClockKind = value.strip()  # type: ignore[assignment]
            return Timescale(kind=kind)
        if isinstance(value, str) and (match := _SHORT_CLOCK.match(value)):
            amount, qualifier, unit = int(match[1]), match[2], match[3].rstrip("s") + "s"
            if unit == "days" and qualifier is None:
                self.problem(path, f"{value!r} is ambiguous: say 'working days' or 'calendar days'")
                return None
            kind = f"{qualifier}_days" if unit == "days" else unit  # type: ignore[assignment]
            return self._counted(kind, amount, path)
        if isinstance(value, dict):
            units = [key for key in value if key in COUNTED_UNITS]
            extra = [key for key in value if key not in COUNTED_UNITS and key != "max"]
            for key in extra:
                self.problem(
                    f"{path}.{key}",
                    f"unknown clock unit {key!r}.{did_you_mean(key, COUNTED_UNITS)}"
                    f" Units: {', '.join(COUNTED_UNITS)}",
                )
            if "max" in value:
                if not value.get("set_by_raiser", units == []):
                    self.problem(f"{path}.max", "max only goes with set_by_raiser")
                maximum = self.timescale(value["max"], f"{path}.max", allow_words=False)
                return Timescale(kind="set_by_raiser", maximum=maximum)
            if len(units) > 1:
                self.problem(path, f"is ambiguous: it has {' and '.join(units)}; give one unit")
                return None
            if units:
                return self._counted(units[0], value[units[0]], f"{path}.{units[0]}")
            if not extra:
                self.problem(path, "has no unit; write e.g. {working_days: 5}")
            return None
        words = f", or one of {', '.join(CLOCK_WORDS)}" if allow_words else ""
        self.problem(
            path,
            f"{value!r} is not a clock: it has no unit. Write e.g. {{working_days: 5}} or"
            f" '5 working days'{words}",
        )
        return None

    def _counted(self, kind: str, amount: Any, path: str) -> Timescale | None:
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
            self.problem(path, f"must be a whole number of at least 1, got {amount!r}")
            return None
        return Timescale(kind=kind, amount=amount)  # type: ignore[arg-type]

    def positive_int(self, value: Any, path: str, default: int) -> int:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.problem(path, f"must be a whole number of at least 1, got {value!r}")
            return default
        return value

    def permissions(self, value: Any, path: str) -> dict[str, tuple[str, ...]]:
        from .model import PERSON_ACTIONS

        raw = self.mapping(value, path, PERSON_ACTIONS)
        return {
            action: self.names(roles, f"{path}.{action}")
            for action, roles in raw.items()
            if action in PERSON_ACTIONS
        }


def _reminder(reader: _Reader, raw: Any, path: str) -> Timescale | None:
    if raw is None:
        return DEFAULT_REMINDER
    if raw == "none":
        return None
    return reader.timescale(raw, path, allow_words=False)


def _read_stage(reader: _Reader, name: str, raw: Any, path: str) -> StageSpec:
    data = reader.mapping(raw, path, STAGE_KEYS)
    clock = reader.timescale(data.get("clock"), f"{path}.clock")
    on_timeout = data.get("on_timeout")
    on_unsatisfactory = data.get("on_unsatisfactory")
    return StageSpec(
        name=name,
        title=reader.text(data.get("title"), f"{path}.title", name.replace("_", " ").capitalize()),
        responders=reader.roleset(data.get("responders"), f"{path}.responders", RoleSet()),
        satisfied_by=reader.roleset(
            data.get("satisfied_by"), f"{path}.satisfied_by", RoleSet(roles=(RAISER,))
        ),
        stand_in=reader.names(data.get("stand_in"), f"{path}.stand_in"),
        escalate_by=reader.names(data.get("escalate_by"), f"{path}.escalate_by"),
        clock=clock or Timescale(kind="none"),
        starts=reader.text(data.get("starts"), f"{path}.starts", "stage"),
        reminder=_reminder(reader, data.get("reminder"), f"{path}.reminder"),
        remind_every=reader.timescale(
            data.get("remind_every"), f"{path}.remind_every", allow_words=False
        ),
        on_timeout=reader.text(on_timeout, f"{path}.on_timeout") or None,
        on_unsatisfactory=reader.text(on_unsatisfactory, f"{path}.on_unsatisfactory") or None,
        copy=reader.names(data.get("copy"), f"{path}.copy"),
        watchers=reader.names(data.get("watchers"), f"{path}.watchers"),
        notify_raisers_manager=reader.flag(
            data.get("notify_raisers_manager"), f"{path}.notify_raisers_manager", False
        ),
        permissions=reader.permissions(data.get("permissions"), f"{path}.permissions"),
        formal=reader.flag(data.get("formal"), f"{path}.formal", True),
    )


def _read_alert_type(
    reader: _Reader, name: str, raw: Any, path: str, raise_roles: tuple[str, ...]
) -> AlertType:
    data = reader.mapping(raw, path, ALERT_KEYS)
    return AlertType(
        name=name,
        title=reader.text(data.get("title"), f"{path}.title", name.replace("_", " ").capitalize()),
        description=reader.text(data.get("description"), f"{path}.description"),
        enters_at=reader.text(data.get("enters_at"), f"{path}.enters_at") or None,
        raised_by=reader.names(data.get("raised_by"), f"{path}.raised_by") or raise_roles,
        positive=reader.flag(data.get("positive"), f"{path}.positive", False),
    )


def _named_section(reader: _Reader, raw: Any, path: str) -> list[tuple[str, Any, str]]:
    """Entries of a mapping keyed by name, in file order, with their paths."""
    if raw is None:
        return []
    if not isinstance(raw, dict):
        reader.problem(path, "must be a mapping from names to their settings")
        return []
    entries = []
    for name, value in raw.items():
        child = f"{path}.{name}"
        if not _NAME.match(name):
            reader.problem(child, f"{name!r} is not a valid name: use lower_case_with_underscores")
        entries.append((name, value, child))
    return entries


def _read_outcomes(reader: _Reader, raw: Any) -> None:
    for name, value, path in _named_section(reader, raw, "outcomes"):
        if name not in OUTCOMES:
            reader.problem(
                path,
                f"unknown outcome {name!r}.{did_you_mean(name, OUTCOMES)} Outcomes: {', '.join(OUTCOMES)}",
            )
            continue
        for key in value if isinstance(value, dict) else ():
            if key != "title":
                reader.problem(
                    f"{path}.{key}",
                    f"outcome {name!r} is terminal: it cannot have {key!r}. Only a title may be set;"
                    " use reopen to return to a stage",
                )


def _read_rag(reader: _Reader, raw: Any) -> RagSpec | None:
    if raw is None:
        return None
    data = reader.mapping(raw, "rag", ("ratings", "drives"))
    ratings = []
    for name, value, path in _named_section(reader, data.get("ratings"), "rag.ratings"):
        entry = reader.mapping(value, path, ("title", "positive"))
        ratings.append(
            RagRating(
                name=name,
                title=reader.text(entry.get("title"), f"{path}.title", name),
                positive=reader.flag(entry.get("positive"), f"{path}.positive", False),
            )
        )
    if not ratings:
        reader.problem("rag.ratings", "lists no ratings")
    drives_raw = reader.mapping(data.get("drives"), "rag.drives", [r.name for r in ratings])
    drives = {k: reader.text(v, f"rag.drives.{k}") for k, v in drives_raw.items()}
    return RagSpec(ratings=tuple(ratings), drives=drives)


def read_spec(parsed: Parsed, *, source: str, text: str) -> tuple[WorkflowSpec | None, list[str]]:
    """Read a parsed document into a spec; return it (if readable at all) and every problem."""
    reader = _Reader(parsed)
    data = reader.mapping(parsed.data, "", TOP_KEYS)
    if not isinstance(parsed.data, dict):
        return None, reader.problems or [
            "the file is empty: a workflow needs name, roles and stages"
        ]
    schema = data.get("schema_version", SCHEMA_VERSION)
    if schema != SCHEMA_VERSION:
        reader.problem(
            "schema_version", f"is {schema!r}; this engine reads schema_version {SCHEMA_VERSION}"
        )
    name = reader.text(data.get("name"), "name")
    if not name:
        reader.problem("name", "is missing: give the workflow a name such as dispute_resolution")
    permissions = reader.permissions(data.get("permissions"), "permissions")
    defaults = dict.fromkeys(
        ("bypass", "withdraw", "refer_cafcass", "reopen", "rate", "supersede"), (RAISER,)
    )
    permissions = {**defaults, **permissions}
    stages = [
        _read_stage(reader, n, v, p)
        for n, v, p in _named_section(reader, data.get("stages"), "stages")
    ]
    alerts = [
        _read_alert_type(reader, n, v, p, permissions.get("raise", ()))
        for n, v, p in _named_section(reader, data.get("alert_types"), "alert_types")
    ]
    _read_outcomes(reader, data.get("outcomes"))
    limit_raw = reader.mapping(data.get("overall_limit"), "overall_limit", ("clock", "starts"))
    limit_clock = reader.timescale(limit_raw.get("clock"), "overall_limit.clock", allow_words=False)
    bypass_raw = reader.mapping(data.get("bypass"), "bypass", ("allowed", "consult"))
    cafcass_raw = reader.mapping(
        data.get("cafcass"), "cafcass", ("allowed", "from", "concurrent", "looked_after_only")
    )
    reopen_raw = reader.mapping(data.get("reopen"), "reopen", ("allowed", "to", "within"))
    spec = WorkflowSpec(
        name=name,
        version=reader.positive_int(data.get("version"), "version", 1),
        title=reader.text(data.get("title"), "title", name),
        description=reader.text(data.get("description"), "description"),
        roles=reader.names(data.get("roles"), "roles"),
        alert_types=tuple(alerts),
        stages=tuple(stages),
        permissions=permissions,
        overall_limit=(
            OverallLimit(
                clock=limit_clock,
                starts=reader.text(limit_raw.get("starts"), "overall_limit.starts", "formal"),
            )
            if limit_clock
            else None
        ),
        bypass=BypassSpec(
            allowed=reader.flag(bypass_raw.get("allowed"), "bypass.allowed", True),
            consult=reader.text(bypass_raw.get("consult"), "bypass.consult") or None,
        ),
        cafcass=CafcassSpec(
            allowed=reader.flag(cafcass_raw.get("allowed"), "cafcass.allowed", True),
            from_stages=(
                None
                if cafcass_raw.get("from", "any") == "any"
                else reader.names(cafcass_raw.get("from"), "cafcass.from")
            ),
            concurrent=reader.flag(cafcass_raw.get("concurrent"), "cafcass.concurrent", False),
            looked_after_only=reader.flag(
                cafcass_raw.get("looked_after_only"), "cafcass.looked_after_only", True
            ),
        ),
        rag=_read_rag(reader, data.get("rag")),
        reopen=ReopenSpec(
            allowed=reader.flag(reopen_raw.get("allowed"), "reopen.allowed", True),
            to=reader.text(reopen_raw.get("to"), "reopen.to", "last_stage"),
            within=reader.timescale(reopen_raw.get("within"), "reopen.within", allow_words=False),
        ),
        source=source,
        text=text,
        digest=hashlib.sha256(text.encode()).hexdigest(),
    )
    return spec, reader.problems + check_workflow(spec, parsed)


def load_workflow_text(text: str, *, source: str = "<workflow>") -> WorkflowSpec:
    """Load and check a workflow from YAML text; raise ``DefinitionError`` listing every problem."""
    try:
        parsed = parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise DefinitionError(
            source, [f"{where}not valid YAML ({getattr(exc, 'problem', exc)})"]
        ) from None
    spec, problems = read_spec(parsed, source=source, text=text)
    if problems or spec is None:
        raise DefinitionError(source, problems)
    return spec


def load_workflow(path: Path) -> WorkflowSpec:
    """Load and check one workflow file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WorkflowNotFound(
            f"Cannot read workflow file {str(path)!r}: {exc.strerror}."
        ) from None
    return load_workflow_text(text, source=str(path))


def load_workflows_dir(directory: Path) -> dict[str, WorkflowSpec]:
    """Load every ``*.yaml`` file in ``directory``; raise on the first file with problems."""
    if not directory.is_dir():
        raise WorkflowNotFound(
            f"Workflow folder {str(directory)!r} does not exist; set workflows_dir in config.yaml."
        )
    specs: dict[str, WorkflowSpec] = {}
    for path in sorted(directory.glob("*.y*ml")):
        spec = load_workflow(path)
        if spec.name in specs:
            raise DefinitionError(
                str(path),
                [
                    f"name: {spec.name!r} is already used by {specs[spec.name].source}; names must be unique"
                ],
            )
        specs[spec.name] = spec
    if not specs:
        raise WorkflowNotFound(f"No workflow files (*.yaml) in {str(directory)!r}.")
    return specs


__all__ = ["load_workflow", "load_workflow_text", "load_workflows_dir", "one_of"]
