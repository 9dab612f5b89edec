"""Context cost: o200k tokens of the tool list the model sees (name + description + inputSchema).

Sandbox mode configures all four vendors. Measured: the default surface (no --toolsets), each
toolset alone, and the full catalogue (toolsets=all). Targets: default <= 4,000 tokens; the full
catalogue <= 200 tokens per tool on average.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import anyio

if __package__ in (None, ""):  # run as a script: make the repository root importable
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import table, tool_list_tokens, write

DEFAULT_BUDGET = 4000
PER_TOOL_BUDGET = 200


async def listed_tools(toolsets: str | None) -> list[dict[str, Any]]:
    """The tools/list answer of a sandbox server with these toolsets, as wire dicts."""
    from mcp import Client

    from adops_mcp.config import load_settings
    from adops_mcp.sandbox import use_sandbox
    from adops_mcp.server.app import build_server

    os.environ.setdefault("ADOPS_DATA_DIR", tempfile.mkdtemp(prefix="adops-bench-"))
    settings = load_settings(sandbox=True, toolsets=toolsets)
    box, transport = use_sandbox(settings)
    built = build_server(settings, transport=transport, sandbox=box)
    async with Client(built.server) as client:
        tools = (await client.list_tools()).tools
    return [t.model_dump(by_alias=True, exclude_none=True, mode="json") for t in tools]


def toolset_names() -> list[str]:
    from adops_mcp.tools.index import vendors

    names: list[str] = []
    for vendor in vendors():
        names += [t for t in vendor.toolsets if t not in names]
    return names


async def measure() -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for label, toolsets in [("default", None)] + [(t, t) for t in toolset_names()] + [("all", "all")]:
        tools = await listed_tools(toolsets)
        tokens = tool_list_tokens(tools)
        rows.append(
            {"surface": label, "tools": len(tools), "tokens": tokens, "per_tool": round(tokens / max(1, len(tools)), 1)}
        )
    default = rows[0]
    full = rows[-1]
    return {
        "rows": rows,
        "default_tokens": default["tokens"],
        "full_per_tool": full["per_tool"],
        "targets": {"default_tokens": DEFAULT_BUDGET, "full_per_tool": PER_TOOL_BUDGET},
        "ok": default["tokens"] <= DEFAULT_BUDGET and full["per_tool"] <= PER_TOOL_BUDGET,
    }


def main() -> dict[str, Any]:
    result = anyio.run(measure)
    print(
        table(
            "Context cost (o200k tokens of name + description + inputSchema, compact JSON)",
            ["surface", "tools", "tokens", "tokens/tool"],
            [[r["surface"], r["tools"], r["tokens"], r["per_tool"]] for r in result["rows"]],
        )
    )
    print(
        f"default {result['default_tokens']} (target <= {DEFAULT_BUDGET}); full catalogue "
        f"{result['full_per_tool']} per tool (target <= {PER_TOOL_BUDGET}) -> {'OK' if result['ok'] else 'OVER'}\n"
    )
    write("context", result)
    return result


if __name__ == "__main__":
    main()
