"""Serving from several processes: each process forked from the command serves a listening socket
of its own on the one port, with its own service (its own database connections and caches), so
that a council's server uses every core. The first process watches the others: a stop signal is
passed to each once, and if one ends the rest are stopped too, for the service manager to restart.

One socket shared by every process gives each new connection to whichever process wakes first,
and it takes every connection then waiting: 20 people arriving together were served 14 by one
process and 6 by the other, which then sat idle while the first fell behind. A socket each
(SO_REUSEPORT) lets the system share new connections out between the processes instead.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import socket
from collections.abc import Callable
from types import FrameType

_SHARE = getattr(socket, "SO_REUSEPORT", None)  # Linux and the BSDs; elsewhere one shared socket


def settle() -> None:
    """Leave what start-up built (modules, workflows, the app and its templates: about 110,000
    objects) out of the garbage collector's full passes, for the life of the process. Each full
    pass looked at all of it, every request of the process waiting: 70 ms, against 8-17 ms for
    what requests build since. Called by each serving process just before it serves."""
    gc.collect()  # what start-up left to collect is collected, not kept for good
    gc.freeze()


def listen(host: str, port: int, count: int = 1) -> list[socket.socket]:
    """``count`` sockets listening on ``host``:``port`` (0: a free port), one for each process
    that will serve it. A port something else is using is refused (OSError), even by a program
    that shares ports too."""
    if count > 1 and _SHARE is not None:
        # Sockets sharing a port do not see each other as using it, so a second service started
        # on the same port would take half the connections: a plain socket bound first finds
        # anything already there (and, for port 0, picks the free port).
        probe = _listening(host, port, share=False)
        port = probe.getsockname()[1]
        probe.close()
        sockets: list[socket.socket] = []
        try:
            for _ in range(count):
                sockets.append(_listening(host, port, share=True))
        except OSError:
            for sock in sockets:
                sock.close()
            raise
        return sockets
    return [_listening(host, port, share=False)] * count


def _listening(host: str, port: int, *, share: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Named TCP, so that asyncio sets TCP_NODELAY on each connection it accepts (it does only
    # for sockets that say so): otherwise a response written in two parts waits for the
    # client's delayed acknowledgement, 40 ms on every request after a connection's first.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if share and _SHARE is not None:
            sock.setsockopt(socket.SOL_SOCKET, _SHARE, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def serve_forked(listeners: list[socket.socket], serve: Callable[[socket.socket], None]) -> int:
    """Run ``serve`` in a forked process for each of ``listeners`` (from ``listen``), each
    serving its own, until they end; returns the exit status to end with (0 when all stopped
    cleanly)."""
    children: list[int] = []
    for mine in listeners:
        pid = os.fork()
        if pid == 0:  # a server process, in its own group: Ctrl-C reaches only the first
            os.setpgid(0, 0)
            status = 1
            try:
                for other in listeners:
                    if other is not mine:
                        other.close()
                serve(mine)
                status = 0
            finally:
                os._exit(status)
        children.append(pid)
    for listener in listeners:
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
