"""Workflow YAML → ``WorkflowSpec``, collecting every problem before giving up.

Loading happens in stages: safe YAML (``yamlnodes``), then this module's reading of each key into
the typed spec (unknown keys, wrong types, clocks without units), then ``checks`` (the graph and
cross-references). A council writing its first file sees every problem at once, each with its
line and, where a name is close to a known one, a did-you-mean hint.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from escalation_engine.errors import (
    DefinitionError,
    EscalationError,
    WorkflowNotFound,
    did_you_mean,
)
from escalation_engine.spec.checks import check_workflow
from escalation_engine.spec.fields import Reader, named_section
from escalation_engine.spec.model import (
    DEFAULT_REMINDER,
    OUTCOMES,
    RAISER,
    SCHEMA_VERSION,
    AlertType,
    BypassSpec,
    CafcassSpec,
    EscalationStep,
    OverallLimit,
    RagRating,
    RagSpec,
    ReopenSpec,
    RoleSet,
    SeparationSpec,
    StageSpec,
    Timescale,
    WorkflowSpec,
    default_permissions,
)
from escalation_engine.spec.yamlnodes import Parsed, describe, parse_yaml, read_text

TOP_KEYS = (
    "schema_version", "name", "version", "title", "description", "roles", "permissions",
    "alert_types", "stages", "outcomes", "overall_limit", "bypass", "cafcass", "rag", "reopen",
    "separation",
)  # fmt: skip
STAGE_KEYS = (
    "title", "responders", "satisfied_by", "stand_in", "escalate_by", "clock", "starts",
    "reminder", "remind_every", "on_timeout", "on_unsatisfactory", "copy", "watchers",
    "notify_raisers_manager", "permissions", "formal", "scope", "addressees", "escalation_step",
    "fallback",
)  # fmt: skip
ALERT_KEYS = (
    "title", "description", "enters_at", "raised_by", "positive", "raiser_may_notify_manager",
)  # fmt: skip


#: A workflow's name: a plain word, since it is stored, typed and shown as it is.
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def _reminder(reader: Reader, raw: Any, path: str) -> Timescale | None:
    if raw is None:
        return DEFAULT_REMINDER
    if raw == "none":
        return None
    return reader.timescale(raw, path, allow_words=False)


def _escalation_step(reader: Reader, raw: Any, path: str) -> EscalationStep | None:
    if raw is None:
        return None
    data = reader.mapping(raw, path, ("by", "clock"))
    by = reader.names(data.get("by"), f"{path}.by")
    clock = reader.timescale(data.get("clock"), f"{path}.clock", allow_words=False)
    if not by:
        reader.problem(f"{path}.by", "is missing: name the role that carries out the escalation")
    if clock is None:
        reader.problem(
            f"{path}.clock", "is missing: say how long they have, e.g. {working_days: 2}"
        )
        return None
    return EscalationStep(by=by, clock=clock)


def _read_stage(reader: Reader, name: str, raw: Any, path: str) -> StageSpec:
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
        fallback=reader.names(data.get("fallback"), f"{path}.fallback"),
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
        addressees=reader.names(data.get("addressees"), f"{path}.addressees"),
        escalation_step=_escalation_step(
            reader, data.get("escalation_step"), f"{path}.escalation_step"
        ),
        notify_raisers_manager=reader.flag(
            data.get("notify_raisers_manager"), f"{path}.notify_raisers_manager", False
        ),
        permissions=reader.permissions(data.get("permissions"), f"{path}.permissions"),
        formal=reader.flag(data.get("formal"), f"{path}.formal", True),
        scope=reader.text(data.get("scope"), f"{path}.scope", "team"),
    )


def _read_alert_type(
    reader: Reader, name: str, raw: Any, path: str, raise_roles: tuple[str, ...]
) -> AlertType:
    data = reader.mapping(raw, path, ALERT_KEYS)
    return AlertType(
        name=name,
        title=reader.text(data.get("title"), f"{path}.title", name.replace("_", " ").capitalize()),
        description=reader.text(data.get("description"), f"{path}.description"),
        enters_at=reader.text(data.get("enters_at"), f"{path}.enters_at") or None,
        raised_by=reader.names(data.get("raised_by"), f"{path}.raised_by") or raise_roles,
        positive=reader.flag(data.get("positive"), f"{path}.positive", False),
        raiser_may_notify_manager=reader.flag(
            data.get("raiser_may_notify_manager"), f"{path}.raiser_may_notify_manager", False
        ),
    )


def _read_outcomes(reader: Reader, raw: Any) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Titles for the built-in outcomes, and the reasons people must choose from when an
    escalation closes with one (``reasons``: a list of names, or names with their titles)."""
    titles: dict[str, str] = {}
    reasons: dict[str, dict[str, str]] = {}
    for name, value, path in named_section(reader, raw, "outcomes"):
        if name not in OUTCOMES:
            reader.problem(
                path,
                f"unknown outcome {name!r}.{did_you_mean(name, OUTCOMES)} Outcomes: {', '.join(OUTCOMES)}",
            )
            continue
        for key in value if isinstance(value, dict) else ():
            if key not in ("title", "reasons"):
                reader.problem(
                    f"{path}.{key}",
                    f"outcome {name!r} is terminal: it cannot have {key!r}. Only a title and"
                    " reasons may be set; use reopen to return to a stage",
                )
        if isinstance(value, dict) and value.get("title") is not None:
            titles[name] = reader.text(value["title"], f"{path}.title")
        given = value.get("reasons") if isinstance(value, dict) else None
        if isinstance(given, list):
            given = dict.fromkeys(given)
        if given is not None and not isinstance(given, dict) or given == {}:
            reader.problem(f"{path}.reasons", "must list reasons, e.g. [plan_agreed, action_taken]")
        elif isinstance(given, dict):
            reasons[name] = {
                reader.text(key, f"{path}.reasons"): reader.text(
                    title, f"{path}.reasons.{key}", str(key).replace("_", " ").capitalize()
                )
                for key, title in given.items()
            }
    return titles, reasons


def _rating_label(name: str) -> str:
    """A rating's label where its file gives none, as reports write it: ``amber`` is "Amber",
    and a star is a star, so ``green_star`` is "Green*", not "Green star"."""
    base, star = (name[: -len("_star")], "*") if name.endswith("_star") else (name, "")
    words = base.replace("_", " ")
    return words[:1].upper() + words[1:] + star


def _read_rag(reader: Reader, raw: Any) -> RagSpec | None:
    if raw is None:
        return None
    data = reader.mapping(raw, "rag", ("ratings", "drives"))
    ratings = []
    for name, value, path in named_section(reader, data.get("ratings"), "rag.ratings"):
        entry = reader.mapping(value, path, ("title", "label", "positive"))
        label = reader.text(entry.get("label"), f"{path}.label", _rating_label(name))
        ratings.append(
            RagRating(
                name=name,
                title=reader.text(entry.get("title"), f"{path}.title", label),
                label=label,
                positive=reader.flag(entry.get("positive"), f"{path}.positive", False),
            )
        )
    if not ratings:
        reader.problem("rag.ratings", "lists no ratings")
    # A drive may name a rating by its label as reports print it ("Green*": resolved).
    labels = {r.label: r.name for r in ratings if r.label != r.name}
    drives_raw = reader.mapping(
        data.get("drives"), "rag.drives", [*(r.name for r in ratings), *labels]
    )
    drives = {labels.get(k, k): reader.text(v, f"rag.drives.{k}") for k, v in drives_raw.items()}
    return RagSpec(ratings=tuple(ratings), drives=drives)


def _read_limit(reader: Reader, raw: Any) -> OverallLimit | None:
    data = reader.mapping(raw, "overall_limit", ("clock", "starts"))
    clock = reader.timescale(data.get("clock"), "overall_limit.clock", allow_words=False)
    if not clock:
        return None
    return OverallLimit(
        clock=clock, starts=reader.text(data.get("starts"), "overall_limit.starts", "formal")
    )


def _read_bypass(reader: Reader, raw: Any) -> BypassSpec:
    data = reader.mapping(raw, "bypass", ("allowed", "consult"))
    return BypassSpec(
        allowed=reader.flag(data.get("allowed"), "bypass.allowed", True),
        consult=reader.text(data.get("consult"), "bypass.consult") or None,
    )


def _read_cafcass(reader: Reader, raw: Any) -> CafcassSpec:
    data = reader.mapping(raw, "cafcass", ("allowed", "from", "concurrent", "looked_after_only"))
    return CafcassSpec(
        allowed=reader.flag(data.get("allowed"), "cafcass.allowed", True),
        from_stages=(
            None
            if data.get("from", "any") == "any"
            else reader.names(data.get("from"), "cafcass.from")
        ),
        concurrent=reader.flag(data.get("concurrent"), "cafcass.concurrent", False),
        looked_after_only=reader.flag(
            data.get("looked_after_only"), "cafcass.looked_after_only", True
        ),
    )


def _read_reopen(reader: Reader, raw: Any) -> ReopenSpec:
    data = reader.mapping(raw, "reopen", ("allowed", "to", "within"))
    return ReopenSpec(
        allowed=reader.flag(data.get("allowed"), "reopen.allowed", True),
        to=reader.text(data.get("to"), "reopen.to", "last_stage"),
        within=reader.timescale(data.get("within"), "reopen.within", allow_words=False),
    )


def _read_separation(reader: Reader, raw: Any) -> SeparationSpec:
    data = reader.mapping(raw, "separation", ("raiser_only_as_raiser", "others_alerts"))
    others = data.get("others_alerts", list(SeparationSpec().others_alerts or ()))
    return SeparationSpec(
        raiser_only_as_raiser=reader.flag(
            data.get("raiser_only_as_raiser"), "separation.raiser_only_as_raiser", True
        ),
        others_alerts=(
            None if others == "any" else reader.names(others, "separation.others_alerts")
        ),
    )


def read_spec(parsed: Parsed, *, source: str, text: str) -> tuple[WorkflowSpec | None, list[str]]:
    """Read a parsed document into a spec; return it (if readable at all) and every problem."""
    reader = Reader(parsed)
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
    elif not _NAME.match(name):
        reader.problem(
            "name",
            f"{name[:60]!r} is not a plain name: use lower-case letters, digits and underscores,"
            " starting with a letter, such as dispute_resolution",
        )
    permissions = reader.permissions(data.get("permissions"), "permissions")
    permissions = {**default_permissions(), **permissions}
    stages = [
        _read_stage(reader, n, v, p)
        for n, v, p in named_section(reader, data.get("stages"), "stages")
    ]
    alerts = [
        _read_alert_type(reader, n, v, p, permissions.get("raise", ()))
        for n, v, p in named_section(reader, data.get("alert_types"), "alert_types")
    ]
    outcome_titles, outcome_reasons = _read_outcomes(reader, data.get("outcomes"))
    spec = WorkflowSpec(
        name=name,
        version=reader.positive_int(data.get("version"), "version", 1),
        title=reader.text(data.get("title"), "title", name),
        description=reader.text(data.get("description"), "description"),
        roles=reader.names(data.get("roles"), "roles"),
        alert_types=tuple(alerts),
        stages=tuple(stages),
        permissions=permissions,
        overall_limit=_read_limit(reader, data.get("overall_limit")),
        bypass=_read_bypass(reader, data.get("bypass")),
        cafcass=_read_cafcass(reader, data.get("cafcass")),
        rag=_read_rag(reader, data.get("rag")),
        reopen=_read_reopen(reader, data.get("reopen")),
        separation=_read_separation(reader, data.get("separation")),
        source=source,
        text=text,
        digest=hashlib.sha256(text.encode()).hexdigest(),
        outcome_titles=outcome_titles,
        outcome_reasons=outcome_reasons,
    )
    return spec, reader.problems + check_workflow(spec, parsed)


def load_workflow_text(text: str, *, source: str = "<workflow>") -> WorkflowSpec:
    """Load and check a workflow from YAML text; raise ``DefinitionError`` listing every problem."""
    try:
        parsed = parse_yaml(text)
    except yaml.YAMLError as exc:
        raise DefinitionError(source, [describe(exc)]) from None
    spec, problems = read_spec(parsed, source=source, text=text)
    if problems or spec is None:
        raise DefinitionError(source, problems)
    return spec


def load_workflow(path: Path) -> WorkflowSpec:
    """Load and check one workflow file."""
    try:
        text = read_text(path, "workflow file")
    except OSError as exc:
        raise WorkflowNotFound(
            f"Cannot read workflow file {str(path)!r}: {exc.strerror or exc}."
        ) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(str(path), [describe(exc)]) from None
    return load_workflow_text(text, source=str(path))


@dataclass(frozen=True, slots=True)
class WorkflowFolder:
    """The workflows folder as read: the files that loaded, and why each of the others did not.

    One broken file (a draft half written, say) must not stop the workflows beside it, nor the
    escalations already running, which keep the version they started under.
    """

    specs: dict[str, WorkflowSpec]
    failures: dict[str, EscalationError]
    #: Names two or more files give their workflow, with those files (none of them is used).
    clashes: dict[str, tuple[str, ...]] = field(default_factory=dict)


def read_workflows_dir(directory: Path) -> WorkflowFolder:
    """Load every ``*.yaml`` file in ``directory``, setting aside those with problems. Two files
    naming the same workflow are both set aside, each naming the other: which one an alert would
    run under must never depend on the order files are read in."""
    if not directory.is_dir():
        raise WorkflowNotFound(
            f"Workflow folder {str(directory)!r} does not exist; set workflows_dir in config.yaml."
        )
    loaded: dict[str, list[WorkflowSpec]] = {}
    failures: dict[str, EscalationError] = {}
    for path in sorted(directory.glob("*.y*ml")):
        try:
            spec = load_workflow(path)
        except (DefinitionError, WorkflowNotFound) as exc:
            failures[str(path)] = exc
            continue
        loaded.setdefault(spec.name, []).append(spec)
    specs: dict[str, WorkflowSpec] = {}
    clashes: dict[str, tuple[str, ...]] = {}
    for name, alike in loaded.items():
        if len(alike) == 1:
            specs[name] = alike[0]
            continue
        clashes[name] = tuple(spec.source for spec in alike)
        for spec in alike:
            others = ", ".join(other.source for other in alike if other is not spec)
            failures[spec.source] = DefinitionError(spec.source, [
                f"name: {name!r} is also the name of {others}; a workflow's name must be its own."
                " Rename one of them (escalations already running keep the version they started"
                " under)."
            ])  # fmt: skip
    if not specs and not failures:
        raise WorkflowNotFound(f"No workflow files (*.yaml) in {str(directory)!r}.")
    return WorkflowFolder(specs, failures, clashes)


def load_workflows_dir(directory: Path) -> dict[str, WorkflowSpec]:
    """Load every ``*.yaml`` file in ``directory``; raise on the first file with problems."""
    folder = read_workflows_dir(directory)
    for error in folder.failures.values():
        raise error
    return folder.specs


__all__ = [
    "WorkflowFolder",
    "load_workflow",
    "load_workflow_text",
    "load_workflows_dir",
    "read_workflows_dir",
]
