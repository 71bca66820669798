"""Running the engine: the worker (``escalate run``) and its health (``escalate status``)."""

from __future__ import annotations

import logging
import sys

import typer
from rich.logging import RichHandler

from .. import render
from ..clock import SystemClock
from ..worker import Worker, status
from .common import Json, app, emit_json, err, open_service, out


def _configure_logging() -> None:
    """Rich lines at a terminal; plain, timestamped lines under a service manager or in a file."""
    handler: logging.Handler
    if sys.stderr.isatty():
        handler = RichHandler(show_path=False)
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    for noisy in ("apscheduler", "transitions"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@app.command()
def run() -> None:
    """Run the worker: apply deadlines, reminders and breaches as they fall due, and send
    notifications, until stopped (Ctrl-C or SIGTERM finish the batch in hand, then exit 0).

    Example: escalate run
    """
    _configure_logging()
    service = open_service()
    service.clock = SystemClock()  # the worker always runs on real time
    if not Worker(service).run():
        raise typer.Exit(1)


@app.command("status")
def status_(as_json: Json = False) -> None:
    """Is a worker alive, when is the next deadline, and what is waiting (overdue, undelivered)?
    Exits 1 when no worker is alive, for monitoring.

    Example: escalate status --json
    """
    report = status(open_service())
    if as_json:
        emit_json(report.as_dict())
        raise typer.Exit(0 if report.worker_alive else 1)
    worker = report.worker
    if report.worker_alive and worker:
        out.print(
            f"Worker: [green]running[/green] (pid {worker['pid']} on {worker['host']}, last seen {worker['heartbeat_at']})"
        )
    elif worker:
        err.print(
            f"Worker: [red]not running[/red] (last seen {worker['heartbeat_at']}, pid {worker['pid']} on {worker['host']})"
        )
    else:
        err.print("Worker: [red]never started[/red]; start one with 'escalate run'.")
    out.print(f"Next deadline: {render.local(report.next_deadline)}")
    out.print(f"Overdue (due but not yet applied): {report.overdue}")
    out.print(f"Undelivered notifications: {report.undelivered}")
    raise typer.Exit(0 if report.worker_alive else 1)
