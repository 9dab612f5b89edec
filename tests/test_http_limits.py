"""The HTTP transport under idle, slow and hostile connections (server/http_limits.py, the Gate).

A real uvicorn server on loopback with the limits set short by settings, raw sockets for what a
browser or SDK would never send, and the real MCP client to show that normal calls still work.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
import pytest

from adops_mcp.config import load_settings
from adops_mcp.server import http_limits, safelog
from adops_mcp.server.http_app import Gate, build_http_app, http_server
from adops_mcp.server.http_limits import Limits, Throttle, loop_exception_handler
from tests.harness import sandboxed_server
from tests.test_http_serving import INITIALIZE, LIST, free_port, mcp_client

pytestmark = pytest.mark.anyio

SHORT = 0.3  # seconds: every deadline in these tests
FAST = {"http_header_timeout": SHORT, "http_keep_alive_timeout": SHORT, "http_body_timeout": SHORT}


@asynccontextmanager
async def guarded(**settings: Any) -> AsyncIterator[tuple[int, Gate]]:
    """The server as `adops-mcp serve --transport http` runs it, on a free loopback port."""
    built = sandboxed_server(load_settings(sandbox=True, toolsets="all", retry_wait=0.0, **{**FAST, **settings}))
    gate = build_http_app(built.server, built.runtime.settings, "127.0.0.1")
    assert isinstance(gate, Gate)
    port = free_port()
    server = http_server(gate, built.runtime, grace=1, descriptors=None, host="127.0.0.1", port=port)
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve)
        with anyio.fail_after(10):
            while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
                await anyio.sleep(0.02)
        try:
            yield port, gate
        finally:
            server.should_exit = True


async def until_closed(stream: Any, within: float = 3.0) -> bytes:
    """Everything the server sends until it closes the connection (fails if it does not within `within`)."""
    received = b""
    with anyio.fail_after(within):
        while True:
            try:
                received += await stream.receive()
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                return received


def request(port: int, method: str, path: str, body: bytes = b"", **headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"host: 127.0.0.1:{port}"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def test_a_connection_that_sends_nothing_is_closed_after_the_header_timeout() -> None:
    async with guarded() as (port, _), await anyio.connect_tcp("127.0.0.1", port) as stream:
        started = time.monotonic()
        assert await until_closed(stream) == b""
        assert time.monotonic() - started >= SHORT * 0.9


async def test_trickling_a_request_line_does_not_extend_the_deadline() -> None:
    async with guarded() as (port, _), await anyio.connect_tcp("127.0.0.1", port) as stream:
        started = time.monotonic()
        await trickle(stream, request(port, "GET", "/healthz"))  # one byte every 50 ms: ~2.5 s for all of it
        assert time.monotonic() - started < 2.0


async def trickle(stream: Any, data: bytes) -> None:
    """Send one byte at a time until the server closes the connection (which must happen first)."""
    for byte in data:
        try:
            await stream.send(bytes([byte]))
        except (anyio.BrokenResourceError, ConnectionError):
            return
        await anyio.sleep(0.05)
    assert await until_closed(stream) == b"", "the whole request went through"


async def test_keep_alive_idle_connection_is_closed() -> None:
    async with guarded() as (port, _), await anyio.connect_tcp("127.0.0.1", port) as stream:
        await stream.send(request(port, "GET", "/healthz"))
        answer = await until_closed(stream)
        assert answer.startswith(b"HTTP/1.1 200") and b'"status": "ok"' in answer


async def test_a_stalled_body_is_cut_quietly_and_normal_calls_still_work(caplog: Any, mode: str) -> None:
    caplog.set_level(logging.DEBUG)
    async with guarded() as (port, gate):
        async with await anyio.connect_tcp("127.0.0.1", port) as stream:
            head = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
            await stream.send(request(port, "POST", "/mcp", b'{"jsonrpc"', **head, **{"content-length": "1000"}))
            await until_closed(stream)
        async with await anyio.connect_tcp("127.0.0.1", port) as stream:  # and one that hangs up itself
            await stream.send(request(port, "POST", "/mcp", b'{"json', **head, **{"content-length": "1000"}))
        with anyio.fail_after(3):
            while gate.abandoned < 2:  # noqa: ASYNC110 - the server notices the hang-up on its own time
                await anyio.sleep(0.02)
        async with mcp_client(f"http://127.0.0.1:{port}", token=None, mode=mode) as client:
            assert not (await client.call_tool(*LIST)).is_error
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not loud, [r.getMessage() for r in loud]


async def test_connections_beyond_the_cap_get_503_and_the_server_recovers() -> None:
    async with guarded(http_max_connections=2) as (port, _):
        held = [await anyio.connect_tcp("127.0.0.1", port) for _ in range(2)]
        await anyio.sleep(0.05)
        async with await anyio.connect_tcp("127.0.0.1", port) as third:
            answer = await until_closed(third, within=1.0)
        assert answer.startswith(b"HTTP/1.1 503") and b"connection: close" in answer
        for stream in held:  # the server closes the idle ones itself; then there is room again
            assert await until_closed(stream) == b""
            await stream.aclose()
        async with httpx2.AsyncClient() as http:
            assert (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200


async def test_ambiguous_framing_is_refused_and_nothing_pipelined_behind_it_is_served() -> None:
    body = json.dumps(INITIALIZE).encode()
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    smuggled = request(
        0,
        "POST",
        "/mcp",
        chunked,
        **{"content-type": "application/json", "content-length": "5", "transfer-encoding": "chunked"},
    ) + request(0, "GET", "/healthz")
    async with guarded() as (port, _), await anyio.connect_tcp("127.0.0.1", port) as stream:
        await stream.send(smuggled)
        answer = await until_closed(stream, within=SHORT * 0.9)  # closed at once, not by a timeout
    assert answer.startswith(b"HTTP/1.1 400") and answer.count(b"HTTP/1.1") == 1
    assert b"ambiguous" in answer and b'"status": "ok"' not in answer


async def test_declared_oversize_body_is_refused_without_reading_it() -> None:
    async with guarded(http_max_body=4096) as (port, _), await anyio.connect_tcp("127.0.0.1", port) as stream:
        await stream.send(request(port, "POST", "/mcp", b"", **{"content-length": "999999"}))
        answer = await until_closed(stream, within=SHORT * 0.9)
    assert answer.startswith(b"HTTP/1.1 413") and b"ADOPS_HTTP_MAX_BODY" in answer


def test_failed_accepts_are_one_line_each_window_without_traceback(caplog: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(http_limits, "throttle", Throttle(burst=2, window=60))
    handle = loop_exception_handler(Limits(10, 5, 30, 192))
    failure = OSError(errno.EMFILE, "Too many open files")
    with caplog.at_level(logging.WARNING):
        for _ in range(50):
            handle(None, {"message": "socket.accept() out of system resource", "exception": failure})  # type: ignore[arg-type]
    assert len(caplog.records) == 2
    assert all(r.exc_info is None and "ADOPS_HTTP_MAX_CONNECTIONS" in r.getMessage() for r in caplog.records)


def test_throttle_says_how_many_lines_it_dropped() -> None:
    throttle = Throttle(burst=1, window=0.05)
    assert throttle.allow("k") == (True, 0)
    assert [throttle.allow("k") for _ in range(3)] == [(False, 0)] * 3
    time.sleep(0.06)
    assert throttle.allow("k") == (True, 3)


def test_the_log_handler_never_raises_when_it_cannot_write(capsys: Any) -> None:
    class Exhausted:
        def write(self, _: str) -> None:
            raise OSError(errno.EMFILE, "Too many open files")

        def flush(self) -> None:
            raise OSError(errno.EMFILE, "Too many open files")

    handler = safelog.SafeHandler(Exhausted())  # type: ignore[arg-type]
    try:
        raise OSError(errno.EMFILE, "Too many open files")
    except OSError:
        record = logging.LogRecord("asyncio", logging.ERROR, __file__, 1, "accept failed", (), sys.exc_info())
    handler.handle(record)
    assert capsys.readouterr().err == ""


def test_the_connection_cap_fits_the_descriptor_limit() -> None:
    settings = load_settings(sandbox=True)
    assert Limits.from_settings(settings, None).max_connections == 1000
    assert Limits.from_settings(settings, 1 << 20).max_connections == 1000
    small = Limits.from_settings(settings, 256)
    assert small.max_connections == 256 - http_limits.RESERVED_DESCRIPTORS and small.descriptors == 256


def test_the_soft_descriptor_limit_is_raised_to_the_hard_one() -> None:
    script = (
        "import resource\n"
        "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))\n"
        "from adops_mcp.server.http_limits import raise_descriptor_limit\n"
        "now = raise_descriptor_limit()\n"
        "print(now, resource.getrlimit(resource.RLIMIT_NOFILE)[0], hard)\n"
    )
    now, soft, hard = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert int(now) == int(soft) > 64
    assert int(hard) < 0 or int(soft) == int(hard)  # RLIM_INFINITY is -1


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="needs prlimit (util-linux)")
def test_256_descriptors_and_300_idle_connections(tmp_path: Any) -> None:
    """The issue's case end to end: a fresh server with 256 descriptors stays up, closes the idle
    connections itself and answers /healthz while the client still holds them; a tool call works after."""
    port = free_port()
    env = {
        **os.environ,
        "ADOPS_SANDBOX": "1",
        "ADOPS_DATA_DIR": str(tmp_path),
        "ADOPS_HTTP_HEADER_TIMEOUT": "1",
    }
    command = ["prlimit", "--nofile=256:256", sys.executable, "-m", "adops_mcp", "serve", "--transport", "http"]
    server = subprocess.Popen([*command, "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True)
    held: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 60
        while not _healthy(port):
            assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(300)]
        started = time.monotonic()
        while not _healthy(port):
            assert server.poll() is None, "the server exited"
            assert time.monotonic() - started < 15, "/healthz did not answer within 15 s"
            time.sleep(0.2)
        for sock in held:  # every one was closed by the server (EOF), or refused with 503 and closed
            sock.settimeout(5)
            data = sock.recv(200)
            assert data == b"" or data.startswith(b"HTTP/1.1 503")
        with httpx2.Client() as http:
            call = {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "tools/call",
                "params": {"name": LIST[0], "arguments": LIST[1]},
            }
            headers = {"accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25"}
            answer = http.post(f"http://127.0.0.1:{port}/mcp", json=call, headers=headers)
            assert answer.status_code == 200 and '"isError":false' in answer.text.replace(" ", "")
        assert server.poll() is None
    finally:
        for sock in held:
            sock.close()
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert "Traceback" not in stderr
    assert stderr.count("cannot accept a connection") <= 5  # throttled, never a flood


def _healthy(port: int) -> bool:
    try:
        return httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx2.HTTPError:
        return False


async def test_malformed_requests_cannot_flood_the_log(caplog: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(http_limits, "throttle", Throttle(burst=3, window=60))
    remove_throttle_filters()  # those of an earlier server hold the module's own throttle
    with caplog.at_level(logging.WARNING):
        async with guarded() as (port, _):
            for _ in range(30):
                async with await anyio.connect_tcp("127.0.0.1", port) as stream:
                    await stream.send(b"NOT HTTP AT ALL\r\n\r\n")
                    assert (await until_closed(stream)).startswith(b"HTTP/1.1 400")
            async with httpx2.AsyncClient() as http:
                assert (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
    remove_throttle_filters()
    invalid = [r for r in caplog.records if "Invalid HTTP request" in r.getMessage()]
    assert len(invalid) == 3, [r.getMessage() for r in caplog.records]


def remove_throttle_filters() -> None:
    for name in http_limits.NOISY:
        for old in [f for f in logging.getLogger(name).filters if isinstance(f, http_limits.ThrottleFilter)]:
            logging.getLogger(name).removeFilter(old)
