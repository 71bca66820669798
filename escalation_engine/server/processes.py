"""Serving from several processes: the socket is bound once, then each process forked from the
command serves it with its own service (its own database connections and caches), so that a
council's server uses every core. The first process watches the others: a stop signal is passed
to each once, and if one ends the rest are stopped too, for the service manager to restart."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
from collections.abc import Callable
from types import FrameType


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on ``host``:``port`` (0: a free port), for one process or several."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Named TCP, so that asyncio sets TCP_NODELAY on each connection it accepts (it does only
    # for sockets that say so): otherwise a response written in two parts waits for the
    # client's delayed acknowledgement, 40 ms on every request after a connection's first.
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    return listener


def serve_forked(listener: socket.socket, count: int, serve: Callable[[], None]) -> int:
    """Run ``serve`` (which serves ``listener``) in ``count`` forked processes until they end;
    returns the exit status to end with (0 when all stopped cleanly)."""
    children: list[int] = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:  # a server process, in its own group: Ctrl-C reaches only the first
            os.setpgid(0, 0)
            status = 1
            try:
                serve()
                status = 0
            finally:
                os._exit(status)
        children.append(pid)
    listener.close()
    stopping = False

    def stop(_signal: int = signal.SIGTERM, _frame: FrameType | None = None) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    worst = 0
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        if pid in children:
            children.remove(pid)
            code = os.waitstatus_to_exitcode(status)
            worst = max(worst, code if code > 0 else 0 if stopping else 1)
            stop()  # one has ended: stop the others
    return worst
