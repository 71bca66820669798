"""Reading one YAML value at a time into typed fields, noting problems instead of stopping.

The loader walks a workflow file key by key; this module knows how to read each kind of value
(text, flags, names, role sets, clocks) and how to report what is wrong with one, with its line
and a did-you-mean hint.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from escalation_engine.errors import did_you_mean
from escalation_engine.spec import vocabulary
from escalation_engine.spec.model import (
    CLOCK_WORDS,
    COUNTED_UNITS,
    ClockKind,
    RoleSet,
    Timescale,
)
from escalation_engine.spec.yamlnodes import Parsed

_SHORT_CLOCK = re.compile(
    r"^\s*(\d+)\s+(working|calendar)?\s*(day|days|month|months|hour|hours|minute|minutes|second|seconds)\s*$"
)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
#: The longest clock of each unit: about four years, beyond any protocol's timescale, and short
#: enough that counting it day by day is instant.
MOST = {"working_days": 1000, "calendar_days": 1500, "months": 48, "hours": 36_000,
        "minutes": 2_160_000, "seconds": 129_600_000}  # fmt: skip


class Reader:
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
        most = MOST[kind]
        if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= most:
            self.problem(path, f"must be a whole number from 1 to {most:,}, got {amount!r}")
            return None
        return Timescale(kind=kind, amount=amount)  # type: ignore[arg-type]

    def positive_int(self, value: Any, path: str, default: int) -> int:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
            self.problem(path, f"must be a whole number from 1 to 1,000,000, got {value!r}")
            return default
        return value

    def permissions(self, value: Any, path: str) -> dict[str, tuple[str, ...]]:
        known = vocabulary.names()
        raw = self.mapping(value, path, known)
        return {
            action: self.names(roles, f"{path}.{action}")
            for action, roles in raw.items()
            if action in known
        }


def named_section(reader: Reader, raw: Any, path: str) -> list[tuple[str, Any, str]]:
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
