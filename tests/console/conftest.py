"""A real team setup for the console tests: one uvicorn server on a free loopback port (sandbox vendors,
ADOPS_CONFIRM_MODE=out-of-band, named MCP client tokens, two operators, a webhook receiver), real MCP
clients over streamable HTTP, and one Chromium per module for the browser tests."""

from __future__ import annotations

import json
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anyio
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from adops_mcp.config import load_settings
from adops_mcp.console import build_console
from adops_mcp.sandbox.deltaprojects import ACT_LIVE, CLIENT_SE
from adops_mcp.sandbox.joveo import CAMP_ALWAYS_ON, GLOBEX
from adops_mcp.server.app import Built
from adops_mcp.server.http_app import build_http_app
from tests.harness import sandboxed_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"  # gitignored; looked at after each run

ALICE = "alice-operator-token-3f9a1c7e5b2d"
BOB = "bob-operator-token-8e2d4c6a0f1b3"
CLIENT_BOB = "bob-client-token-5c7e9a1b3d5f7"  # bob's assistant: bob may not approve what it asks
CLIENT_CAROL = "carol-client-token-2a4c6e8b0d1f3"

ACTIVATE = ("jivox_activate_retail_campaign", {"account_id": "northwind-grocers", "retail_campaign_idx": 7101})
HOSTILE_ACTIVATE = ("jivox_activate_retail_campaign", {"account_id": "northwind-grocers", "retail_campaign_idx": 7104})
PAUSE = ("joveo_pause_campaign", {"client_id": GLOBEX, "campaign_id": CAMP_ALWAYS_ON})
RAISE_BUDGET = ("delta_update_activity", {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "budget": 200000})


def blocking(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Await one store call from this synchronous test code (its own event loop, away from Playwright's)."""

    async def call() -> Any:
        return await fn(*args, **kwargs)

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(anyio.run, call).result(timeout=60)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Receiver:
    """A webhook receiver on loopback that records every JSON body it is sent."""

    bodies: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    arrived: threading.Condition = field(default_factory=threading.Condition)
    gate: threading.Event = field(default_factory=threading.Event)  # cleared: the receiver hangs

    def __post_init__(self) -> None:
        self.gate.set()

    def wait_for(self, event: str, action_id: str) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            return next((b for b in self.bodies if b["event"] == event and b["action"]["id"] == action_id), None)

        with self.arrived:
            assert self.arrived.wait_for(found, timeout=20), f"no {event} for {action_id}: {self.bodies}"
            return found()  # type: ignore[return-value]

    def start(self) -> ThreadingHTTPServer:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length))
                receiver.gate.wait(30)
                with receiver.arrived:
                    receiver.bodies.append(body)
                    receiver.arrived.notify_all()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


@dataclass
class Team:
    url: str
    built: Built
    receiver: Receiver

    @property
    def console(self) -> str:
        return self.url + "/console"

    def mcp(self, token: str, tool: str, arguments: dict[str, Any]) -> tuple[bool, dict[str, Any], str]:
        """One tool call by a real MCP client over streamable HTTP: (is_error, structured content, text)."""

        async def call() -> tuple[bool, dict[str, Any], str]:
            http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
            async with Client(streamable_http_client(self.url + "/mcp", http_client=http)) as client:
                result = await client.call_tool(tool, arguments)
            text = " ".join(getattr(c, "text", "") for c in result.content)
            return result.is_error, result.structured_content or {}, text

        with ThreadPoolExecutor(1) as pool:  # its own event loop, away from Playwright's
            return pool.submit(anyio.run, call).result(timeout=60)

    def request(self, token: str, tool: str, arguments: dict[str, Any]) -> tuple[str, str]:
        """Ask for a destructive change: (action id, confirmation token); nothing is sent yet."""
        is_error, data, text = self.mcp(token, tool, arguments)
        assert not is_error and data["status"] == "pending_approval", text
        newest = blocking(self.built.runtime.store.pending_actions, limit=1)[0]  # what the console lists first
        assert newest.tool == tool and newest.status == "pending"
        return newest.id, data["confirmation_token"]

    def writes(self, vendor: str, path_contains: str = "") -> int:
        sandbox = self.built.sandbox
        return len([r for r in sandbox.vendor_requests(vendor) if r.method != "GET" and path_contains in r.path])

    def status(self, action_id: str) -> str:
        action = blocking(self.built.runtime.store.pending, action_id)
        assert action is not None
        return action.status


@contextmanager
def serving(data: Path, receiver: Receiver, **overrides: Any) -> Iterator[Team]:
    """One server (a replica) on a free loopback port, in its own thread with its own event loop."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = load_settings(
        **{
            "sandbox": True,
            "toolsets": "all",
            "retry_wait": 0.0,
            "data_dir": data,
            "confirm_mode": "out-of-band",
            "http_tokens": f"bob:{CLIENT_BOB},carol:{CLIENT_CAROL}",
            "console_tokens": f"alice:{ALICE},bob:{BOB}",
            "approval_webhook_url": receiver.url,
            "console_url": url + "/console",
            "max_budget": 250000,
            "max_budget_increase": 60000,
            **overrides,
        }
    )
    built = sandboxed_server(settings)
    app = build_http_app(built.server, settings, "127.0.0.1", build_console(built.runtime, "127.0.0.1"))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        threading.Event().wait(0.02)
    assert server.started
    try:
        yield Team(url=url, built=built, receiver=receiver)
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    hook = receiver.start()
    yield receiver
    hook.shutdown()


@pytest.fixture(scope="module")
def team(receiver: Receiver) -> Iterator[Team]:
    data = Path(tempfile.mkdtemp(prefix="adops-console-"))
    try:
        with serving(data, receiver) as team:
            yield team
    finally:
        shutil.rmtree(data, ignore_errors=True)
