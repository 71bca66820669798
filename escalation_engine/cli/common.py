"""What every ``escalate`` command shares: the Typer apps, the options, the service, output.

Start-up is part of the interface: ``escalate --help`` and the commands that never touch the
database must not pay for SQLAlchemy, Alembic, APScheduler or rich. So this module, and every
command module at import time, imports only Typer and the standard library; each command imports
what it uses when it runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

from escalation_engine.app.routes import (
    parse_day as parse_day,  # the commands read days as the API does
)
from escalation_engine.errors import ConfigError, PermissionDenied

if TYPE_CHECKING:
    from rich.console import Console

    from escalation_engine.clock import Clock
    from escalation_engine.service import EscalationService
    from escalation_engine.settings.config import Settings

FAKE_NOW_ENV = "ESCALATE_FAKE_NOW"
Fn = TypeVar("Fn", bound=Callable[..., Any])


@dataclass
class State:
    config: str | None = None
    database_url: str | None = None


STATE = State()


def _without_config(args: list[str], value_options: set[str]) -> list[str]:
    """``args`` less a ``--config PATH`` given after the command (recorded in ``STATE``), so that
    global options work on either side of the command name."""
    kept: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            return kept + args[index:]
        if arg == "--config" and index + 1 < len(args):
            STATE.config = args[index + 1]
            index += 2
            continue
        if arg.startswith("--config="):
            STATE.config = arg.partition("=")[2]
            index += 1
            continue
        kept.append(arg)
        if arg in value_options and index + 1 < len(args):
            kept.append(args[index + 1])
            index += 1
        index += 1
    return kept


def _no_type(ctx: Any) -> None:
    return None


def _usage_name(param: Any) -> str:
    """An argument in the usage line as people write placeholders: ``REFERENCE``, or
    ``[PERSON]`` when it may be left out (never ``{reference}``)."""
    name = (param.metavar or param.name).upper()
    name = name if param.required else f"[{name}]"
    return name + ("..." if param.nargs != 1 else "")


class _Plain:
    """Help that shows plain placeholders (``--case REF``), never Python types."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.metavar = ""
        return option

    def get_params(self, ctx: Any) -> Any:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if param.param_type_name == "option" and param.metavar is None:
                param.metavar = "" if param.is_flag else param.name.upper()
            elif param.param_type_name == "argument":
                param.display_type_rich = _no_type  # its name already says what it is
                param._usage_display_name = partial(_usage_name, param)
        return params


class Command(_Plain, TyperCommand):
    """An ``escalate`` command: ``--config`` may also follow it."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        value_options = {
            opt
            for param in self.get_params(ctx)
            if param.param_type_name == "option" and not param.is_flag
            for opt in param.opts
        }
        result: list[str] = super().parse_args(ctx, _without_config(list(args), value_options))
        return result


class Group(_Plain, TyperGroup):
    """A group of ``escalate`` commands."""


class App(typer.Typer):
    """A Typer app whose commands are ``Command``s."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Fn], Fn]:
        kwargs.setdefault("cls", Command)
        decorator: Callable[[Fn], Fn] = super().command(*args, **kwargs)
        return decorator


app = App(
    name="escalate",
    cls=Group,
    help="Raise, follow and escalate IRO alerts about looked-after children's care plans.\n\n"
    "Example: escalate raise --type practice_alert --case CLA-100234 --category drift_and_delay"
    " --team north --summary 'Permanence plan has drifted'\n\n"
    "--config PATH may come before or after the command.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
workflows_app = App(
    cls=Group, help="List, check and draw workflow definitions.", no_args_is_help=True
)
calendar_app = App(
    cls=Group, help="Working-day arithmetic (England & Wales).", no_args_is_help=True
)
app.add_typer(workflows_app, name="workflows")
app.add_typer(calendar_app, name="calendar")
db_app = App(
    cls=Group, help="The database schema: upgrade it, or say where it is.", no_args_is_help=True
)
app.add_typer(db_app, name="db")


class LazyConsole:
    """A rich ``Console`` made on first use, so that commands that print nothing through it
    (``--help``, ``--json``) never import rich."""

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr, highlight=False)
        return self._console

    def print(self, *objects: Any, **kwargs: Any) -> None:
        self.console.print(*objects, **kwargs)


out = LazyConsole(stderr=False)
err = LazyConsole(stderr=True)


def escape(text: str) -> str:
    """``text`` with rich markup made literal (names and notes are printed as typed)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


AsUser = Annotated[
    str | None,
    typer.Option(
        "--as",
        envvar="ESCALATE_USER",
        metavar="USERNAME",
        help="Act as this username (default: your login).",
    ),
]
IfVersion = Annotated[
    int | None,
    typer.Option(
        "--if-version",
        metavar="N",
        help="Only if the escalation is still at this version (from 'show --json'); otherwise"
        " nothing is written. Without it, the version this command reads when it starts.",
    ),
]
Force = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Act on the escalation as it is when the action is written, even if it changed after"
        " this command read it (the trail records that you forced it).",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
OutcomeReason = Annotated[
    str | None,
    typer.Option(
        "--outcome-reason",
        metavar="REASON",
        help="Why it closes as it does, where the workflow lists reasons for that outcome.",
    ),
]
Ref = Annotated[
    str, typer.Argument(metavar="REFERENCE", help="Escalation reference, e.g. ESC-2026-0042.")
]
Note = Annotated[
    str,
    typer.Option(
        "--note",
        "--reason",
        "-n",
        metavar="TEXT",
        help="What you say: recorded in the audit trail.",
    ),
]


def _print_version(value: bool) -> None:
    if value:
        from escalation_engine import __version__

        out.print(f"escalate {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            metavar="PATH",
            help="Path to config.yaml (default: config.yaml here or in a folder above).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    STATE.config = config


def make_clock(*, training: bool) -> Clock:
    """The real clock; on a training database, the moment in ``$ESCALATE_FAKE_NOW`` if set (on a
    live one that is refused: entries dated by a pretended clock would be false records)."""
    from escalation_engine.clock import FakeClock, SystemClock
    from escalation_engine.domain.calendar import EARLIEST, LATEST

    fake = os.environ.get(FAKE_NOW_ENV)
    if not fake:
        return SystemClock()
    if not training:
        raise ConfigError(
            f"{FAKE_NOW_ENV} is set, and this database holds live escalations: a pretended clock"
            " would date its entries falsely. Unset it, or rehearse in a training folder set up"
            " with 'escalate init --training'."
        )
    example = "e.g. 2026-01-05T09:00:00+00:00"
    try:
        moment = datetime.fromisoformat(fake.strip())
    except ValueError:
        raise ConfigError(
            f"{FAKE_NOW_ENV}={fake[:40]!r} is not a moment; write it as {example}, or unset it."
        ) from None
    if moment.tzinfo is None:
        raise ConfigError(f"{FAKE_NOW_ENV}={fake!r} needs a UTC offset, {example}.")
    if not EARLIEST <= moment.date() <= LATEST:
        raise ConfigError(
            f"{FAKE_NOW_ENV}={fake!r} is outside the years {EARLIEST.year}-{LATEST.year}; {example}."
        )
    return FakeClock(moment)


def current_settings() -> Settings:
    from escalation_engine.settings.config import find_config, load_settings

    return load_settings(find_config(STATE.config))


def open_service(*, need_schema: bool = True, real_time: bool = False) -> EscalationService:
    """The service this folder's config.yaml names, on the clock its commands run on: real time,
    or (on a training database, where ``ESCALATE_FAKE_NOW`` says so and not ``real_time``) a
    pretended moment."""
    from escalation_engine.service import EscalationService
    from escalation_engine.settings.database import safe_url, sqlite_path
    from escalation_engine.store import SCHEMA_HEAD, make_engine, schema_revision

    try:
        settings = current_settings()
    except ConfigError as exc:
        from escalation_engine.cli.backend import server

        url = server()
        if url is None:
            raise
        raise ConfigError(
            f"This computer is a client of {url}, and this command works on the service's own"
            " database: run it on the service host, in the folder whose config.yaml names the"
            f" database. ({exc})"
        ) from None
    STATE.database_url = settings.database_url
    where = safe_url(settings.database_url)
    path = sqlite_path(settings.database_url)
    if path is not None and not path.is_file():
        # Connecting would create an empty file: say where the database should be instead.
        raise ConfigError(
            f"There is no database at {path} (named by {settings.path}). Run 'escalate init' in"
            f" {settings.path.parent} to set it up, or run this from the right service folder."
        )
    engine = make_engine(settings.database_url)
    if need_schema:
        revision, head = schema_revision(engine), SCHEMA_HEAD
        if revision is None:
            raise ConfigError(
                f"The database at {where} is not set up yet; run 'escalate init' first."
            )
        if revision != head:
            raise ConfigError(
                f"The database at {where} is at schema {revision}, older than this"
                f" version's {head}; back it up, then run 'escalate db upgrade'."
            )
    from escalation_engine.clock import SystemClock

    # A pretended clock is refused on a live database whatever the command.
    service = EscalationService(settings, engine, SystemClock())
    if os.environ.get(FAKE_NOW_ENV):
        # A pretended clock is refused on a live database (one whose sealed installation record
        # does not say training) whatever the command.
        pretended = make_clock(training=service.ctx.training)
        if not real_time:
            service.clock = service.ctx.clock = pretended
    return service


def acting_user(as_user: str | None, service: EscalationService) -> str:
    """Who acts: the computer login, as listed under people. Acting as someone else (``--as``
    or ``$ESCALATE_USER``) is for training and single-office use where config.yaml says
    ``allow_act_as: true``; the entry then records the login that typed it as well."""
    import getpass

    login = getpass.getuser()
    if as_user is None or as_user == login:
        return login
    if not service.settings.allow_act_as:
        raise PermissionDenied(
            f"Acting as {as_user!r} (--as or ESCALATE_USER) is refused: you are signed in to this"
            f" computer as {login!r}, and {service.settings.path} does not say allow_act_as: true."
            " Leave out --as to act as yourself (listed under people with that username)."
        )
    service.ctx.entered_by = login
    return as_user


def bare(result: dict[str, Any]) -> dict[str, Any]:
    """The JSON a command prints: the read model without the words made for the screen."""
    return {key: value for key, value in result.items() if key not in ("shown", "said")}


def emit_json(value: Any) -> None:
    import json

    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")
