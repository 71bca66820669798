"""The ``escalate`` command: thin Typer commands that parse, call the service, and render.

Every refusal is one plain sentence on standard error: the engine's own (exit 1), a database that
cannot be reached (exit 1) and a mistyped command line (exit 2). Every read command takes
``--json``.
"""

from __future__ import annotations

import sys

import typer

from escalation_engine.cli import (
    acting,
    actions,
    auditing,
    backups,
    dashboard,
    disclosing,
    importing,
    people,
    reading,
    redacting,
    reporting,
    running,
    setup,
    signin,
    users,
)
from escalation_engine.cli.common import STATE, app, err, escape
from escalation_engine.errors import EscalationError

__all__ = [
    "acting",
    "actions",
    "app",
    "auditing",
    "backups",
    "dashboard",
    "disclosing",
    "importing",
    "main",
    "running",
    "people",
    "reading",
    "redacting",
    "reporting",
    "setup",
    "signin",
    "users",
]


def spelled(exc: EscalationError) -> str:
    """A refusal as the command line says it: where it is about an input, with its option."""
    given = getattr(exc, "given", None)
    if given is None:
        return str(exc)
    option = f"{given.option} {given.metavar}".strip()
    return f"{str(exc).rstrip('.')} ({option})."


def _refuse(message: str, code: int) -> None:
    err.print(f"[red]Error:[/red] {escape(message)}", soft_wrap=True)
    sys.exit(code)


def _usage(exc: typer.TyperException) -> None:
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError":
        # A group named without a command: show its help, as --help would.
        app(args=[*sys.argv[1:], "--help"], prog_name="escalate")
    message = exc.format_message().strip()
    hint = f" See '{ctx.command_path} --help'." if ctx is not None else ""
    _refuse(f"{message.rstrip('.')}.{hint}", exc.exit_code)


def _unreachable_database(exc: Exception) -> bool:
    # Only a command that used the database can have failed in it, and that command has already
    # imported SQLAlchemy: looking it up in sys.modules keeps --help from importing it.
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    return sqlalchemy_exc is not None and isinstance(
        exc, (sqlalchemy_exc.OperationalError, sqlalchemy_exc.InterfaceError)
    )


def main() -> None:
    """Entry point: run the app, turning every refusal into one plain sentence.

    Anything else is a bug and keeps its traceback.
    """
    try:
        result = app(prog_name="escalate", standalone_mode=False)
    except EscalationError as exc:
        _refuse(spelled(exc), 1)
    except typer.Abort:
        _refuse("Stopped; nothing more was done.", 1)
    except typer.TyperException as exc:
        _usage(exc)
    except Exception as exc:
        if not _unreachable_database(exc):
            raise
        from escalation_engine.settings.database import describe_failure

        _refuse(describe_failure(STATE.database_url or "", exc), 1)
    sys.exit(result if isinstance(result, int) else 0)
