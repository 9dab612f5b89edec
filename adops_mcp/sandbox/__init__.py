"""Stateful simulators of the four vendor APIs, served in process or on loopback.

Imports nothing from `adops_mcp.tools` or `adops_mcp.server` (see core.py for why); only the face
(cli, demo, doctor) imports it, and hands `build_server` the transport from `use_sandbox`.
"""

from __future__ import annotations

from typing import Any

import httpx2

from ..config import VENDOR_SETTINGS, Settings, register_secrets
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


def use_sandbox(settings: Settings, sandbox: Sandbox | None = None) -> tuple[Sandbox, SandboxTransport]:
    """Point every vendor of `settings` at the sandbox with its sandbox credentials; the transport serving them."""
    sandbox = sandbox or Sandbox()
    for cls in VENDOR_SETTINGS:
        sim = sandbox.simulators.get(cls.vendor)
        if sim is None:
            continue
        # validated (and base_url parsed) by the settings class, as if read from ADOPS_* variables
        values: dict[str, Any] = {k.lower(): v for k, v in sim.credentials.items()}
        values["base_url"] = f"{SANDBOX_ORIGIN}/{cls.vendor}"
        settings.vendors[cls.vendor] = cls(**values)
    register_secrets(settings)
    return sandbox, SandboxTransport(sandbox)


__all__ = [
    "SANDBOX_ORIGIN",
    "DroppedConnection",
    "Fault",
    "Faults",
    "RecordedRequest",
    "Sandbox",
    "SandboxTransport",
    "Simulator",
    "use_sandbox",
]
