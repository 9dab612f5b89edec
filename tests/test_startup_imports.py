"""Start-up imports only what the configuration needs (issue 13: cold start).

`adops-mcp serve` is run through the real command line in a fresh interpreter, up to its first
tools/list answer (the stdio loop is replaced by one list call); the modules it loaded are checked.
Timing is bench/cold_start.py's job; this test keeps heavy or unrelated code out of start-up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.harness import connect

ROOT = Path(__file__).resolve().parents[1]
VENDORS = {
    "ADOPS_JIVOX_BASE_URL": "http://127.0.0.1:9/jivox",
    "ADOPS_JIVOX_API_KEY": "startup-jivox-key",
    "ADOPS_JOVEO_API_KEY": "startup-joveo-key",
    "ADOPS_JOVEO_CLIENT_ID": "startup-joveo-client",
    "ADOPS_MERCHENTA_USERNAME": "startup-user",
    "ADOPS_MERCHENTA_PASSWORD": "startup-password",
    "ADOPS_MERCHENTA_ADVERTISER": "startup-advertiser",
    "ADOPS_DELTA_BASE_URL": "http://127.0.0.1:9/delta",
    "ADOPS_DELTA_API_KEY": "startup-delta-key",
    "ADOPS_DELTA_MEDIA_AGENCY_ID": "startup-agency",
}
SERVE = """
import json, sys
import anyio
from mcp.server.mcpserver import MCPServer

def first_list(self, transport):  # instead of the stdio loop: answer one tools/list, report the modules
    tools = anyio.run(self.list_tools)
    print(json.dumps({"tools": len(tools), "modules": sorted(sys.modules)}))

MCPServer.run = first_list
from adops_mcp.cli import main
main(sys.argv[1:])
"""
# Never loaded by `serve` unless the configuration asks for it.
NOT_AT_START = [
    "adops_mcp.sandbox",  # only with --sandbox (the face chooses it)
    "adops_mcp.demo",
    "adops_mcp.doctor",
    "adops_mcp.console",  # only over HTTP with operators configured
    "jinja2",
    "psycopg",  # only with ADOPS_DATABASE_URL
    "httpcore2",  # vendor HTTP clients open on their first request
    "prometheus_client",  # only with ADOPS_METRICS_TOKEN
    "opentelemetry.sdk",  # only when OTEL_* asks for traces
    "opentelemetry.exporter",
    # a vendor package (models, plans, client) loads on the first call of one of its tools
    "adops_mcp.tools.jivox",
    "adops_mcp.tools.joveo",
    "adops_mcp.tools.merchenta",
    "adops_mcp.server.search",  # adops_find_tools' ranking loads on the first search
    "adops_mcp.tools.deltaprojects",
]


def run(code: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ADOPS_")}
    environ.update({"PYTHONPATH": str(ROOT), "ADOPS_DATA_DIR": os.environ["ADOPS_DATA_DIR"], **(env or {})})
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=environ, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def loaded(modules: list[str], names: list[str]) -> list[str]:
    return [n for n in names if any(m == n or m.startswith(n + ".") for m in modules)]


@pytest.mark.parametrize("toolsets", [None, "all"])
def test_serve_loads_only_what_the_configuration_needs(toolsets: str | None) -> None:
    env = {**VENDORS, **({"ADOPS_TOOLSETS": toolsets} if toolsets else {})}
    result = run(SERVE, "serve", env=env)
    assert result["tools"] > 20  # four vendors configured and listed
    assert loaded(result["modules"], NOT_AT_START) == []


def test_the_sandbox_is_loaded_when_asked_for() -> None:
    result = run(SERVE, "serve", "--sandbox")
    assert loaded(result["modules"], NOT_AT_START) == ["adops_mcp.sandbox"]


def test_help_loads_neither_the_server_nor_the_settings() -> None:
    code = (
        "import json, sys\nfrom adops_mcp.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n"
        "    print(json.dumps({'modules': sorted(sys.modules)}))\n"
    )
    modules = run(code)["modules"]
    assert loaded(modules, ["adops_mcp.config", "adops_mcp.server", "adops_mcp.tools", "mcp", "pydantic"]) == []


@pytest.fixture
def models_built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tools, resource templates and prompts whose argument models and validated functions the SDK builds."""
    from mcp.server.mcpserver.prompts import Prompt
    from mcp.server.mcpserver.resources import ResourceTemplate
    from mcp.server.mcpserver.tools import Tool

    built: list[str] = []
    for cls in (Tool, ResourceTemplate, Prompt):

        def from_function(fn: Any, *args: Any, _original: Any = cls.from_function, **kwargs: Any) -> Any:
            made = _original(fn, *args, **kwargs)
            built.append(made.name)
            return made

        monkeypatch.setattr(cls, "from_function", staticmethod(from_function))
    return built


@pytest.mark.anyio
async def test_listing_builds_no_model_and_first_use_builds_one(models_built: list[str]) -> None:
    async with connect(toolsets=None) as h:
        tools = {t.name for t in (await h.client.list_tools()).tools}
        templates = (await h.client.list_resource_templates()).resource_templates
        prompts = (await h.client.list_prompts()).prompts
        assert {"adops_find_tools", "adops_call_tool", "confirm_action", "adops_configuration"} <= tools
        assert len(templates) > 10 and len(prompts) == 4 and models_built == []
        resource = await h.client.read_resource("jivox://accounts/acme-retail/retail-campaigns/5301/approval-status")
        assert json.loads(resource.contents[0].text)["status"]  # type: ignore[union-attr]
        assert models_built == ["jivox_get_approval_status"]
        await h.client.read_resource("jivox://accounts/acme-retail/retail-campaigns/5301/approval-status")
        assert models_built == ["jivox_get_approval_status"]  # once
        await h.ok("adops_configuration")
        await h.ok("adops_configuration")
        assert models_built == ["jivox_get_approval_status", "adops_configuration"]
        for _ in range(2):
            await h.client.get_prompt("troubleshoot_campaign", {"vendor": "jivox", "campaign": "5301"})
        assert models_built == ["jivox_get_approval_status", "adops_configuration", "troubleshoot_campaign"]
