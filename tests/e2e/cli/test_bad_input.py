"""Every bad input is refused: one plain sentence naming the problem and the fix, exit 1 or 2, no
traceback, quickly, and nothing written.

The corpus covers command-line arguments, environment variables, config.yaml and workflow files.
Each case runs ``escalate`` in a process of its own, in a copy of a service folder that holds one
open alert (ESC-2026-0001), and the database files must come out byte for byte as they went in.
A few cases of each kind run the installed ``escalate`` from scratch; the rest are forked from a
process that has imported it once (``tests.support.forks``), which checks the same refusal,
exit code and output without paying for start-up 200 times. Time is measured as the process's
own CPU time, so a busy machine cannot fail a case.
"""

from __future__ import annotations

import hashlib
import re
import resource
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.cli import ESCALATE, init_site, raise_alert, site_engine
from tests.support.databases import DATABASES, database, fingerprint
from tests.support.forks import Forks, environment
from tests.support.shipped import ROOT

NOW = "2026-11-03T09:00:00+00:00"
FIXTURES = ROOT / "tests" / "fixtures" / "workflows"
SECRET = "s3cr3t-pw"


@dataclass(frozen=True)
class Case:
    """One malformed input: what to run, what to change first, and what the refusal must say."""

    id: str
    args: tuple[str, ...]
    says: str
    user: str = "aisha"
    env: dict[str, str] = field(default_factory=dict)
    config: Callable[[str], str] | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    report: bool = False  # a validation report (several lines) rather than one sentence
    database: bool = False  # worth running on every database, not only SQLite
    #: Someone outside the escalation's reach: the refused look is recorded in the access log
    #: (its entry and its chain's seal), and nothing else is written.
    refused_look: bool = False


def cli(
    id: str, *args: str, says: str, user: str = "aisha", refused_look: bool = False, **env: str
) -> Case:
    return Case(id, args, says, user=user, env=env, database=True, refused_look=refused_look)


def environ(id: str, says: str, *args: str, **env: str) -> Case:
    return Case(id, args or ("list",), says, env=env)


def config(id: str, says: str, edit: Callable[[str], str], *args: str) -> Case:
    return Case(id, args or ("list",), says, config=edit)


def replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


def append(extra: str) -> Callable[[str], str]:
    return lambda text: text + "\n" + extra + "\n"


def section(name: str, new: str) -> Callable[[str], str]:
    """Replace a whole top-level section of config.yaml."""

    def edit(text: str) -> str:
        changed, count = re.subn(rf"^{name}:.*?(?=^\S|\Z)", new, text, count=1, flags=re.M | re.S)
        assert count == 1, name
        return changed

    return edit


def whole(new: str) -> Callable[[str], str]:
    return lambda _text: new


def workflow(id: str, says: str, text: str | bytes) -> Case:
    data = text.encode() if isinstance(text, str) else text
    return Case(
        id, ("workflows", "validate", "workflows/draft.yaml"), says,
        files={"workflows/draft.yaml": data}, report=True,
    )  # fmt: skip


def raise_args(**changes: str) -> tuple[str, ...]:
    options = {"type": "practice_alert", "case": "CLA-1234", "category": "pep", "summary": "s",
               "team": "north"} | changes  # fmt: skip
    return ("raise", *[part for name, value in options.items() for part in (f"--{name}", value)])


PEOPLE = "people:\n  - {username: aisha, name: Aisha Khan, roles: [iro], team: iro_service}\n"
BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n"
    for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)
DEEP = "a: " + "[" * 200 + "]" * 200 + "\n"
GOOD = (ROOT / "workflows" / "dispute_resolution.yaml").read_text()
LOOP = """
name: loop
roles: [iro, team_manager, service_manager]
permissions: {raise: [iro]}
alert_types: {alert: {enters_at: one}}
stages:
  one: {responders: [team_manager], clock: {working_days: 5}, on_timeout: two, on_unsatisfactory: resolved}
  two: {responders: [service_manager], clock: {working_days: 5}, on_timeout: one, on_unsatisfactory: resolved}
"""

CASES = [
    # -- command-line arguments -------------------------------------------------------------
    cli("raise-unknown-workflow", *raise_args(workflow="nope"), says="No workflow named 'nope'"),
    cli("raise-unknown-type", *raise_args(type="nope"), says="has no alert type 'nope'"),
    cli("raise-unknown-category", *raise_args(category="drift"), says="Unknown category 'drift'"),
    cli("raise-unknown-user", *raise_args(), user="mallory", says="'mallory' is not listed"),
    cli("raise-user-with-capitals", *raise_args(), user="Aisha", says="Did you mean 'aisha'"),
    cli("raise-role-may-not", *raise_args(), user="jo", says="may not raise"),
    cli("raise-name-as-case", *raise_args(case="Jane Smith"), says="is not a case reference"),
    cli("raise-case-then-name", *raise_args(case="CLA-1234 Jane"), says="is not a case reference"),
    cli("raise-case-empty", *raise_args(case=" "), says="Give the child's case reference"),
    cli("raise-case-huge", *raise_args(case="C" * 5000), says="is not a case reference"),
    cli("raise-case-tab", *raise_args(case="CLA-12\t34"), says="is not a case reference"),
    cli("raise-case-lowercase-name", *raise_args(case="smith"), says="is not a case reference"),
    cli(
        "raise-too-many-children",
        *[*raise_args(), *[p for n in range(21) for p in ("--case", f"CLA-{1000 + n}")]],
        says="at most 20 children",
    ),
    cli("raise-unknown-team", *raise_args(team="south"), says="Unknown team 'south'"),
    cli("raise-empty-summary", *raise_args(summary="  "), says="summary must not be empty"),
    cli("raise-huge-summary", *raise_args(summary="x" * 3000), says="keep it to 2,000"),
    cli("raise-escape-codes", *raise_args(summary="red \x1b[31m alert"), says="control characters"),
    cli("raise-rating-without-rag", *raise_args(rating="red"), says="has no RAG ratings"),
    cli(
        "raise-unknown-rating",
        *raise_args(workflow="rag_rating", type="rag_concern", rating="purple"),
        says="Unknown rating 'purple'",
    ),
    cli("raise-due-30-feb", *raise_args(due="2026-02-30"), says="is not a date"),
    cli("raise-due-word", *raise_args(due="tomorrow"), says="is not a date"),
    cli("raise-due-year-99999", *raise_args(due="99999-01-01"), says="is not a date"),
    cli("raise-due-year-9999", *raise_args(due="9999-12-31"), says="outside the years"),
    cli("raise-date-bad-day", *raise_args(date="review_date=2026-13-01"), says="is not a date"),
    cli(
        "raise-date-bad-name",
        *raise_args(date="review date=2026-01-01"),
        says="must be a single word",
    ),
    cli("raise-date-no-name", *raise_args(date="=2026-01-01"), says="must be a single word"),
    cli("raise-date-no-value", *raise_args(date="review_date"), says="is not a date"),
    cli("raise-bogus-option", "raise", "--bogus", says="No such option"),
    cli("raise-missing-type", "raise", "--case", "CLA-1234", says="--type"),
    cli("accept-not-theirs", "accept", "ESC-2026-0001", user="jo", says="may not accept"),
    cli(
        "rate-not-allowed",
        "rate",
        "ESC-2026-0001",
        "--rating",
        "red",
        says="Cannot rate ESC-2026-0001",
    ),
    cli(
        "extend-into-the-past",
        "extend",
        "ESC-2026-0001",
        "--until",
        "2020-01-01",
        "--note",
        "x",
        user="priya",
        says="is not in the future",
    ),
    cli(
        "extend-not-a-date",
        "extend",
        "ESC-2026-0001",
        "--until",
        "soon",
        "--note",
        "x",
        user="priya",
        says="is not a date",
    ),
    cli(
        "extend-missing-until",
        "extend",
        "ESC-2026-0001",
        "--note",
        "x",
        user="priya",
        says="--until",
    ),
    cli("show-unknown-reference", "show", "ESC-2026-9999", says="No escalation has the reference"),
    cli("show-name-as-reference", "show", "Jane Smith", says="No escalation has the reference"),
    cli("show-huge-reference", "show", "ESC-" + "9" * 3000, says="No escalation has the reference"),
    cli("show-missing-reference", "show", says="Missing argument"),
    cli("respond-without-note", "respond", "ESC-2026-0001", user="jo", says="needs a note"),
    cli(
        "respond-huge-note",
        "respond",
        "ESC-2026-0001",
        "--note",
        "x" * 5000,
        user="jo",
        says="keep it to 4,000",
    ),
    cli(
        "respond-escape-codes",
        "respond",
        "ESC-2026-0001",
        "--note",
        "\x07bell",
        user="jo",
        says="control characters",
    ),
    cli(
        "respond-stale-version",
        "respond",
        "ESC-2026-0001",
        "--note",
        "x",
        "--if-version",
        "99",
        user="jo",
        says="changed while you were looking",
    ),
    cli(
        "respond-negative-version",
        "respond",
        "ESC-2026-0001",
        "--note",
        "x",
        "--if-version",
        "-1",
        user="jo",
        says="Nothing was written",
    ),
    cli(
        "respond-word-version",
        "respond",
        "ESC-2026-0001",
        "--note",
        "x",
        "--if-version",
        "two",
        user="jo",
        says="--if-version",
    ),
    cli(
        "respond-bad-follow-up",
        "respond",
        "ESC-2026-0001",
        "--holding",
        "--follow-up",
        "2026-99-01",
        "--note",
        "x",
        user="jo",
        says="is not a date",
    ),
    cli(
        "respond-by-someone-else",
        "respond",
        "ESC-2026-0001",
        "--note",
        "x",
        user="tom",
        says="that you may see",  # another IRO's: it reads as not there
        refused_look=True,
    ),
    cli(
        "bypass-unknown-stage",
        "bypass",
        "ESC-2026-0001",
        "--to",
        "nowhere",
        "--note",
        "x",
        says="Choose the stage to go to",
    ),
    cli(
        "bypass-unknown-consultee",
        "bypass",
        "ESC-2026-0001",
        "--to",
        "director",
        "--consulted",
        "nobody",
        "--note",
        "x",
        says="'nobody' is not listed",
    ),
    cli(
        "bypass-without-reason",
        "bypass",
        "ESC-2026-0001",
        "--to",
        "director",
        "--consulted",
        "priya",
        says="needs a note",
    ),
    cli(
        "reopen-open-one",
        "reopen",
        "ESC-2026-0001",
        "--note",
        "x",
        says="Cannot reopen ESC-2026-0001",
    ),
    cli(
        "reallocate-to-nobody",
        "reallocate",
        "ESC-2026-0001",
        "--to",
        "ghost",
        "--note",
        "x",
        user="priya",
        says="'ghost' is not listed",
    ),
    cli(
        "refer-cafcass-by-manager",
        "refer-cafcass",
        "ESC-2026-0001",
        "--note",
        "x",
        user="jo",
        says="may not refer-cafcass",
    ),
    cli(
        "withdraw-by-other-iro",
        "withdraw",
        "ESC-2026-0001",
        "--note",
        "x",
        user="tom",
        says="that you may see",
        refused_look=True,
    ),
    cli(
        "not-looked-after-by-manager",
        "not-looked-after",
        "ESC-2026-0001",
        "--note",
        "x",
        user="jo",
        says="may not not-looked-after",
    ),
    cli(
        "supersede-by-manager",
        "supersede",
        "ESC-2026-0001",
        "--note",
        "x",
        user="jo",
        says="may not supersede",
    ),
    cli(
        "list-waiting-unknown-user",
        "list",
        "--waiting",
        "--as",
        "Aisha",
        says="'Aisha' is not listed",
    ),
    cli("list-mine-unknown-user", "list", "--mine", user="ghost", says="'ghost' is not listed"),
    cli("list-unknown-stage", "list", "--stage", "nowhere", says="Unknown stage 'nowhere'"),
    cli("list-unknown-team", "list", "--team", "south", says="Unknown team 'south'"),
    cli("list-unknown-category", "list", "--category", "drift", says="Unknown category 'drift'"),
    cli("list-unknown-workflow", "list", "--workflow", "nope", says="No workflow named 'nope'"),
    cli("list-unknown-window", "list", "--due", "later", says="Unknown deadline window 'later'"),
    cli("list-unknown-order", "list", "--sort", "oldest", says="Unknown order 'oldest'"),
    cli("list-unknown-raiser", "list", "--raised-by", "aishaa", says="Did you mean 'aisha'"),
    cli(
        "list-unknown-child",
        "list",
        "--child",
        "CLA-999999",
        says="No escalation is about case CLA-999999",
    ),
    cli("list-name-as-child", "list", "--child", "Jane Smith", says="is not a case reference"),
    cli(
        "audit-unknown-reference", "audit", "ESC-2026-9999", says="No escalation has the reference"
    ),
    cli("tick-bogus-option", "tick", "--now", "x", says="No such option"),
    cli("unknown-command", "frobnicate", says="No such command 'frobnicate'"),
    cli("unknown-db-command", "db", "frob", says="No such command 'frob'"),
    cli(
        "calendar-zero-days",
        "calendar",
        "due",
        "2022-09-15",
        "--working-days",
        "0",
        says="--working-days",
    ),
    cli(
        "calendar-million-days",
        "calendar",
        "due",
        "2022-09-15",
        "--working-days",
        "1000000",
        says="--working-days",
    ),
    cli(
        "calendar-negative-days",
        "calendar",
        "due",
        "2022-09-15",
        "--working-days",
        "-5",
        says="--working-days",
    ),
    cli(
        "calendar-word-days",
        "calendar",
        "due",
        "2022-09-15",
        "--working-days",
        "five",
        says="--working-days",
    ),
    cli(
        "calendar-year-9999",
        "calendar",
        "due",
        "9999-12-30",
        "--working-days",
        "5",
        says="outside the years",
    ),
    cli(
        "calendar-year-10000",
        "calendar",
        "due",
        "10000-01-01",
        "--working-days",
        "5",
        says="is not a date",
    ),
    cli(
        "calendar-30-feb",
        "calendar",
        "due",
        "2022-02-30",
        "--working-days",
        "5",
        says="is not a date",
    ),
    cli("calendar-empty-date", "calendar", "due", "", "--working-days", "5", says="is not a date"),
    cli("workflows-show-unknown", "workflows", "show", "nope", says="No workflow named 'nope'"),
    Case(
        "workflows-validate-missing-file",
        ("workflows", "validate", "/nonexistent/x.yaml"),
        "Cannot read workflow file",
        report=True,
    ),
    Case(
        "workflows-validate-a-folder",
        ("workflows", "validate", "/tmp"),
        "Cannot read workflow file",
        report=True,
    ),
    cli(
        "config-after-command-missing",
        "list",
        "--config",
        "/nonexistent/config.yaml",
        says="does not exist",
    ),
    cli(
        "config-before-command-missing",
        "--config",
        "/nonexistent/config.yaml",
        "list",
        says="does not exist",
    ),
    cli("config-is-a-folder", "--config", "/tmp", "list", says="is a folder"),
    # -- environment variables ----------------------------------------------------------------
    environ("fake-now-garbage", "is not a moment", ESCALATE_FAKE_NOW="next tuesday"),
    environ("fake-now-naive", "needs a UTC offset", ESCALATE_FAKE_NOW="2026-01-05T09:00:00"),
    environ(
        "fake-now-year-99999", "is not a moment", ESCALATE_FAKE_NOW="99999-01-01T00:00:00+00:00"
    ),
    environ(
        "fake-now-year-9999", "outside the years", ESCALATE_FAKE_NOW="9999-12-31T23:00:00+00:00"
    ),
    environ(
        "fake-now-tick-year-9999",
        "outside the years",
        "tick",
        ESCALATE_FAKE_NOW="9999-12-31T23:00:00+00:00",
    ),
    environ("user-unknown", "'ghost' is not listed", "list", "--mine", ESCALATE_USER="ghost"),
    environ("database-url-garbage", "is not a database URL", ESCALATE_DATABASE_URL="nonsense"),
    environ(
        "database-url-mysql", "are not supported", ESCALATE_DATABASE_URL=f"mysql://u:{SECRET}@h/db"
    ),
    environ(
        "database-url-bad-port",
        "is not a database URL",
        ESCALATE_DATABASE_URL=f"postgresql://u:{SECRET}@h:abc/db",
    ),
    environ(
        "database-url-huge-port",
        "is not a port number",
        ESCALATE_DATABASE_URL=f"postgresql://u:{SECRET}@h:99999/db",
    ),
    environ("database-url-memory", "must be a file", ESCALATE_DATABASE_URL="sqlite:///:memory:"),
    environ(
        "database-url-no-host", "needs a host", ESCALATE_DATABASE_URL="postgresql+psycopg:///x"
    ),
    environ(
        "database-url-missing-folder",
        "There is no database at",
        ESCALATE_DATABASE_URL="sqlite:////nonexistent/dir/x.db",
    ),
    environ(
        "database-unreachable",
        "Cannot use the database",
        ESCALATE_DATABASE_URL=f"postgresql+psycopg://u:{SECRET}@127.0.0.1:1/db",
    ),
    environ(
        "database-does-not-exist",
        "Cannot use the database",
        ESCALATE_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/no_such_database_xyz",
    ),
    environ(
        "smtp-port-word",
        "not a port number",
        ESCALATE_SMTP_HOST="127.0.0.1",
        ESCALATE_SMTP_PORT="abc",
    ),
    environ(
        "smtp-port-too-big",
        "not a port number",
        ESCALATE_SMTP_HOST="127.0.0.1",
        ESCALATE_SMTP_PORT="70000",
    ),
    environ(
        "smtp-port-zero",
        "not a port number",
        ESCALATE_SMTP_HOST="127.0.0.1",
        ESCALATE_SMTP_PORT="0",
    ),
    environ(
        "webhook-file-url",
        "not an http:// or https:// address",
        ESCALATE_WEBHOOK_URL="file:///etc/passwd",
    ),
    environ(
        "webhook-javascript",
        "not an http:// or https:// address",
        ESCALATE_WEBHOOK_URL="javascript:alert(1)",
    ),
    environ("config-env-missing", "does not exist", ESCALATE_CONFIG="/nonexistent/config.yaml"),
    environ("config-env-folder", "is a folder", ESCALATE_CONFIG="/tmp"),
    # -- config.yaml ----------------------------------------------------------------------------
    config("config-latin-1", "is not UTF-8", lambda t: t.replace("Aisha Khan", "A\udcefsha Khan")),
    config("config-binary", "is not UTF-8", whole("\udcff")),
    config("config-empty", "is empty", whole("")),
    config("config-a-list", "must be a mapping", whole("- a\n- b\n")),
    config("config-duplicate-people", "is given twice", append(PEOPLE)),
    config("config-duplicate-categories", "is given twice", append("categories:\n  pep: PEP\n")),
    config("config-unknown-setting", "Did you mean 'people'", append("peopel: []")),
    config(
        "include-summary-quoted-false",
        "must be true or false",
        append("notifications:\n  include_summary: 'false'"),
    ),
    config(
        "include-summary-yes",
        "must be true or false",
        append("notifications:\n  include_summary: yes"),
    ),
    config("batch-half", "must be a whole number", append("worker:\n  batch: 0.5")),
    config("batch-zero", "must be a whole number", append("worker:\n  batch: 0")),
    config("batch-quoted", "must be a whole number", append("worker:\n  batch: '10'")),
    config("batch-huge", "must be a whole number", append("worker:\n  batch: 100000000")),
    config("sweep-negative", "must be a number", append("worker:\n  sweep_seconds: -1")),
    config("sweep-word", "must be a number", append("worker:\n  sweep_seconds: fast")),
    config("worker-a-list", "must be a mapping", append("worker: [1, 2]")),
    config("worker-unknown-key", "unknown setting", append("worker:\n  threads: 4")),
    config(
        "server-threads-zero",
        "server.threads: must be a whole number from 1 to 64",
        append("server:\n  threads: 0"),
    ),
    config(
        "server-threads-word",
        "server.threads: must be a whole number",
        append("server:\n  threads: many"),
    ),
    config("retry-zero", "must be a number", append("notifications:\n  retry_base_seconds: 0")),
    config(
        "attempts-huge",
        "must be a whole number",
        append("notifications:\n  max_attempts: 1000000000"),
    ),
    config(
        "smtp-port-quoted",
        "must be a whole number",
        append("notifications:\n  email: {host: mail.example.org, port: '25'}"),
    ),
    config(
        "starttls-no",
        "must be true or false",
        append("notifications:\n  email: {host: mail.example.org, starttls: no}"),
    ),
    config(
        "smtp-password-in-file",
        "ESCALATE_SMTP_PASSWORD",
        append(f"notifications:\n  email: {{host: mail.example.org, password: {SECRET}}}"),
    ),
    config(
        "smtp-without-host", "name the mail server", append("notifications:\n  email: {port: 25}")
    ),
    config(
        "webhook-ftp",
        "not an http:// or https:// address",
        append(f"notifications:\n  webhook_url: ftp://u:{SECRET}@x/"),
    ),
    config(
        "webhook-number",
        "not an http:// or https:// address",
        append("notifications:\n  webhook_url: 42"),
    ),
    config("notifications-unknown-key", "unknown setting", append("notifications:\n  sms: true")),
    config(
        "close-of-business-unquoted",
        "must be a time in quotes",
        replace('close_of_business: "17:00"', "close_of_business: 17:00"),
    ),
    config(
        "close-of-business-25",
        "must be a time in quotes",
        replace('close_of_business: "17:00"', 'close_of_business: "25:00"'),
    ),
    config("closures-text", "must be a list", section("calendar", "calendar:\n  closures: soon\n")),
    config(
        "closures-not-a-date", "must be a date", replace("{date: 2026-12-29,", "{date: not-a-date,")
    ),
    config(
        "closures-30-feb", "cannot be read", replace("{date: 2026-12-29,", "{date: 2026-02-30,")
    ),
    config("closures-year-9999", "is outside", replace("{date: 2026-12-29,", "{date: 9999-12-29,")),
    config(
        "closures-twice", "is listed twice", replace("{date: 2026-12-30,", "{date: 2026-12-29,")
    ),
    config(
        "closures-wrong-key", "unknown setting", replace("{date: 2026-12-29,", "{day: 2026-12-29,")
    ),
    config(
        "closures-bare-date",
        "must be a mapping",
        replace("    - {date: 2026-12-29, reason: Council Christmas shutdown}", "    - 2026-12-29"),
    ),
    config(
        "pattern-catastrophic",
        "nests one repeat inside another",
        replace(
            "case_reference_pattern: '^[A-Z]{2,5}-?[0-9]{3,10}$'",
            "case_reference_pattern: '^(A+)+$'",
        ),
    ),
    config(
        "pattern-alternation-loop",
        "nests one repeat inside another",
        replace(
            "case_reference_pattern: '^[A-Z]{2,5}-?[0-9]{3,10}$'",
            "case_reference_pattern: '^(A|A)*$'",
        ),
    ),
    config(
        "pattern-anything",
        "would accept a person's name",
        replace(
            "case_reference_pattern: '^[A-Z]{2,5}-?[0-9]{3,10}$'", "case_reference_pattern: '.*'"
        ),
    ),
    config(
        "pattern-letters-and-spaces",
        "would accept a person's name",
        replace(
            "case_reference_pattern: '^[A-Z]{2,5}-?[0-9]{3,10}$'",
            "case_reference_pattern: '^[A-Z ]+$'",
        ),
    ),
    config(
        "pattern-invalid",
        "is not a valid pattern",
        replace(
            "case_reference_pattern: '^[A-Z]{2,5}-?[0-9]{3,10}$'", "case_reference_pattern: '['"
        ),
    ),
    config(
        "pattern-number",
        "must be text",
        replace(
            "case_reference_pattern: '^[A-Z]{2,5}-?[0-9]{3,10}$'", "case_reference_pattern: 123"
        ),
    ),
    config(
        "categories-empty",
        "must map names to their titles",
        section("categories", "categories: {}\n"),
    ),
    config("categories-list", "must be a mapping", section("categories", "categories: [a, b]\n")),
    config(
        "category-title-case",
        "is not a name",
        replace(
            "  permanence: Planning for permanence",
            "  Planning For Permanence: Planning for permanence",
        ),
    ),
    config(
        "category-title-number",
        "must be text",
        replace("  permanence: Planning for permanence", "  permanence: 42"),
    ),
    config("people-empty", "must be a list", section("people", "people: []\n")),
    config(
        "person-without-name",
        "needs name",
        replace("{username: aisha, name: Aisha Khan,", "{username: aisha,"),
    ),
    config("person-twice", "is listed twice", replace("{username: tom,", "{username: aisha,")),
    config(
        "person-bad-email",
        "is not an email address",
        replace("aisha.khan@example.org", "aisha.khan"),
    ),
    config(
        "person-unknown-manager",
        "is not listed under people",
        replace("manager: priya}", "manager: ghost}"),
    ),
    config(
        "person-away-quoted",
        "must be true or false",
        replace("manager: priya}", "manager: priya, away: 'yes'}"),
    ),
    config(
        "person-role-title",
        "is not a name",
        replace(
            "roles: [iro], team: iro_service, email: aisha",
            "roles: [Independent Reviewing Officer], team: iro_service, email: aisha",
        ),
    ),
    config(
        "person-unknown-key",
        "unknown setting",
        replace("{username: aisha,", "{username: aisha, phone: 0123,"),
    ),
    config(
        "person-username-spaces",
        "is not a username",
        replace("{username: aisha,", "{username: 'aisha khan',"),
    ),
    config(
        "database-url-garbage-in-file",
        "is not a database URL",
        section("database_url", "database_url: nonsense\n\n"),
    ),
    config(
        "database-url-number",
        "must be text",
        section("database_url", "database_url: 12\n\n"),
    ),
    config(
        "database-url-password-never-shown",
        "are not supported",
        section("database_url", f"database_url: mysql://u:{SECRET}@h/db\n\n"),
    ),
    config(
        "workflows-dir-missing",
        "does not exist",
        replace("workflows_dir: workflows", "workflows_dir: nowhere"),
        *raise_args(),
    ),
    config(
        "config-alias-bomb", "expands to more than", append("extra_" + BOMB.replace("\n", "\n", 1))
    ),
    config("config-deep", "nested more than", whole(DEEP)),
    config("config-tabs", "not valid YAML", whole("people:\n\t- x\n")),
    config("config-huge", "larger than", whole("# " + "x" * (1024 * 1024 + 10) + "\n")),
    config(
        "config-python-tag",
        "is not allowed",
        whole("database_url: !!python/object/apply:os.system ['true']\n"),
    ),
    config("config-complex-key", "a key must be a plain name", whole("? [a, b]\n: c\n")),
    config("role-title-number", "must be text", append("roles:\n  team_manager: 5")),
    config("role-bad-name", "is not a name", append("roles:\n  Team Manager: Team manager")),
    # -- workflow files -----------------------------------------------------------------------
    workflow(
        "workflow-latin-1",
        "is not UTF-8",
        GOOD.replace("title: Practice Alert", "title: Alerte pratique")
        .encode()
        .replace(b"Alerte", "Alérte".encode("latin-1")),
    ),
    workflow("workflow-alias-bomb", "expands to more than", BOMB),
    workflow("workflow-deep", "nested more than", DEEP),
    workflow("workflow-timeout-loop", "timeouts go round in a loop", LOOP),
    workflow(
        "workflow-million-days",
        "from 1 to 1,000",
        GOOD.replace("clock: {working_days: 5}", "clock: {working_days: 1000000}", 1),
    ),
    workflow(
        "workflow-half-day",
        "must be a whole number",
        GOOD.replace("clock: {working_days: 5}", "clock: {working_days: 0.5}", 1),
    ),
    workflow(
        "workflow-days-ambiguous",
        "is ambiguous",
        GOOD.replace("clock: {working_days: 5}", "clock: 5 days", 1),
    ),
    workflow("workflow-invalid-yaml", "not valid YAML", "stages: [\n"),
    workflow(
        "workflow-version-zero",
        "must be a whole number",
        GOOD.replace("\nversion: 1", "\nversion: 0", 1),
    ),
    workflow("workflow-huge", "larger than", "# " + "x" * (1024 * 1024 + 10)),
    workflow(
        "workflow-30-feb",
        "cannot be read",
        GOOD.replace("description: >", "review: 2026-02-30\ndescription: >", 1),
    ),
    workflow(
        "workflow-python-tag", "is not allowed", "name: !!python/object/apply:os.system ['true']\n"
    ),
    workflow(
        "workflow-flag-quoted",
        "must be true or false",
        GOOD.replace("concurrent: false", "concurrent: 'false'"),
    ),
    workflow(
        "workflow-flag-no",
        "must be true or false",
        GOOD.replace("concurrent: false", "concurrent: no"),
    ),
    *[
        workflow(f"fixture-{p.stem}", "problem", p.read_bytes())
        for p in sorted(FIXTURES.glob("*.yaml"))
    ],
]


def _digest(folder: Path) -> dict[str, str]:
    """The SQLite database's files in ``folder`` (the lock file writers take turns on holds
    nothing, and the shared-memory index changes when anyone reads)."""
    kept = ("escalations.db", "escalations.db-wal")
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.glob("escalations.db*"))
        if p.name in kept
    }


@pytest.fixture(scope="module")
def base_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    path = tmp_path_factory.mktemp("corpus")
    with database(request.param, path) as url:
        init_site(path, url)
        raise_alert(path, now="2026-11-02T09:00:00+00:00")
        yield request.param, path


def _environment(case: Case) -> dict[str, str]:
    return environment() | {"COLUMNS": "2000", "ESCALATE_USER": case.user,
                             "ESCALATE_FAKE_NOW": NOW} | case.env  # fmt: skip


def _run(folder: Path, case: Case) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run the case with the installed ``escalate``; return its result and the CPU seconds the
    process used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(
        [str(ESCALATE), *case.args], cwd=folder, env=_environment(case), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    out, err = process.communicate(timeout=60)  # a hang fails here, long before CI's limit
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err), cpu


#: The cases run with the installed ``escalate`` from scratch: some of each kind.
FROM_SCRATCH = frozenset({
    "raise-unknown-workflow", "raise-bogus-option", "raise-missing-type", "fake-now-garbage",
    "config-empty", "config-unknown-setting", "workflow-alias-bomb", "workflow-deep",
})  # fmt: skip


@pytest.fixture(scope="module")
def forks() -> Iterator[Forks]:
    with Forks(environment()) as server:
        yield server


#: Every case on SQLite; those that reach the database on every database.
RUNS = [
    pytest.param(kind, case, id=f"{kind}-{case.id}")
    for kind in DATABASES
    for case in CASES
    if kind == "sqlite" or case.database
]


@pytest.mark.parametrize(("base_site", "case"), RUNS, indirect=["base_site"], scope="module")
def test_bad_input_is_refused_plainly_quickly_and_changes_nothing(
    base_site: tuple[str, Path], case: Case, tmp_path: Path, forks: Forks
) -> None:
    kind, base = base_site
    folder = tmp_path / "site"
    shutil.copytree(base, folder)
    config = folder / "config.yaml"
    # The copy keeps its own SQLite file, so the file checked is the one the process opens.
    config.write_text(config.read_text().replace(str(base), str(folder)))
    engine = site_engine(folder)
    if case.config is not None:
        text = case.config(config.read_text())
        config.write_bytes(text.encode("utf-8", "surrogateescape"))
    for name, data in case.files.items():
        (folder / name).write_bytes(data)
    files_before = _digest(folder)
    assert kind != "sqlite" or "escalations.db" in files_before  # the file the process opens
    try:
        kept = ("access_entry", "chain_seal") if case.refused_look else ()
        rows_before = fingerprint(engine, kept)
        if case.id in FROM_SCRATCH:
            result, cpu = _run(folder, case)
        else:
            result, cpu = forks.run(list(case.args), cwd=folder, env=_environment(case))
        rows_after = fingerprint(engine, kept)
    finally:
        engine.dispose()
    said = " ".join(result.stderr.split())
    assert result.returncode in (1, 2), (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert case.says in said, said
    assert SECRET not in result.stderr + result.stdout
    if not case.report:
        assert said.startswith("Error: "), said
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert cpu < 5.0, f"{cpu:.1f} s of CPU"
    if not case.refused_look:  # else the file holds the refused look's entry
        assert _digest(folder) == files_before
    assert rows_after == rows_before


def test_the_corpus_holds_at_least_150_distinct_bad_inputs() -> None:
    assert len({c.id for c in CASES}) == len(CASES) >= 150
    assert {c.id for c in CASES} >= FROM_SCRATCH
