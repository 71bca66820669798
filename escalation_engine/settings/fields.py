"""Reading one setting of config.yaml at a time, strictly: no value is coerced into another type.

``'false'`` in quotes is text, not a flag, and ``0.5`` is not a whole number: guessing what was
meant has sent a concern's text to a webhook and stopped a worker applying anything. Every refusal
names the key path, the line and what would be accepted.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from escalation_engine.domain.calendar import EARLIEST, LATEST
from escalation_engine.errors import ConfigError, did_you_mean
from escalation_engine.spec.yamlnodes import Parsed

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class Fields:
    """The settings of one config.yaml, read value by value."""

    def __init__(self, path: Path, parsed: Parsed) -> None:
        self.path = path
        self.parsed = parsed

    def fail(self, key: str, message: str) -> ConfigError:
        line = self.parsed.line(key) if key else None
        where = f" line {line}" if line else ""
        return ConfigError(
            f"{self.path}{where}: {key}: {message}." if key else f"{self.path}: {message}."
        )

    def mapping(
        self, value: Any, key: str, allowed: tuple[str, ...] | None = None
    ) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a mapping of settings (key: value), got {value!r}")
        for name in value:
            if allowed is not None and name not in allowed:
                raise self.fail(
                    f"{key}.{name}" if key else name,
                    f"unknown setting.{did_you_mean(name, allowed)} Known: {', '.join(allowed)}",
                )
        return value

    def text(self, value: Any, key: str, default: str | None = None, *, most: int = 500) -> str:
        if value is None and default is not None:
            return default
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"must be text (put it in quotes if need be), got {value!r}")
        if len(value) > most or any(ord(c) < 32 for c in value):
            raise self.fail(key, f"must be one line of at most {most} characters")
        return value.strip()

    def name(self, value: Any, key: str) -> str:
        """A key such as a category, role or team: lower_case_with_underscores."""
        if not isinstance(value, str) or not _KEY.match(value):
            raise self.fail(key, f"{value!r} is not a name: use lower_case_with_underscores")
        return value

    def flag(self, value: Any, key: str, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false (without quotes), got {value!r}")
        return value

    def number(self, value: Any, key: str, default: float, low: float, high: float) -> float:
        if value is None:
            return default
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            raise self.fail(key, f"must be a number from {low:g} to {high:g}, got {value!r}")
        return float(value)

    def whole(self, value: Any, key: str, default: int, low: int, high: int) -> int:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(key, f"must be a whole number from {low} to {high:,}, got {value!r}")
        return value

    def day(self, value: Any, key: str) -> date:
        if not isinstance(value, date):
            raise self.fail(key, f"must be a date written YYYY-MM-DD, got {value!r}")
        if not EARLIEST <= value <= LATEST:
            raise self.fail(key, f"{value} is outside {EARLIEST.year}-{LATEST.year}")
        return value

    def titles(self, value: Any, key: str, *, required: bool) -> dict[str, str]:
        """A mapping of names to the titles people read, e.g. ``drift_and_delay: Drift and delay``."""
        raw = self.mapping(value, key)
        if required and not raw:
            raise self.fail(
                key, "must map names to their titles, e.g. drift_and_delay: Drift and delay"
            )
        return {self.name(k, f"{key}.{k}"): self.text(v, f"{key}.{k}") for k, v in raw.items()}


def port(value: Any, where: str) -> int:
    """A TCP port from a file or the environment."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ConfigError(f"{where}: {value!r} is not a port number (1 to 65535).")
    return value


def web_address(value: Any, where: str, what: str = "the incoming webhook's URL") -> str:
    """An http(s) address; anything else (``file:``, ``ftp:``) could read or reach what it should not."""
    if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+(/\S*)?$", value.strip()):
        shown = "an address" if isinstance(value, str) else repr(value)
        raise ConfigError(
            f"{where}: {shown} that is not an http:// or https:// address; give {what}."
        )
    return value.strip()
