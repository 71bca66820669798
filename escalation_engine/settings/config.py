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

from escalation_engine.domain.calendar import WorkingCalendar
from escalation_engine.domain.labels import Words
from escalation_engine.domain.patterns import pattern_problem
from escalation_engine.domain.people import Person
from escalation_engine.errors import ConfigError, UnknownUser, did_you_mean
from escalation_engine.settings.database import database_url
from escalation_engine.settings.fields import Fields, port, web_address
from escalation_engine.settings.retention import Retention, retention
from escalation_engine.settings.server import ServerSettings, server_settings
from escalation_engine.spec.yamlnodes import Parsed, describe, parse_yaml, read_text

CONFIG_ENV = "ESCALATE_CONFIG"
DATABASE_ENV = "ESCALATE_DATABASE_URL"
DEFAULT_CASE_PATTERN = r"^[A-Z]{2,5}-?[0-9]{3,10}$"


@dataclass(frozen=True, slots=True, kw_only=True)
class EmailSettings:
    host: str
    port: int = 25
    starttls: bool = True
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

    @property
    def configured(self) -> bool:
        """Whether any channel is set: without one, nobody is told anything."""
        return self.email is not None or bool(self.webhook_url)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerSettings:
    sweep_seconds: float = 15.0
    batch: int = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditSettings:
    """How the trail is signed and anchored outside the database."""

    #: ``ed25519:BASE64``; without it entries are chained but not signed.
    public_key: str | None = None
    signing_key_file: Path | None = None
    #: The first entry that must be signed (earlier ones were written before signing began).
    signed_from: int = 1
    #: Where the worker writes signed checkpoints, and after how many new entries.
    checkpoint_folder: Path | None = None
    checkpoint_every: int = 1_000
    #: An append-only copy of each checkpoint: a syslog server (``udp://host:port``,
    #: ``tcp://host:port``) or a local syslog socket (``/dev/log``), out of the writer's reach.
    checkpoint_syslog: str | None = None


@dataclass(frozen=True, kw_only=True)
class Settings:
    path: Path
    database_url: str
    workflows_dir: Path
    calendar: WorkingCalendar
    case_reference_pattern: str
    categories: dict[str, str]
    role_titles: dict[str, str] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    notifications: NotifySettings = field(default_factory=NotifySettings)
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    audit: AuditSettings = field(default_factory=AuditSettings)
    #: Direct mode only: whether a command may act as someone other than the computer login
    #: (``--as``); each such entry records both names.
    allow_act_as: bool = False
    server: ServerSettings = field(default_factory=ServerSettings)
    retention: Retention = field(default_factory=Retention)

    @property
    def words(self) -> Words:
        """The titles people read for this service's keys: people's names, roles, categories."""
        return Words(self.people, self.role_titles, self.categories)

    def person(self, username: str) -> Person:
        try:
            return self.people[username]
        except KeyError:
            instead = (
                ", or act as someone who is with --as USERNAME" if self.allow_act_as else
                " (username, name, roles, team), then run the command again"
            )  # fmt: skip
            raise UnknownUser(
                f"User {username!r} is not listed under people in {self.path}."
                f"{did_you_mean(username, self.people)} Add them there{instead}."
            ) from None


_PERSON_KEYS = ("username", "name", "roles", "team", "email", "manager", "away")
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _close_of_business(fields: Fields, value: Any) -> time:
    key = "calendar.close_of_business"
    if value is None:
        return time(17, 0)
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value) if isinstance(value, str) else None
    if match is None:
        raise fields.fail(key, f'must be a time in quotes like "17:00", got {value!r}')
    return time(int(match[1]), int(match[2]))


def _closures(fields: Fields, raw: Any) -> dict[date, str]:
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise fields.fail("calendar.closures", "must be a list of {date: YYYY-MM-DD, reason: ...}")
    closures: dict[date, str] = {}
    for index, item in enumerate(raw):
        key = f"calendar.closures[{index}]"
        entry = fields.mapping(item, key, ("date", "reason"))
        if not entry:
            raise fields.fail(key, "must be {date: YYYY-MM-DD, reason: ...}")
        day = fields.day(entry.get("date"), f"{key}.date")
        if day in closures:
            raise fields.fail(f"{key}.date", f"{day} is listed twice")
        closures[day] = fields.text(entry.get("reason"), f"{key}.reason", "local closure")
    return closures


def _people(fields: Fields, raw: Any) -> dict[str, Person]:
    if not isinstance(raw, list) or not raw:
        raise fields.fail("people", "must be a list of {username, name, roles, team, email}")
    people: dict[str, Person] = {}
    for index, item in enumerate(raw):
        key = f"people[{index}]"
        entry = fields.mapping(item, key, _PERSON_KEYS)
        for needed in ("username", "name", "roles", "team"):
            if needed not in entry:
                raise fields.fail(
                    key, f"needs {needed} (every person needs username, name, roles and team)"
                )
        username = entry["username"]
        if not isinstance(username, str) or not _USERNAME.match(username):
            raise fields.fail(
                f"{key}.username", f"{username!r} is not a username (letters, digits, . _ - @)"
            )
        if username in people:
            raise fields.fail(f"{key}.username", f"{username!r} is listed twice")
        roles = entry["roles"] if isinstance(entry["roles"], list) else [entry["roles"]]
        email = fields.text(entry.get("email"), f"{key}.email", "")
        if email and not _EMAIL.match(email):
            raise fields.fail(f"{key}.email", f"{email!r} is not an email address")
        people[username] = Person(
            username=username,
            name=fields.text(entry["name"], f"{key}.name", most=100),
            roles=tuple(fields.name(role, f"{key}.roles") for role in roles),
            team=fields.name(entry["team"], f"{key}.team"),
            email=email,
            manager=fields.text(entry.get("manager"), f"{key}.manager", "") or None,
            away=fields.flag(entry.get("away"), f"{key}.away", False),
        )
    for index, person in enumerate(people.values()):
        if person.manager is not None and person.manager not in people:
            raise fields.fail(
                f"people[{index}].manager",
                f"{person.manager!r} is not listed under people.{did_you_mean(person.manager, people)}",
            )
    return people


def _email(fields: Fields, raw: Any) -> EmailSettings | None:
    keys = ("host", "port", "starttls", "username", "from", "timeout_seconds")
    if isinstance(raw, dict) and "password" in raw:
        raise fields.fail(
            "notifications.email.password",
            "a password never goes in this file; set ESCALATE_SMTP_PASSWORD in the environment",
        )
    data = fields.mapping(raw, "notifications.email", keys)
    host = os.environ.get("ESCALATE_SMTP_HOST") or data.get("host")
    if not host:
        if data:
            raise fields.fail("notifications.email.host", "is missing: name the mail server")
        return None
    port_raw = os.environ.get("ESCALATE_SMTP_PORT")
    return EmailSettings(
        host=fields.text(host, "notifications.email.host", most=253),
        port=port(port_raw, "ESCALATE_SMTP_PORT")
        if port_raw
        else fields.whole(data.get("port"), "notifications.email.port", 587, 1, 65535),
        starttls=fields.flag(data.get("starttls"), "notifications.email.starttls", True),
        username=os.environ.get("ESCALATE_SMTP_USERNAME")
        or fields.text(data.get("username"), "notifications.email.username", ""),
        password=os.environ.get("ESCALATE_SMTP_PASSWORD") or "",
        sender=fields.text(
            data.get("from"), "notifications.email.from", "iro-escalations@localhost"
        ),
        timeout_seconds=fields.number(
            data.get("timeout_seconds"), "notifications.email.timeout_seconds", 10, 1, 120
        ),
    )


def _notifications(fields: Fields, raw: Any) -> NotifySettings:
    """The ``notifications`` section; SMTP and webhook settings may come from the environment."""
    keys = (
        "email",
        "webhook_url",
        "include_summary",
        "retry_base_seconds",
        "retry_max_seconds",
        "max_attempts",
    )
    data = fields.mapping(raw, "notifications", keys)
    webhook = os.environ.get("ESCALATE_WEBHOOK_URL")
    where = "ESCALATE_WEBHOOK_URL"
    if not webhook and data.get("webhook_url") is not None:
        webhook, where = data["webhook_url"], f"{fields.path}: notifications.webhook_url"
    return NotifySettings(
        email=_email(fields, data.get("email")),
        webhook_url=web_address(webhook, where) if webhook else None,
        include_summary=fields.flag(data.get("include_summary"), "notifications.include_summary", False),
        retry_base_seconds=fields.number(data.get("retry_base_seconds"), "notifications.retry_base_seconds", 30, 0.1, 86400),
        retry_max_seconds=fields.number(data.get("retry_max_seconds"), "notifications.retry_max_seconds", 3600, 0.1, 7 * 86400),
        max_attempts=fields.whole(data.get("max_attempts"), "notifications.max_attempts", 20, 1, 1000),
    )  # fmt: skip


def _worker(fields: Fields, raw: Any) -> WorkerSettings:
    data = fields.mapping(raw, "worker", ("sweep_seconds", "batch"))
    return WorkerSettings(
        sweep_seconds=fields.number(data.get("sweep_seconds"), "worker.sweep_seconds", 15, 0.1, 3600),
        batch=fields.whole(data.get("batch"), "worker.batch", 100, 1, 10_000),
    )  # fmt: skip


def _audit(fields: Fields, raw: Any, base: Path) -> AuditSettings:
    data = fields.mapping(
        raw, "audit", ("public_key", "signing_key_file", "signed_from", "checkpoints")
    )
    points = fields.mapping(
        data.get("checkpoints"), "audit.checkpoints", ("folder", "every", "syslog")
    )
    public = data.get("public_key")
    if public is not None:
        from escalation_engine.settings.keys import parse_public

        public = fields.text(public, "audit.public_key", most=100)
        parse_public(public, f"{fields.path}: audit.public_key")
    key_file = data.get("signing_key_file")
    folder = points.get("folder")
    return AuditSettings(
        public_key=public,
        signing_key_file=(base / fields.text(key_file, "audit.signing_key_file")).resolve() if key_file is not None else None,
        signed_from=fields.whole(data.get("signed_from"), "audit.signed_from", 1, 1, 2**62),
        checkpoint_folder=(base / fields.text(folder, "audit.checkpoints.folder")).resolve() if folder is not None else None,
        checkpoint_every=fields.whole(points.get("every"), "audit.checkpoints.every", 1_000, 1, 10_000_000),
        checkpoint_syslog=_syslog(fields, points.get("syslog")),
    )  # fmt: skip


_SYSLOG = re.compile(r"^(?:(?:udp|tcp)://[A-Za-z0-9.\-]{1,253}:[0-9]{1,5}|/[^\0\s]{1,200})$")


def _syslog(fields: Fields, raw: Any) -> str | None:
    """Where checkpoints also go: ``udp://host:port``, ``tcp://host:port`` or a socket path."""
    if raw is None:
        return None
    address = fields.text(raw, "audit.checkpoints.syslog", most=260)
    port = address.rsplit(":", 1)[-1]
    if not _SYSLOG.match(address) or (address[0] != "/" and not 0 < int(port) < 65536):
        raise fields.fail(
            "audit.checkpoints.syslog",
            f"{address!r} is not a syslog address: give a server as udp://host:port or"
            " tcp://host:port, or a local syslog socket such as /dev/log",
        )
    return address


_SEARCH_LIMIT = 12


def find_config(explicit: str | None = None) -> Path:
    """``--config``, else ``$ESCALATE_CONFIG``, else config.yaml in this folder or the nearest
    folder above it that has one (so commands work from inside the service's folder too)."""
    given = explicit or os.environ.get(CONFIG_ENV)
    if given:
        path = Path(given).expanduser().resolve()
        if not path.is_file():
            source = "--config" if explicit else CONFIG_ENV
            problem = "is a folder, not a file" if path.is_dir() else "does not exist"
            raise ConfigError(
                f"{path} (from {source}) {problem}; give the path of your service's config.yaml,"
                " or run 'escalate init' to create one."
            )
        return path
    here = Path.cwd().resolve()
    searched = [here, *here.parents][:_SEARCH_LIMIT]
    for folder in searched:
        if (folder / "config.yaml").is_file():
            return folder / "config.yaml"
    raise ConfigError(
        f"No config.yaml in {', '.join(map(str, searched))}. Run this from your service's folder,"
        " or give --config PATH (or set ESCALATE_CONFIG). To use your council's service from this"
        " computer, sign in with 'escalate login --server URL'; 'escalate init' sets up a new"
        " service of your own."
    )


_TOP_KEYS = (
    "database_url", "workflows_dir", "calendar", "case_reference_pattern", "categories", "roles",
    "people", "notifications", "worker", "audit", "allow_act_as", "server", "retention",
)  # fmt: skip


def _read(path: Path) -> Parsed:
    try:
        parsed = parse_yaml(read_text(path, "configuration file"))
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: {describe(exc)}.") from None
    for key, line in parsed.duplicates:
        raise ConfigError(
            f"{path} line {line}: {key}: is given twice; the second would silently replace the"
            " first. Merge them into one."
        )
    return parsed


def load_settings(path: Path) -> Settings:
    """Read and check config.yaml; ``$ESCALATE_DATABASE_URL`` overrides ``database_url``."""
    if not path.is_file():
        raise ConfigError(
            f"No configuration file at {path}. Run 'escalate init' in your service's folder to"
            " create one, or point to yours with --config PATH."
        )
    parsed = _read(path)
    fields = Fields(path, parsed)
    if parsed.data is None:
        raise fields.fail("", "is empty; copy the template with 'escalate init' in a new folder")
    data = fields.mapping(parsed.data, "", _TOP_KEYS)
    base = path.parent
    env_url = os.environ.get(DATABASE_ENV)
    url = database_url(
        env_url
        or fields.text(data.get("database_url"), "database_url", "sqlite:///escalations.db"),
        DATABASE_ENV if env_url else f"{path}: database_url",
        base,
    )
    calendar_raw = fields.mapping(
        data.get("calendar"), "calendar", ("close_of_business", "closures")
    )
    pattern = fields.text(
        data.get("case_reference_pattern"), "case_reference_pattern", DEFAULT_CASE_PATTERN
    )
    if (problem := pattern_problem(pattern)) is not None:
        raise fields.fail("case_reference_pattern", problem)
    return Settings(
        path=path,
        database_url=url,
        workflows_dir=(base / fields.text(data.get("workflows_dir"), "workflows_dir", "workflows")).resolve(),
        calendar=WorkingCalendar(
            closures=_closures(fields, calendar_raw.get("closures")),
            close_of_business=_close_of_business(fields, calendar_raw.get("close_of_business")),
        ),
        case_reference_pattern=pattern,
        categories=(categories := fields.titles(data.get("categories"), "categories", required=True)),
        role_titles=fields.titles(data.get("roles"), "roles", required=False),
        people=_people(fields, data.get("people")),
        notifications=_notifications(fields, data.get("notifications")),
        worker=_worker(fields, data.get("worker")),
        audit=_audit(fields, data.get("audit"), base),
        allow_act_as=fields.flag(data.get("allow_act_as"), "allow_act_as", False),
        server=server_settings(fields, data.get("server")),
        retention=retention(fields, data.get("retention"), set(categories)),
    )  # fmt: skip
