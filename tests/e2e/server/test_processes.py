"""The server's listening sockets: every connection accepted from them sends each part of a
response at once (TCP_NODELAY), since a response written in two parts would otherwise wait for the
client's delayed acknowledgement on every request after a connection's first; several processes
each have a socket of their own on the one port; a port in use is refused; a serving process
leaves what start-up built out of the garbage collector's full passes."""

from __future__ import annotations

import asyncio
import errno
import json
import socket
import subprocess
import sys

import pytest

from escalation_engine.server.processes import listen


def test_each_connection_accepted_sends_without_waiting_for_acknowledgements() -> None:
    async def accepted_nodelay() -> int:
        (listener,) = listen("127.0.0.1", 0)
        found: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def connected(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            found.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(connected, sock=listener)
        async with server:
            _, writer = await asyncio.open_connection(*listener.getsockname())
            try:
                return await asyncio.wait_for(found, timeout=60)
            finally:
                writer.close()

    assert asyncio.run(accepted_nodelay()) != 0


@pytest.mark.parametrize(("first_count", "second_count"), [(1, 1), (1, 2), (2, 1), (2, 2)])
def test_a_port_in_use_is_refused_however_many_processes_either_serves_from(
    first_count: int, second_count: int
) -> None:
    first = listen("127.0.0.1", 0, first_count)
    try:
        with pytest.raises(OSError) as refused:  # noqa: PT011 - the errno says which
            listen("127.0.0.1", first[0].getsockname()[1], second_count)
        assert refused.value.errno == errno.EADDRINUSE
    finally:
        for sock in first:
            sock.close()


@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="the system cannot share a port")
def test_each_process_has_a_socket_of_its_own_on_the_one_port_and_each_accepts() -> None:
    sockets = listen("127.0.0.1", 0, 3)
    try:
        assert len({id(sock) for sock in sockets}) == 3
        assert len({sock.getsockname() for sock in sockets}) == 1
        assert all(sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) for sock in sockets)
        # Each is listening: the system hands connections to the port out among them, so some
        # socket has each of these waiting to be accepted.
        address = sockets[0].getsockname()
        clients = [socket.create_connection(address, timeout=60) for _ in range(30)]
        accepted = 0
        for sock in sockets:
            sock.setblocking(False)
            while True:
                try:
                    conn, _ = sock.accept()
                except BlockingIOError:
                    break
                conn.close()
                accepted += 1
        for client in clients:
            client.close()
        assert accepted == 30
    finally:
        for sock in sockets:
            sock.close()


def test_a_settled_process_leaves_what_start_up_built_out_of_full_collections() -> None:
    # In a process of its own: settling is for the life of the process.
    check = (
        "import gc, json\n"
        "from escalation_engine.server import create_app\n"
        "from escalation_engine.server.processes import settle\n"
        "class Cycle:\n"
        "    def __init__(self): self.me = self\n"
        "garbage = [Cycle() for _ in range(1000)]\n"
        "del garbage\n"
        "built = len(gc.get_objects())\n"
        "settle()\n"
        "looked_at, frozen = len(gc.get_objects()), gc.get_freeze_count()\n"
        "gc.unfreeze()  # what was frozen is looked at again, garbage kept included\n"
        "kept = sum(type(o).__name__ == 'Cycle' for o in gc.get_objects())\n"
        "print(json.dumps([built, looked_at, frozen, kept]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=120, check=True
    )
    built, looked_at, frozen, cycles_left = json.loads(result.stdout)
    assert built > 20_000  # the modules a server imports
    assert looked_at < built // 10
    assert frozen > built // 2
    assert cycles_left == 0  # garbage is collected first, not kept for good
