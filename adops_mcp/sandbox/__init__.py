"""Stateful simulators of the four vendor APIs, served in process or on loopback.

Imports nothing from `adops_mcp.tools` or `adops_mcp.server` (see core.py for why).
"""

from __future__ import annotations

import httpx2

from .core import DroppedConnection, Fault, Faults, RecordedRequest, Sandbox, Simulator

SANDBOX_ORIGIN = "http://sandbox.adops.invalid"


class SandboxTransport(httpx2.AsyncBaseTransport):
    """Serves requests from the in-process sandbox app; a dropped connection becomes a ReadError."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._asgi = httpx2.ASGITransport(app=sandbox.app)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        try:
            return await self._asgi.handle_async_request(request)
        except DroppedConnection as exc:
            raise httpx2.ReadError(str(exc), request=request) from None


__all__ = [
    "SANDBOX_ORIGIN",
    "DroppedConnection",
    "Fault",
    "Faults",
    "RecordedRequest",
    "Sandbox",
    "SandboxTransport",
    "Simulator",
]
