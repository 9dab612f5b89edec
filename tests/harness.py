"""Test harness: the real server, in process, against the sandbox, through the public MCP client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from mcp import Client
from mcp_types import CallToolResult, ElicitResult

from adops_mcp.config import load_settings
from adops_mcp.sandbox import Sandbox, use_sandbox
from adops_mcp.server.app import Built, build_server

ElicitAnswer = Callable[[Any, Any], Awaitable[ElicitResult]]


def answer(action: str, confirm: bool | None = True, seen: list[str] | None = None) -> ElicitAnswer:
    """An elicitation callback that answers like a human would: accept/decline/cancel."""

    async def callback(context: Any, params: Any) -> ElicitResult:
        if seen is not None:
            seen.append(params.message)
        content = {"confirm": confirm} if action == "accept" else None
        return ElicitResult(action=action, content=content)  # type: ignore[arg-type]

    return callback


@dataclass
class Harness:
    client: Client
    built: Built

    @property
    def sandbox(self) -> Sandbox:
        return self.built.sandbox

    async def call(self, tool: str, arguments: dict[str, Any] | None = None) -> CallToolResult:
        return await self.client.call_tool(tool, arguments or {})

    async def ok(self, tool: str, arguments: dict[str, Any] | None = None) -> Any:
        result = await self.call(tool, arguments)
        assert not result.is_error, error_text(result)
        return result.structured_content

    async def error(self, tool: str, arguments: dict[str, Any] | None = None) -> str:
        result = await self.call(tool, arguments)
        assert result.is_error, f"expected an error, got {result.structured_content}"
        return error_text(result)

    def requests(self, vendor: str, method: str | None = None, path_contains: str = "") -> list[Any]:
        return [r for r in self.sandbox.vendor_requests(vendor, method) if path_contains in r.path]

    def writes(self, vendor: str, path_contains: str = "") -> int:
        """Requests that could change vendor state (anything but GET)."""
        return len([r for r in self.requests(vendor, path_contains=path_contains) if r.method != "GET"])


def error_text(result: CallToolResult) -> str:
    return " ".join(getattr(c, "text", "") for c in result.content)


def sandboxed_server(settings: Any, sandbox: Sandbox | None = None) -> Built:
    """The server on the sandbox (the default simulators unless `sandbox` is given), as the face builds it."""
    box, transport = use_sandbox(settings, sandbox)
    return build_server(settings, transport=transport, sandbox=box)


@asynccontextmanager
async def connect(
    *,
    mode: str = "auto",
    elicitation: ElicitAnswer | None = None,
    toolsets: str | None = "all",
    sandbox: Sandbox | None = None,
    **settings: Any,
) -> AsyncIterator[Harness]:
    """Build the server on the sandbox and connect a client (no elicitation unless a callback is given).

    `sandbox=Sandbox([SomeSimulator(option=...)])` serves only those simulators (canary credentials,
    vendor variants); only vendors with a simulator are configured then.
    """
    built = sandboxed_server(load_settings(sandbox=True, toolsets=toolsets, retry_wait=0.0, **settings), sandbox)
    async with Client(built.server, mode=mode, elicitation_callback=elicitation) as client:  # type: ignore[arg-type]
        yield Harness(client, built)
