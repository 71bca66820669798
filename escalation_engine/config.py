"""config.yaml → ``Settings``: the database, the workflows, the calendar, categories and people.

Every problem names the key path in the file and what would be accepted, because the person
editing it is usually an IRO service administrator, not a developer.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any

import yaml

from .calendar import WorkingCalendar
from .errors import ConfigError, UnknownUser, did_you_mean

CONFIG_ENV = "ESCALATE_CONFIG"
DATABASE_ENV = "ESCALATE_DATABASE_URL"
DEFAULT_CASE_PATTERN = r"^[A-Z]{2,5}-?[0-9]{3,10}$"


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    username: str
    name: str
    roles: tuple[str, ...]
    team: str
    email: str = ""
    manager: str | None = None
    away: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class EmailSettings:
    host: str
    port: int = 25
    starttls: bool = False
    username: str = ""
    password: str = ""
    sender: str = "iro-escalations@localhost"
    timeout_seconds: float = 10.0


@dataclass(frozen=True, slots=True, kw_only=True)
class NotifySettings:
    """Where notifications go, and how hard the worker tries to deliver them."""

    email: EmailSettings | None = None
    webhook_url: str | None = None
    include_summary: bool = False
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    max_attempts: int = 20


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerSettings:
    sweep_seconds: float = 15.0
    batch: int = 100


@dataclass(frozen=True, kw_only=True)
class Settings:
    path: Path
    database_url: str
    workflows_dir: Path
    calendar: WorkingCalendar
    case_reference_pattern: str
    categories: dict[str, str]
    people: dict[str, Person] = field(default_factory=dict)
    notifications: NotifySettings = field(default_factory=NotifySettings)
    worker: WorkerSettings = field(default_factory=WorkerSettings)

    def person(self, username: str) -> Person:
        try:
            return self.people[username]
        except KeyError:
            raise UnknownUser(
                f"User {username!r} is not listed under people in {self.path}."
                f"{did_you_mean(username, self.people)} Add them there, or act as someone who is"
                " with --as USERNAME."
            ) from None


def _fail(path: Path, key: str, message: str) -> ConfigError:
    return ConfigError(f"{path}: {key}: {message}")


def _parse_time(value: Any, path: Path) -> time:
    try:
        hours, minutes = str(value).split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise _fail(
            path, "calendar.close_of_business", f'{value!r} is not a time like "17:00"'
        ) from None


def _closures(raw: Any, path: Path) -> dict[date, str]:
    closures: dict[date, str] = {}
    for index, item in enumerate(raw or []):
        key = f"calendar.closures[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("date"), date):
            raise _fail(path, key, "must be {date: YYYY-MM-DD, reason: ...}")
        closures[item["date"]] = str(item.get("reason") or "local closure")
    return closures


def _people(raw: Any, path: Path) -> dict[str, Person]:
    people: dict[str, Person] = {}
    if not isinstance(raw, list):
        raise _fail(path, "people", "must be a list of {username, name, roles, team, email}")
    for index, item in enumerate(raw):
        key = f"people[{index}]"
        if not isinstance(item, dict) or not item.get("username") or not item.get("roles"):
            raise _fail(path, key, "needs at least username, name, roles and team")
        unknown = set(item) - {"username", "name", "roles", "team", "email", "manager", "away"}
        if unknown:
            raise _fail(path, key, f"unknown keys {sorted(unknown)}")
        roles = item["roles"] if isinstance(item["roles"], list) else [item["roles"]]
        person = Person(
            username=str(item["username"]),
            name=str(item.get("name") or item["username"]),
            roles=tuple(str(r) for r in roles),
            team=str(item.get("team") or ""),
            email=str(item.get("email") or ""),
            manager=str(item["manager"]) if item.get("manager") else None,
            away=bool(item.get("away", False)),
        )
        if person.username in people:
            raise _fail(path, key, f"username {person.username!r} is listed twice")
        people[person.username] = person
    return people


def _number(raw: dict[str, Any], key: str, default: float, path: Path, where: str) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise _fail(path, f"{where}.{key}", f"must be a positive number, got {value!r}")
    return float(value)


def _notifications(raw: Any, path: Path) -> NotifySettings:
    """The ``notifications`` section; SMTP and webhook settings may come from the environment."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise _fail(path, "notifications", "must be a mapping")
    email_raw = raw.get("email") or {}
    host = os.environ.get("ESCALATE_SMTP_HOST") or email_raw.get("host")
    email = None
    if host:
        port = os.environ.get("ESCALATE_SMTP_PORT") or email_raw.get("port", 25)
        try:
            port = int(port)
        except (TypeError, ValueError):
            raise _fail(
                path, "notifications.email.port", f"{port!r} is not a port number"
            ) from None
        email = EmailSettings(
            host=str(host),
            port=port,
            starttls=bool(email_raw.get("starttls", False)),
            username=os.environ.get("ESCALATE_SMTP_USERNAME")
            or str(email_raw.get("username") or ""),
            password=os.environ.get("ESCALATE_SMTP_PASSWORD") or "",
            sender=str(email_raw.get("from") or "iro-escalations@localhost"),
        )
    return NotifySettings(
        email=email,
        webhook_url=os.environ.get("ESCALATE_WEBHOOK_URL") or raw.get("webhook_url") or None,
        include_summary=bool(raw.get("include_summary", False)),
        retry_base_seconds=_number(raw, "retry_base_seconds", 30, path, "notifications"),
        retry_max_seconds=_number(raw, "retry_max_seconds", 3600, path, "notifications"),
        max_attempts=int(_number(raw, "max_attempts", 20, path, "notifications")),
    )


def _worker(raw: Any, path: Path) -> WorkerSettings:
    raw = raw or {}
    if not isinstance(raw, dict):
        raise _fail(path, "worker", "must be a mapping")
    return WorkerSettings(
        sweep_seconds=_number(raw, "sweep_seconds", 15, path, "worker"),
        batch=int(_number(raw, "batch", 100, path, "worker")),
    )


def find_config(explicit: str | None = None) -> Path:
    """``--config``, else ``$ESCALATE_CONFIG``, else ``./config.yaml``."""
    return Path(explicit or os.environ.get(CONFIG_ENV) or "config.yaml").resolve()


def load_settings(path: Path) -> Settings:
    """Read and check config.yaml; ``$ESCALATE_DATABASE_URL`` overrides ``database_url``."""
    if not path.is_file():
        raise ConfigError(
            f"No configuration file at {path}. Run 'escalate init' in this folder to create one,"
            " or point to yours with --config PATH."
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a mapping of settings")
    known = {
        "notifications",
        "worker",
        "database_url",
        "workflows_dir",
        "calendar",
        "case_reference_pattern",
        "categories",
        "people",
    }
    for key in data:
        if key not in known:
            raise _fail(
                path,
                key,
                f"unknown setting.{did_you_mean(key, known)} Known: {', '.join(sorted(known))}",
            )
    base = path.parent
    url = os.environ.get(DATABASE_ENV) or str(
        data.get("database_url") or "sqlite:///escalations.db"
    )
    if (
        url.startswith("sqlite:///")
        and not url.startswith("sqlite:////")
        and url != "sqlite:///:memory:"
    ):
        url = f"sqlite:///{(base / url.removeprefix('sqlite:///')).resolve()}"
    calendar_raw = data.get("calendar") or {}
    pattern = str(data.get("case_reference_pattern") or DEFAULT_CASE_PATTERN)
    try:
        re.compile(pattern)
    except re.error as exc:
        raise _fail(path, "case_reference_pattern", f"is not a valid pattern ({exc})") from None
    categories = data.get("categories") or {}
    if not isinstance(categories, dict) or not categories:
        raise _fail(path, "categories", "must map category names to their descriptions")
    return Settings(
        path=path,
        database_url=url,
        workflows_dir=(base / str(data.get("workflows_dir") or "workflows")).resolve(),
        calendar=WorkingCalendar(
            closures=_closures(calendar_raw.get("closures"), path),
            close_of_business=_parse_time(calendar_raw.get("close_of_business", "17:00"), path),
        ),
        case_reference_pattern=pattern,
        categories={str(k): str(v) for k, v in categories.items()},
        people=_people(data.get("people") or [], path),
        notifications=_notifications(data.get("notifications"), path),
        worker=_worker(data.get("worker"), path),
    )
