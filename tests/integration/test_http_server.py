"""The embedded HTTP server under the sandbox's Bot API and the production webhooks."""

import asyncio
import socket

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.http_server import EmbeddedServer

REQUEST = b"GET / HTTP/1.1\r\nHost: parkshare\r\n\r\n"
CLIENT_KEEP_ALIVE_S = httpx.Limits().keepalive_expiry  # what python-telegram-bot's client uses


async def _ok(_request) -> PlainTextResponse:
    return PlainTextResponse("ok")


async def _ask(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
    writer.write(REQUEST)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    await reader.readexactly(2)  # "ok"
    return head


async def test_an_idle_connection_outlives_the_clients_keep_alive():
    # If the server gave up first, a request the client sends on a connection the server is
    # closing at that very moment would fail with a read error (the fuzz test once did).
    async with EmbeddedServer(Starlette(routes=[Route("/", _ok)])) as server:
        reader, writer = await asyncio.open_connection(server.host, server.port)
        try:
            assert (await _ask(reader, writer)).startswith(b"HTTP/1.1 200")
            await asyncio.sleep(CLIENT_KEEP_ALIVE_S + 0.5)
            assert (await _ask(reader, writer)).startswith(b"HTTP/1.1 200")
        finally:
            writer.close()


async def test_answers_leave_at_once_without_waiting_for_the_clients_ack():
    # A response goes out as headers, then body: with Nagle's algorithm on, the body waited
    # for the client's delayed ACK, 40 ms on every request of a kept-alive connection.
    async with EmbeddedServer(Starlette(routes=[Route("/", _ok)])) as server:
        reader, writer = await asyncio.open_connection(server.host, server.port)
        try:
            await _ask(reader, writer)
            (connection,) = server.connections()
            accepted = connection.transport.get_extra_info("socket")
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        finally:
            writer.close()
