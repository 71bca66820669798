"""The server's listening socket: every connection accepted from it sends each part of a response
at once (TCP_NODELAY), since a response written in two parts would otherwise wait for the client's
delayed acknowledgement on every request after a connection's first."""

from __future__ import annotations

import asyncio
import errno
import socket

import pytest

from escalation_engine.server.processes import listen


def test_each_connection_accepted_sends_without_waiting_for_acknowledgements() -> None:
    async def accepted_nodelay() -> int:
        listener = listen("127.0.0.1", 0)
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


def test_a_port_in_use_is_refused_and_nothing_is_left_open() -> None:
    first = listen("127.0.0.1", 0)
    try:
        with pytest.raises(OSError) as refused:  # noqa: PT011 - the errno says which
            listen("127.0.0.1", first.getsockname()[1])
        assert refused.value.errno == errno.EADDRINUSE
    finally:
        first.close()
