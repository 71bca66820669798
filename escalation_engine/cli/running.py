"""Running the engine: the worker (``escalate run``), its health (``escalate status``) and the
HTTP service (``escalate serve``)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from escalation_engine.cli.common import Json, app, emit_json, err, open_service, out
from escalation_engine.errors import ConfigError

if TYPE_CHECKING:
    import socket

    from escalation_engine.service import EscalationService


def _configure_logging() -> None:
    """Rich lines at a terminal; plain, timestamped lines under a service manager or in a file."""
    import logging

    handler: logging.Handler
    if sys.stderr.isatty():
        from rich.logging import RichHandler

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
    # Only the worker needs APScheduler.
    from escalation_engine.app.coverage import refuse_stalls
    from escalation_engine.runtime.worker import Worker

    _configure_logging()
    service = open_service(real_time=True)  # the worker always runs on real time
    refuse_stalls(service, "start the worker")
    if not Worker(service).run():
        raise typer.Exit(1)


@app.command("status")
def status_(as_json: Json = False) -> None:
    """Is a worker alive and sweeping cleanly, when is the next deadline, what is waiting
    (overdue, undelivered), is anyone being notified, and do all workflow files load? Exits 1
    when anything needs attention, for monitoring.

    Example: escalate status --json
    """
    from escalation_engine.app.oversight import status_lines
    from escalation_engine.cli.backend import remote

    server = remote()
    if server is not None:
        report = server.call("status")
    else:
        from escalation_engine.app.health import status

        report = status(open_service()).as_dict()
    if as_json:
        emit_json(report)
    else:
        for problem, line in status_lines(report):
            (err if problem else out).print(line)
    raise typer.Exit(0 if report["healthy"] else 1)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port to listen on (0: any free port).")
    ] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Server processes (one per core, say) sharing the port.",
        ),
    ] = 1,
) -> None:
    """Serve the JSON API and the desk to signed-in people (behind your TLS reverse proxy in
    production). Run the worker beside it with 'escalate run'.

    Example: escalate serve --host 127.0.0.1 --port 8000 --workers 2
    """

    import uvicorn

    from escalation_engine.app.coverage import refuse_stalls
    from escalation_engine.clock import SystemClock
    from escalation_engine.server import create_app
    from escalation_engine.server.processes import listen, settle

    _configure_logging()
    service = open_service(real_time=True)  # sessions expire on real time
    refuse_stalls(service, "serve")
    try:
        listeners = listen(host, port, workers)
    except OSError as exc:
        raise ConfigError(
            f"Cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port, or"
            " stop whatever is using it."
        ) from None
    bound = listeners[0].getsockname()[1]  # --port 0 asks the system for a free port
    out.print(f"Serving on http://{host}:{bound} (stop with Ctrl-C).")
    sys.stdout.flush()

    def serve_one(service: EscalationService, listener: socket.socket) -> None:
        config = uvicorn.Config(
            create_app(service), proxy_headers=True, server_header=False, log_config=None,
            timeout_graceful_shutdown=10,
        )  # fmt: skip
        config.load()  # uvicorn's own start-up, so that it is settled too
        settle()
        uvicorn.Server(config).run(sockets=[listener])

    if workers == 1:
        serve_one(service, listeners[0])
        return
    from escalation_engine.server.processes import serve_forked

    service.close()  # each process opens its own connections

    def forked(listener: socket.socket) -> None:
        own = open_service()
        own.clock = SystemClock()
        serve_one(own, listener)

    raise typer.Exit(serve_forked(listeners, forked))
