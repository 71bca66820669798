"""What every ``escalate`` command shares: the Typer apps, the options, the service, output."""

from __future__ import annotations

import getpass
import json
import os
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy import make_url

from .. import migrate
from ..clock import Clock, FakeClock, SystemClock
from ..config import Settings, find_config, load_settings
from ..errors import ConfigError, InvalidInput
from ..service import EscalationService
from ..store import make_engine

ROOT = Path(__file__).resolve().parents[2]
FAKE_NOW_ENV = "ESCALATE_FAKE_NOW"

app = typer.Typer(
    name="escalate",
    help="Raise, follow and escalate IRO alerts about looked-after children's care plans.\n\n"
    "Example: escalate raise --type practice_alert --case CLA-100234 --category drift_and_delay"
    " --summary 'Permanence plan has drifted'",
    no_args_is_help=True,
    rich_markup_mode="rich",
    add_completion=False,
)
workflows_app = typer.Typer(help="List, check and draw workflow definitions.", no_args_is_help=True)
calendar_app = typer.Typer(help="Working-day arithmetic (England & Wales).", no_args_is_help=True)
app.add_typer(workflows_app, name="workflows")
app.add_typer(calendar_app, name="calendar")
db_app = typer.Typer(
    help="The database schema: upgrade it, or say where it is.", no_args_is_help=True
)
app.add_typer(db_app, name="db")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

AsUser = Annotated[
    str | None,
    typer.Option(
        "--as", envvar="ESCALATE_USER", help="Act as this username (default: your login)."
    ),
]
IfVersion = Annotated[
    int | None,
    typer.Option(
        "--if-version",
        help="Only if the escalation is still at this version (from 'show --json'); otherwise nothing is written.",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
Ref = Annotated[str, typer.Argument(help="Escalation reference, e.g. ESC-2026-0042.")]
Note = Annotated[
    str, typer.Option("--note", "--reason", "-n", help="What you say: recorded in the audit trail.")
]


@dataclass
class State:
    config: str | None = None


STATE = State()


@app.callback()
def _root(
    config: Annotated[
        str | None, typer.Option("--config", help="Path to config.yaml (default ./config.yaml).")
    ] = None,
) -> None:
    STATE.config = config


def make_clock() -> Clock:
    fake = os.environ.get(FAKE_NOW_ENV)
    if fake:
        moment = datetime.fromisoformat(fake)
        if moment.tzinfo is None:
            raise ConfigError(
                f"{FAKE_NOW_ENV}={fake!r} needs a UTC offset, e.g. 2026-01-05T09:00:00+00:00."
            )
        return FakeClock(moment)
    return SystemClock()


def current_settings() -> Settings:
    return load_settings(find_config(STATE.config))


def open_service(*, need_schema: bool = True) -> EscalationService:
    settings = current_settings()
    engine = make_engine(settings.database_url)
    if need_schema:
        revision, head = migrate.current(engine), migrate.head()
        if revision is None:
            raise ConfigError(
                f"The database at {safe_url(settings.database_url)} is not set up yet; run 'escalate init' first."
            )
        if revision != head:
            raise ConfigError(
                f"The database at {safe_url(settings.database_url)} is at schema {revision}, older than this"
                f" version's {head}; back it up, then run 'escalate db upgrade'."
            )
    return EscalationService(settings, engine, make_clock())


def safe_url(url: str) -> str:
    """The database URL with any password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def acting_user(as_user: str | None) -> str:
    return as_user or getpass.getuser()


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")


def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{option} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-14."
        ) from None
