"""The ``escalate`` command: thin Typer commands that parse, call the service, and render.

Errors the engine raises on purpose are printed as one plain sentence (exit 1); misuse of the
command line exits 2. Every read command takes ``--json``.
"""

from __future__ import annotations

import sys

from rich.markup import escape

from ..errors import EscalationError
from . import acting, operations, reading, setup
from .common import app, err

__all__ = ["acting", "app", "main", "operations", "reading", "setup"]


def main() -> None:
    """Entry point: run the app, turning engine errors into one plain sentence and exit 1.

    Usage errors are Typer's own (exit 2); anything else is a bug and keeps its traceback.
    """
    try:
        app(prog_name="escalate")
    except EscalationError as exc:
        err.print(f"[red]Error:[/red] {escape(str(exc))}")
        sys.exit(1)
