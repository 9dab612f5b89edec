"""What this server is configured to reach: the `adops://configuration` resource and its tool twin.

No credential values: per vendor only whether it is enabled, its profile, its base URL and which
of its tools are listed. Assistants read it first to know which vendors they can ask about.
"""

from __future__ import annotations

import json
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.tools import Tool
from pydantic import BaseModel, Field

from ..config import VENDOR_SETTINGS
from .adops_tools import CONFIGURATION
from .runtime import Runtime

URI = "adops://configuration"


class VendorOverview(BaseModel):
    vendor: str
    display: str
    enabled: bool
    profile: str
    base_url: str | None
    toolsets: list[str] = Field(description="Toolsets of this vendor with at least one listed tool.")
    tools: list[str] = Field(description="Tools of this vendor this server can run.")


class Configuration(BaseModel):
    sandbox: bool
    read_only: bool = Field(description="True: no tool can change anything at a vendor.")
    toolsets: str = Field(description="The toolset selection ('default' when none was given).")
    vendors: list[VendorOverview]
    hint: str


def configuration(runtime: Runtime) -> Configuration:
    settings = runtime.settings
    vendors = []
    for cls in VENDOR_SETTINGS:
        vs = settings.vendors.get(cls.vendor)
        public: dict[str, Any] = (
            vs.public() if vs is not None else {"enabled": False, "profile": "default", "base_url": None}
        )
        ops = [op for op in runtime.operations.values() if op.vendor == cls.vendor]
        vendors.append(
            VendorOverview(
                vendor=cls.vendor,
                display=cls.display,
                enabled=bool(public["enabled"]),
                profile=public["profile"],
                base_url=public["base_url"],
                toolsets=sorted({op.toolset for op in ops}),
                tools=[op.name for op in ops],
            )
        )
    off = [v.display for v in vendors if not v.enabled]
    hint = "Only enabled vendors can be asked about." + (
        f" Not configured: {', '.join(off)} (set their ADOPS_<VENDOR>_* variables)." if off else ""
    )
    if not settings.toolsets:
        hint += " More tools per vendor are one --toolsets flag away (e.g. --toolsets all)."
    return Configuration(
        sandbox=settings.sandbox,
        read_only=settings.read_only,
        toolsets=settings.toolsets or "default",
        vendors=vendors,
        hint=hint,
    )


def configuration_tool(runtime: Runtime) -> Tool:
    async def adops_configuration() -> Configuration:
        return configuration(runtime)

    return CONFIGURATION.tool(adops_configuration)


def register_configuration(server: MCPServer[Any], runtime: Runtime) -> None:
    """The resource (tools are passed to MCPServer by build_server, so the tool comes from configuration_tool)."""

    @server.resource(URI, name="configuration", description=CONFIGURATION.description, mime_type="application/json")
    def read_configuration() -> str:
        return json.dumps(configuration(runtime).model_dump(mode="json"), indent=2)
