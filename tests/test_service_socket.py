"""The socket the service listens on, bound before the store is opened."""

from __future__ import annotations

import asyncio
import socket

import pytest

from graphsvc.errors import ConfigError
from graphsvc.service import listening_socket


def test_connections_it_accepts_send_small_answers_at_once() -> None:
    async def nodelay_of_accepted() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                conn = transport.get_extra_info("socket")
                accepted.set_result(
                    conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
                )
                transport.close()

        listening = listening_socket("127.0.0.1", 0)
        server = await asyncio.get_running_loop().create_server(Probe, sock=listening)
        async with server:
            port = listening.getsockname()[1]
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            value = await asyncio.wait_for(accepted, timeout=10)
            writer.close()
        return value

    assert asyncio.run(nodelay_of_accepted()) == 1


def test_a_taken_port_is_named_with_the_reason() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError) as raised:
            listening_socket("127.0.0.1", port)

    assert str(raised.value) == (
        f"cannot listen on 127.0.0.1:{port}: Address already in use"
    )
