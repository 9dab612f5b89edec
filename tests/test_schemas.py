"""One schema snapshot per tool (input and output), in tests/schemas/<tool>.json.

A changed schema changes what models see and send: review the diff, then refresh with
`python -m pytest tests/test_schemas.py --inline-snapshot=fix` (or `=create` for new tools). The same
command refreshes adops_mcp/server/tool_schemas.json, the schemas the server lists without building
each tool's models at start-up (its own tools' too): it must equal what the models produce.
"""

from __future__ import annotations

import anyio
import pytest
from inline_snapshot import external_file

from tests.harness import connect


def served_tools() -> dict[str, dict]:
    async def collect() -> dict[str, dict]:
        async with connect() as h:
            return {
                t.name: {"inputSchema": t.input_schema, "outputSchema": t.output_schema}
                for t in (await h.client.list_tools()).tools
            }

    import os
    import tempfile

    os.environ.setdefault("ADOPS_DATA_DIR", tempfile.mkdtemp())
    return anyio.run(collect)


TOOLS = served_tools()


def built_tools() -> dict[str, dict]:
    """Every vendor tool's schemas built from its models (not from the packaged file)."""
    from adops_mcp.server.registry import built_tool
    from adops_mcp.tools.index import operation

    async def collect() -> dict[str, dict]:
        async with connect() as h:
            runtime = h.built.runtime
            tools = [built_tool(operation(name), runtime) for name in runtime.operations]
            return {t.name: {"inputSchema": t.parameters, "outputSchema": t.output_schema} for t in tools}

    return anyio.run(collect)


def built_own_tools() -> dict[str, dict]:
    """The server's own tools' schemas built from their functions (on the default surface, which lists all five)."""
    from adops_mcp.server.adops_tools import ADOPS_TOOLS
    from adops_mcp.server.lazy import LazyTool

    async def collect() -> dict[str, dict]:
        async with connect(toolsets=None) as h:
            listed = [h.built.server._tool_manager.get_tool(t.name) for t in ADOPS_TOOLS]
            tools = [t.built() if isinstance(t, LazyTool) else t for t in listed if t is not None]
            assert len(tools) == len(ADOPS_TOOLS)
            return {t.name: {"inputSchema": t.parameters, "outputSchema": t.output_schema} for t in tools}

    return anyio.run(collect)


def test_packaged_schemas_are_what_the_models_produce() -> None:
    assert built_tools() | built_own_tools() == external_file("../adops_mcp/server/tool_schemas.json", format=".json")


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_schema_snapshot(name: str) -> None:
    assert TOOLS[name] == external_file(f"schemas/{name}.json", format=".json")
