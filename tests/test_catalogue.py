"""The catalogue (INTERFACE.md): one entry per tool, explicit annotations, README table current."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from adops_mcp.catalogue import catalogue, readme_with_table
from tests.harness import connect

pytestmark = pytest.mark.anyio
HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")


def test_readme_tool_table_is_current() -> None:
    readme = Path(__file__).parents[1] / "README.md"
    assert readme.read_text() == readme_with_table(readme.read_text()), (
        "README tool table is stale: run `python -m adops_mcp.catalogue`"
    )


def test_tools_json_matches_interface() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "adops_mcp", "tools", "--json"], capture_output=True, text=True, check=True
    )
    entries = json.loads(out.stdout)
    assert entries == json.loads(json.dumps(catalogue()))
    names = [e["name"] for e in entries]
    assert len(names) == len(set(names))
    for e in entries:
        assert {
            "name",
            "title",
            "description",
            "vendor",
            "toolset",
            "effect",
            "method",
            "path",
            "annotations",
        } <= e.keys()
        assert e["vendor"] in ("jivox", "joveo", "merchenta", "deltaprojects", "adops")
        assert e["effect"] in ("read", "write", "destructive")
        assert all(isinstance(e["annotations"][k], bool) for k in HINTS), e["name"]
        assert e["annotations"]["destructiveHint"] == (e["effect"] == "destructive")
        assert e["annotations"]["readOnlyHint"] == (e["effect"] == "read")
        assert (e["method"] is None) == (e["path"] is None)


async def test_served_annotations_are_explicit_and_match_catalogue(mode: str) -> None:
    expected = {e["name"]: e for e in catalogue()}
    async with connect(mode=mode) as everything, connect(mode=mode, toolsets=None) as default:
        # Every catalogued tool is served in one of the two setups (find/call only beside a partial list).
        tools = {t.name: t for h in (everything, default) for t in (await h.client.list_tools()).tools}.values()
        assert {t.name for t in tools} == set(expected)
        for tool in tools:
            wire = tool.annotations.model_dump(by_alias=True, exclude_none=True) if tool.annotations else {}
            assert {k: wire.get(k) for k in HINTS} == expected[tool.name]["annotations"], tool.name
            assert tool.description == expected[tool.name]["description"]
            assert tool.output_schema is not None, f"{tool.name} has no output schema"


async def test_read_only_lists_no_write_tool() -> None:
    async with connect(read_only=True) as h:
        tools = (await h.client.list_tools()).tools
        assert tools and all(t.annotations and t.annotations.read_only_hint for t in tools)
