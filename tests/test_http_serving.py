"""Streamable HTTP serving: a real uvicorn server on loopback, the real MCP client and raw HTTP.

Authentication, Host/Origin validation, body limit, health endpoint, the refusal to serve beyond
loopback without tokens, and stateless replicas that share nothing but the confirmation key and store.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from adops_mcp import __version__
from adops_mcp.config import ConfigError, load_settings
from adops_mcp.sandbox import Sandbox
from adops_mcp.server.app import Built
from adops_mcp.server.http_app import build_http_app, http_server
from tests.harness import sandboxed_server

pytestmark = pytest.mark.anyio

TOKEN = "client-token-7f3a9c1e5b2d4a6f"
OTHER_TOKEN = "second-token-0b1c2d3e4f5a6b7c"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "curl", "version": "1"}},
}
MCP_HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
LIST = ("jivox_list_retail_campaigns", {"account_id": "acme-retail", "limit": 2})
ACTIVATE = ("jivox_activate_retail_campaign", {"account_id": "northwind-grocers", "retail_campaign_idx": 7101})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@asynccontextmanager
async def serving(
    *, bind: str = "127.0.0.1", sandbox: Sandbox | None = None, **settings: Any
) -> AsyncIterator[tuple[str, Built]]:
    """The HTTP app built for `bind` (its Host/Origin/auth rules), actually served on 127.0.0.1."""
    built = sandboxed_server(load_settings(sandbox=True, toolsets="all", retry_wait=0.0, **settings), sandbox)
    app = build_http_app(built.server, built.runtime.settings, bind)
    port = free_port()
    server = http_server(app, built.runtime, grace=1, descriptors=None, host="127.0.0.1", port=port)
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve)
        with anyio.fail_after(10):
            while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
                await anyio.sleep(0.02)
        try:
            yield f"http://127.0.0.1:{port}", built
        finally:
            server.should_exit = True


def mcp_client(url: str, token: str | None = TOKEN, **kwargs: Any) -> Client:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    return Client(streamable_http_client(url + "/mcp", http_client=create_mcp_http_client(headers=headers)), **kwargs)


async def post(url: str, body: bytes | None = None, **headers: str) -> httpx2.Response:
    async with httpx2.AsyncClient() as http:
        return await http.post(
            url + "/mcp", content=body or json.dumps(INITIALIZE).encode(), headers={**MCP_HEADERS, **headers}
        )


async def test_health_needs_no_token_and_tells_nothing() -> None:
    async with serving(http_tokens=TOKEN) as (url, _), httpx2.AsyncClient() as http:
        response = await http.get(url + "/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "version": __version__}
        assert (await http.post(url + "/healthz")).status_code == 405


@pytest.mark.parametrize(
    ("authorization", "invalid"),
    [
        (None, False),
        ("Bearer wrong-token-wrong-token", True),
        (f"Basic {TOKEN}", True),
        ("Bearer", False),
        (f"Bearer {TOKEN}x", True),
        (f"Bearer {TOKEN[:-1]}", True),
    ],
)
async def test_missing_or_wrong_token_is_401(authorization: str | None, invalid: bool) -> None:
    async with serving(http_tokens=f"{TOKEN},{OTHER_TOKEN}") as (url, built):
        response = await post(url, **({"authorization": authorization} if authorization else {}))
        assert response.status_code == 401
        challenge = response.headers["www-authenticate"]
        assert challenge.startswith("Bearer") and ("invalid_token" in challenge) == invalid
        assert TOKEN not in response.text
        assert not built.sandbox.vendor_requests("jivox")


async def test_good_token_works_and_never_reaches_the_vendor(mode: str) -> None:
    async with serving(http_tokens=f"{OTHER_TOKEN},{TOKEN}") as (url, built):
        async with mcp_client(url, mode=mode) as client:
            result = await client.call_tool(*LIST)
            assert not result.is_error and len(result.structured_content["campaigns"]) == 2
            first = await client.call_tool(*ACTIVATE)
            assert first.structured_content["status"] == "confirmation_required"
            done = await client.call_tool(
                "confirm_action", {"confirmation_token": first.structured_content["confirmation_token"]}
            )
            assert not done.is_error and done.structured_content["status"] == "done"
        seen = built.sandbox.vendor_requests("jivox")
        assert seen and any(r.method == "POST" for r in seen)
        for request in seen:
            assert "authorization" not in request.headers
            assert all(TOKEN not in value for value in request.headers.values())


async def test_token_from_a_file(tmp_path) -> None:
    path = tmp_path / "tokens"
    path.write_text(f"# operators\n{TOKEN}\n\n")
    async with serving(http_tokens_file=path) as (url, _):
        assert (await post(url)).status_code == 401
        assert (await post(url, authorization=f"Bearer {TOKEN}")).status_code == 200


async def test_loopback_without_tokens_needs_none(mode: str) -> None:
    async with serving() as (url, _), mcp_client(url, token=None, mode=mode) as client:
        assert not (await client.call_tool(*LIST)).is_error


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"origin": "https://evil.example"}, 403),
        ({"origin": "http://localhost.evil.example:80"}, 403),
        ({"host": "evil.example"}, 421),
        ({"host": "attacker.example:8765"}, 421),
        ({"origin": "http://localhost:3000"}, 200),  # a loopback origin is fine on a loopback bind
    ],
)
async def test_host_and_origin_checked(headers: dict[str, str], status: int) -> None:
    async with serving(http_tokens=TOKEN) as (url, built):
        response = await post(url, authorization=f"Bearer {TOKEN}", **headers)
        assert response.status_code == status
        assert not built.sandbox.vendor_requests("jivox")


async def test_oversized_body_refused() -> None:
    async with serving(http_tokens=TOKEN, http_max_body=4096) as (url, built):
        call = {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": LIST[0], "arguments": {"account_id": "x" * 8000}},
        }
        response = await post(url, json.dumps(call).encode(), authorization=f"Bearer {TOKEN}")
        assert response.status_code == 413
        assert (await post(url, authorization=f"Bearer {TOKEN}")).status_code == 200
        assert not built.sandbox.vendor_requests("jivox")


async def test_wildcard_bind_checks_the_configured_host_names() -> None:
    async with serving(
        bind="0.0.0.0",
        http_tokens=TOKEN,
        allowed_hosts="mcp.example.test",
        allowed_origins="https://console.example.test",
    ) as (url, _):
        auth = f"Bearer {TOKEN}"
        assert (await post(url, authorization=auth, host="mcp.example.test")).status_code == 200
        assert (await post(url, authorization=auth, host="mcp.example.test:443")).status_code == 200
        assert (await post(url, authorization=auth, host=url.removeprefix("http://"))).status_code == 421
        assert (
            await post(url, authorization=auth, host="mcp.example.test", origin="https://console.example.test")
        ).status_code == 200
        assert (
            await post(url, authorization=auth, host="mcp.example.test", origin="http://localhost:3000")
        ).status_code == 403
        assert (await post(url, host="mcp.example.test")).status_code == 401


@pytest.mark.parametrize(
    ("bind", "settings", "message"),
    [
        ("0.0.0.0", {}, "ADOPS_HTTP_TOKENS"),
        ("10.1.2.3", {"allowed_hosts": "mcp.example.test"}, "without authentication"),
        ("0.0.0.0", {"http_tokens": TOKEN}, "ADOPS_ALLOWED_HOSTS"),
        ("127.0.0.1", {"http_tokens": "short"}, "at least 16 characters"),
    ],
)
def test_unsafe_setups_refused(bind: str, settings: dict[str, Any], message: str) -> None:
    built = sandboxed_server(load_settings(sandbox=True, **settings))
    with pytest.raises(ConfigError, match=message):
        build_http_app(built.server, built.runtime.settings, bind)


def test_cli_refuses_a_public_bind_without_tokens(tmp_path) -> None:
    env = {**os.environ, "ADOPS_DATA_DIR": str(tmp_path), "ADOPS_SANDBOX": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "adops_mcp", "serve", "--transport", "http", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Refusing to serve on 0.0.0.0 without authentication" in result.stderr
    assert "ADOPS_HTTP_TOKENS" in result.stderr


async def test_stateless_replicas_are_interchangeable(mode: str) -> None:
    """Plan on one replica, confirm on another: they share only the confirm key, the store and the vendor."""
    sandbox = Sandbox()
    shared = {"http_tokens": TOKEN, "confirm_key": "replicas-share-this-key-0123456789", "sandbox": sandbox}
    async with serving(**shared) as (url_a, _), serving(**shared) as (url_b, _):
        async with mcp_client(url_a, mode=mode) as a:
            first = (await a.call_tool(*ACTIVATE)).structured_content
        assert first["status"] == "confirmation_required"
        async with mcp_client(url_b, mode=mode) as b:
            done = await b.call_tool("confirm_action", {"confirmation_token": first["confirmation_token"]})
            assert not done.is_error and done.structured_content["status"] == "done"
        async with mcp_client(url_a, mode=mode) as a:
            again = await a.call_tool("confirm_action", {"confirmation_token": first["confirmation_token"]})
            assert again.is_error and "already used" in again.content[0].text
        assert len([r for r in sandbox.vendor_requests("jivox", "POST") if r.path.endswith("/activate")]) == 1


def test_registry_server_json_and_dockerfile_match_the_package() -> None:
    from pathlib import Path

    from adops_mcp.config import VENDOR_SETTINGS, Settings

    root = Path(__file__).resolve().parent.parent
    doc = json.loads((root / "server.json").read_text())
    assert doc["$schema"].endswith("/2025-12-11/server.schema.json") and len(doc["description"]) <= 100
    assert doc["version"] == __version__ and f"mcp-name: {doc['name']}" in (root / "README.md").read_text()
    (package,) = doc["packages"]
    assert (package["registryType"], package["identifier"], package["version"]) == ("pypi", "adops-mcp", __version__)
    assert package["transport"] == {"type": "stdio"} and package["packageArguments"][0]["value"] == "serve"
    known = {f"ADOPS_{name.upper()}" for name in Settings.model_fields}
    for cls in VENDOR_SETTINGS:
        known |= {cls().env(name) for name in cls.model_fields}
    for variable in package["environmentVariables"]:
        assert variable["name"] in known, variable["name"]
        assert variable.get("isSecret", False) == any(
            w in variable["name"] for w in ("KEY", "PASSWORD", "USERNAME", "CLIENT_ID")
        )
    dockerfile = (root / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile and "\nUSER 10001" in dockerfile
    assert '"serve", "--transport", "http", "--host", "0.0.0.0"' in dockerfile
