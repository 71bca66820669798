"""Which column of a legacy spreadsheet holds which fact, what to assume where a column is
missing, and how the old system's words translate (``Stage 1`` → ``team_manager``).

A mapping file (YAML) says it once for a council's export; options (``--column case="Child ID"``,
``--default team=north``) say it on the command line. With neither, a column is found by the
field's name or its title, so a spreadsheet made from the shipped template needs no mapping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from escalation_engine.errors import InvalidInput, did_you_mean, one_of
from escalation_engine.spec.yamlnodes import describe, parse_yaml, read_text

#: Every fact an imported row can hold: name → (title, required).
FIELDS: dict[str, tuple[str, bool]] = {
    "legacy_id": ("Legacy ID", False),
    "case": ("Case reference", True),
    "workflow": ("Workflow", False),
    "alert_type": ("Alert type", True),
    "category": ("Category", True),
    "team": ("Team", True),
    "raised_by": ("Raised by", True),
    "raised_on": ("Raised on", True),
    "summary": ("Summary", False),
    "stage": ("Highest stage", False),
    "outcome": ("Outcome", True),
    "closed_on": ("Closed on", False),
    "outcome_reason": ("Outcome reason", False),
    "rating": ("RAG rating", False),
}


def _folded(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()


@dataclass
class Mapping:
    #: field → the header of its column
    columns: dict[str, str] = field(default_factory=dict)
    #: field → the value every row has where no column gives one
    defaults: dict[str, str] = field(default_factory=dict)
    #: field → {value in the file (any case) → value the engine knows}
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def resolve(self, headers: list[str]) -> dict[str, int]:
        """The column index of each field the file holds; refuse a named column that is not
        there, and a required field with neither a column nor a default."""
        index = {h: i for i, h in enumerate(headers) if h}
        found: dict[str, int] = {}
        for name, header in self.columns.items():
            if header not in index:
                raise InvalidInput(
                    f"The mapping names column {header!r} for {name}, but the file has no such"
                    f" column.{did_you_mean(header, list(index))} Columns: {one_of(list(index))}."
                )
            found[name] = index[header]
        folded = {_folded(h): i for h, i in index.items()}
        for name, (title, _) in FIELDS.items():
            if name not in found:
                for guess in (name, title):
                    if _folded(guess) in folded:
                        found[name] = folded[_folded(guess)]
                        break
        missing = [
            f"{name} ({title!r})"
            for name, (title, required) in FIELDS.items()
            if required and name not in found and name not in self.defaults
        ]
        if missing:
            raise InvalidInput(
                f"No column for {', '.join(missing)}: name the column with --column FIELD=HEADER"
                " (or in a mapping file), or give one value for every row with --default"
                f" FIELD=VALUE. The file's columns: {one_of(list(index))}."
            )
        return found

    def translate(self, name: str, value: str) -> str:
        words = self.values.get(name, {})
        folded = {_folded(k): v for k, v in words.items()}
        return folded.get(_folded(value), value)


def _field(name: str, where: str) -> str:
    if name not in FIELDS:
        raise InvalidInput(
            f"{where}: {name!r} is not a field that can be imported.{did_you_mean(name, FIELDS)}"
            f" Fields: {one_of(list(FIELDS))}."
        )
    return name


def _pairs(given: list[str], option: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in given:
        name, sep, value = item.partition("=")
        if not sep or not value.strip():
            raise InvalidInput(
                f"{option} {item[:60]!r}: write it as FIELD=VALUE, e.g. {option} team=north."
            )
        found[_field(name.strip(), option)] = value.strip()
    return found


def from_options(path: Path | None, columns: list[str], defaults: list[str]) -> Mapping:
    """The mapping file at ``path`` (if any), with ``--column`` and ``--default`` on top."""
    mapping = load(path) if path is not None else Mapping()
    mapping.columns |= _pairs(columns, "--column")
    mapping.defaults |= _pairs(defaults, "--default")
    return mapping


def load(path: Path) -> Mapping:
    where = str(path)
    try:
        data: Any = parse_yaml(read_text(path, "mapping file")).data or {}
    except OSError as exc:
        raise InvalidInput(f"Cannot read the mapping file {path}: {exc.strerror or exc}.") from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{where}: {describe(exc)}.") from None
    if not isinstance(data, dict) or not set(data) <= {"columns", "defaults", "values"}:
        raise InvalidInput(f"{where}: a mapping file holds columns:, defaults: and values: only.")
    mapping = Mapping()
    for key, target in (("columns", mapping.columns), ("defaults", mapping.defaults)):
        section = data.get(key) or {}
        if not isinstance(section, dict) or not all(isinstance(v, str) for v in section.values()):
            raise InvalidInput(f"{where}: {key}: maps each field to a text, e.g. case: Child ID.")
        target.update({_field(str(k), f"{where}: {key}"): v for k, v in section.items()})
    for name, words in (data.get("values") or {}).items():
        if not isinstance(words, dict):
            raise InvalidInput(f"{where}: values: {name}: maps the file's words to the engine's.")
        mapping.values[_field(str(name), f"{where}: values")] = {
            str(k): str(v) for k, v in words.items()
        }
    return mapping
