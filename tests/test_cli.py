"""The `adops-mcp` command as users and Claude Desktop run it (subprocesses, real transports)."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest
from click.testing import CliRunner
from mcp import Client, StdioServerParameters

from adops_mcp.cli import main
from tests.harness import connect

pytestmark = pytest.mark.anyio


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "adops_mcp", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_serve_without_credentials_explains_how_to_start() -> None:
    result = run("serve")
    assert result.returncode != 0
    assert "ADOPS_JIVOX_API_KEY" in result.stderr and "adops-mcp serve --sandbox" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ADOPS_JIVOX_API_KEY": "k", "ADOPS_JIVOX_BASE_URL": "not a url"}, "ADOPS_JIVOX_BASE_URL"),
        ({"ADOPS_JIVOX_API_KEY": "k"}, "set ADOPS_JIVOX_BASE_URL"),
        ({"ADOPS_TIMEOUT": "-1", "ADOPS_SANDBOX": "1"}, "ADOPS_TIMEOUT"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    result = run("serve", env=env)
    assert result.returncode != 0 and message in result.stderr
    assert "k\n" not in result.stderr


@pytest.mark.parametrize("command", [[], ["serve"], ["demo"], ["sandbox"], ["tools"], ["audit"]])
def test_help_everywhere(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.returncode == 0 and "Usage:" in result.stdout


def test_sandbox_prints_the_settings_that_reach_it(tmp_path: Path) -> None:
    """`adops-mcp sandbox` prints, per vendor, the ADOPS_* values that point the server at it; doctor accepts them."""
    port = free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith("ADOPS_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "adops_mcp", "sandbox", "--port", str(port)], env=base, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stderr is not None
        env = {**base, "ADOPS_DATA_DIR": str(tmp_path)}
        for line in process.stderr:
            if line.startswith("Faults:"):
                break
            if line.strip().startswith("export "):
                env |= dict(pair.split("=", 1) for pair in shlex.split(line)[1:])
        assert {"ADOPS_JOVEO_CLIENT_ID", "ADOPS_MERCHENTA_PASSWORD", "ADOPS_DELTA_MEDIA_AGENCY_ID"} <= set(env)
        wait_for_port(port)
        result = subprocess.run(
            [sys.executable, "-m", "adops_mcp", "doctor"], env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stdout + result.stderr
        for vendor in ("jivox", "joveo", "merchenta", "deltaprojects"):
            assert f"ok    {vendor}/default" in result.stdout and "credentials accepted" in result.stdout
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_demo_passes(tmp_path: Path) -> None:
    result = run("demo", env={"TMPDIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Demo passed" in result.stdout
    lines = result.stdout.splitlines()
    # each plan now ends with the exact requests it will send (issue 10), a few lines per confirmation;
    # the change sets and undo scenario (issue 26) adds about 35
    assert len(lines) <= 245, f"the transcript should read at a glance, not {len(lines)} lines"
    # 6 confirmed changes, the stats submission (it creates a report task at Joveo: a write), and the
    # change set's two pauses and the undo of one
    assert "Audit: 10 change(s) were recorded" in result.stdout and "`adops-mcp audit`" in result.stdout
    assert list(tmp_path.iterdir()) == [], "the demo leaves nothing behind in the temporary directory"
    verbose = run("demo", "--verbose", env={"TMPDIR": str(tmp_path)})
    assert verbose.returncode == 0 and len(verbose.stdout.splitlines()) > len(lines)
    import json

    decoder = json.JSONDecoder()  # every JSON block printed in full: each one parses
    for block in verbose.stdout.split("\n    {")[1:]:
        decoder.raw_decode("{" + block.replace("\n    ", "\n"))


async def test_stdio_server_as_claude_desktop_launches_it(tmp_path: Path) -> None:
    env = {**os.environ, "ADOPS_SANDBOX": "1", "ADOPS_DATA_DIR": str(tmp_path)}
    params = StdioServerParameters(command=sys.executable, args=["-m", "adops_mcp", "serve"], env=env)
    async with Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert "jivox_list_retail_campaigns" in names
        result = await client.call_tool("jivox_list_retail_campaigns", {"account_id": "acme-retail", "limit": 2})
        assert not result.is_error and len(result.structured_content["campaigns"]) == 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)  # the subprocess is still binding its port: nothing to wait on but the port


async def test_streamable_http_transport(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "ADOPS_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(  # noqa: ASYNC220 - returns once started; the server runs beside the test
        [sys.executable, "-m", "adops_mcp", "serve", "--transport", "http", "--sandbox", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        with anyio.fail_after(30):
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    await anyio.sleep(0.1)
            async with Client(f"http://127.0.0.1:{port}/mcp") as client:
                result = await client.call_tool(
                    "jivox_get_activation_status", {"account_id": "acme-retail", "retail_campaign_idx": 5303}
                )
                assert not result.is_error and result.structured_content["status"] == "ACTIVE"
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_listening_sockets_serve_connections_without_nagle() -> None:
    """`serve --transport http` and `sandbox` listen on `_bind`'s socket: asyncio must turn Nagle off on each
    accepted connection, or every keep-alive response waits 40 ms for the client's delayed ACK."""
    import asyncio

    from adops_mcp.cli import _bind

    async def accepted_nodelay() -> int:
        seen: asyncio.Queue[int] = asyncio.Queue()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            seen.put_nowait(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        sock = _bind("127.0.0.1", 0, "--port")
        server = await asyncio.start_server(handle, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection(*sock.getsockname())
            nodelay = await asyncio.wait_for(seen.get(), timeout=10)
            writer.close()
        return nodelay

    assert asyncio.run(accepted_nodelay()) != 0


@pytest.mark.anyio
async def test_tools_has_a_header_and_marks_exactly_the_default_surface() -> None:
    result = CliRunner().invoke(main, ["tools"], catch_exceptions=False)
    lines = result.output.splitlines()
    assert lines[0].split() == ["TOOL", "EFFECT", "VENDOR", "METHOD", "PATH"]
    marked = {line.split()[1] for line in lines[1:-1] if line.startswith("* ")}
    async with connect(toolsets=None) as h:  # what `adops-mcp serve --sandbox` lists: the default surface
        listed = {tool.name for tool in (await h.client.list_tools()).tools}
    assert marked == listed
    assert lines[-1].startswith(f"{len(lines) - 2} tools; * = listed by default ({len(listed)})")
    assert "INTERFACE.md" not in CliRunner().invoke(main, ["tools", "--help"]).output  # not shipped with the package


@pytest.mark.anyio
async def test_pending_indents_every_line_of_a_plan_and_audit_shows_the_request_and_profile() -> None:
    async with connect(confirm_mode="out-of-band") as h:
        first = await h.ok(
            "jivox_activate_retail_campaign", {"account_id": "northwind-grocers", "retail_campaign_idx": 7101}
        )
        plan_lines = first["plan"].splitlines()
        assert len(plan_lines) > 1
        shown = CliRunner().invoke(main, ["pending"], catch_exceptions=False).output.splitlines()
        for line in filter(None, plan_lines):
            assert "    " + line in shown, line
        ident = first["message"].split("approval id ")[1].split(",")[0]
        CliRunner().invoke(main, ["approve", ident, "--yes"], catch_exceptions=False)
        await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})
    audit = CliRunner().invoke(main, ["audit"], catch_exceptions=False).output.splitlines()
    assert "jivox_activate_retail_campaign" in audit[0] and "profile default" in audit[0]
    request = audit[1].strip().split("  ")[0]  # the request, then its arguments
    assert "7101" in request and "{" not in request, request
