"""Several accounts of one vendor side by side (config-file profiles), and `adops-mcp doctor`.

Two Jivox accounts are two sandboxes with different API keys behind different hosts; each call
must reach the account it names, and each write is recorded (plan, audit) under its profile.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2
import pytest
from click.testing import CliRunner
from mcp import Client

from adops_mcp import doctor
from adops_mcp.cli import main
from adops_mcp.config import ConfigError, load_settings
from adops_mcp.sandbox import Sandbox, SandboxTransport
from adops_mcp.sandbox.jivox import JivoxSimulator
from adops_mcp.server.app import build_server
from tests.harness import Harness

pytestmark = pytest.mark.anyio

ACME_KEY = "canary-acme-key-7f3a9"
GLOBEX_KEY = "canary-globex-key-2b8e1"
CONFIG = f"""
[jivox.profiles.acme]
api_key = "{ACME_KEY}"
base_url = "http://acme.sandbox.invalid/jivox"

[jivox.profiles.globex]
api_key = "{GLOBEX_KEY}"
base_url = "http://globex.sandbox.invalid/jivox"
"""
ACTIVATE = "jivox_activate_retail_campaign"
ARGS = {"account_id": "northwind-grocers", "retail_campaign_idx": 7101}


class HostRouter(httpx2.AsyncBaseTransport):
    """Sends each request to the sandbox of its host: one sandbox per vendor account."""

    def __init__(self, boxes: dict[str, Sandbox]) -> None:
        self.transports = {host: SandboxTransport(box) for host, box in boxes.items()}

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        return await self.transports[request.url.host].handle_async_request(request)


def write_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str = CONFIG) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    monkeypatch.setenv("ADOPS_CONFIG", str(path))
    return path


@asynccontextmanager
async def two_accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Harness, dict]]:
    write_config(tmp_path, monkeypatch)
    boxes = {
        "acme.sandbox.invalid": Sandbox([JivoxSimulator(API_KEY=ACME_KEY)]),
        "globex.sandbox.invalid": Sandbox([JivoxSimulator(API_KEY=GLOBEX_KEY)]),
    }
    built = build_server(load_settings(toolsets="all", retry_wait=0.0), transport=HostRouter(boxes))
    async with Client(built.server) as client:
        yield Harness(client, built), {name.split(".")[0]: box for name, box in boxes.items()}


def writes(box: Sandbox) -> int:
    return len([r for r in box.vendor_requests("jivox") if r.method != "GET"])


async def test_profile_argument_routes_each_call_to_its_account(tmp_path, monkeypatch) -> None:
    async with two_accounts(tmp_path, monkeypatch) as (h, boxes):
        tools = {t.name: t for t in (await h.client.list_tools()).tools}
        schema = tools[ACTIVATE].input_schema["properties"]["profile"]
        assert "acme" in str(schema) and "globex" in str(schema)
        assert "profile" not in tools["confirm_action"].input_schema["properties"]

        await h.ok("jivox_list_retail_campaigns", {"account_id": "northwind-grocers", "profile": "globex"})
        assert len(boxes["globex"].vendor_requests("jivox")) == 1 and not boxes["acme"].vendor_requests("jivox")
        await h.ok("jivox_list_retail_campaigns", {"account_id": "northwind-grocers"})  # the first: acme
        assert len(boxes["acme"].vendor_requests("jivox")) == 1

        refused = await h.error("jivox_list_retail_campaigns", {"account_id": "northwind-grocers", "profile": "nope"})
        assert "profile" in refused
        assert len(boxes["acme"].vendor_requests("jivox")) + len(boxes["globex"].vendor_requests("jivox")) == 2


async def test_writes_are_planned_sent_and_audited_under_their_profile(tmp_path, monkeypatch) -> None:
    async with two_accounts(tmp_path, monkeypatch) as (h, boxes):
        first = await h.ok(ACTIVATE, {**ARGS, "profile": "globex"})
        assert first["status"] == "confirmation_required" and first["account"] == "globex"
        assert "(profile: globex)" in first["plan"]
        done = await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert done["status"] == "done" and done["account"] == "globex"
        assert writes(boxes["globex"]) == 1 and writes(boxes["acme"]) == 0

        other = await h.ok(ACTIVATE, ARGS)  # default profile: acme, its own token and state
        assert "(profile: acme)" in other["plan"]
        await h.ok("confirm_action", {"confirmation_token": other["confirmation_token"]})
        assert writes(boxes["acme"]) == 1 and writes(boxes["globex"]) == 1

        log = (await h.ok("adops_audit_log", {}))["records"]
        assert [(r["tool"], r["profile"]) for r in log] == [(ACTIVATE, "acme"), (ACTIVATE, "globex")]
        assert log[1]["account"].startswith("jivox:globex:")
        assert ACME_KEY not in str(log) and GLOBEX_KEY not in str(log)
        audit = CliRunner().invoke(main, ["audit"])
        assert "profile globex," in audit.output and "profile acme," in audit.output


async def test_single_account_has_no_profile_argument(tmp_path, monkeypatch) -> None:
    write_config(tmp_path, monkeypatch, CONFIG.split("[jivox.profiles.globex]")[0])
    built = build_server(load_settings(toolsets="all"))
    async with Client(built.server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert "profile" not in tools[ACTIVATE].input_schema["properties"]
    assert built.runtime.settings.vendors["jivox"].profile == "acme"


def test_environment_forms_the_default_profile(tmp_path, monkeypatch) -> None:
    write_config(tmp_path, monkeypatch)
    monkeypatch.setenv("ADOPS_JIVOX_API_KEY", "env-key-1234")
    monkeypatch.setenv("ADOPS_JIVOX_BASE_URL", "http://env.invalid")
    settings = load_settings()
    from adops_mcp.profiles import vendor_profiles

    assert list(vendor_profiles(settings, "jivox")) == ["default", "acme", "globex"]
    write_config(
        tmp_path, monkeypatch, CONFIG + '\n[jivox.profiles.default]\napi_key = "x-key-1234"\nbase_url = "http://h"\n'
    )
    with pytest.raises(ConfigError, match="defined twice"):
        load_settings()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[jivx.profiles.a]\napi_key = "k"\n', "unknown vendor"),
        ('[jivox.profiles.a]\napi_key = "k"\n', "partly configured: set base_url"),
        ('[jivox.profiles.a]\napi_kee = "k"\n', "unknown setting(s) api_kee"),
        ('[jivox.profiles.a]\nbase_url = "http://h"\n', "no credentials"),
        ('[joveo.profiles.a]\napi_key = "k"\n', "partly configured: set client_id"),
        ('[jivox.profiles."Bad Name"]\napi_key = "k"\n', "profile name"),
        ("[jivox\n", "cannot read it as TOML"),
    ],
)
def test_config_file_problems_are_named(tmp_path, monkeypatch, text: str, problem: str) -> None:
    write_config(tmp_path, monkeypatch, text)
    monkeypatch.setenv("ADOPS_JIVOX_API_KEY", "env-key-1234")  # a profile never borrows the environment
    monkeypatch.setenv("ADOPS_JIVOX_BASE_URL", "http://env.invalid")
    with pytest.raises(ConfigError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        load_settings()


def test_explicit_config_file_must_exist(tmp_path) -> None:
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "missing.toml"), "doctor"])
    assert result.exit_code == 1 and "no config file at" in result.output


def test_doctor_sandbox_reports_every_vendor_ok() -> None:
    result = CliRunner().invoke(main, ["doctor", "--sandbox"])
    assert result.exit_code == 0, result.output
    from adops_mcp.tools.index import vendors

    for vendor in vendors():
        assert f"ok    {vendor.name}/default" in result.output
    assert "ok    state store" in result.output and "sqlite:" in result.output


async def test_doctor_names_a_wrong_key_without_printing_it(tmp_path, monkeypatch) -> None:
    write_config(tmp_path, monkeypatch)
    boxes = {
        "acme.sandbox.invalid": Sandbox([JivoxSimulator(API_KEY=ACME_KEY)]),
        "globex.sandbox.invalid": Sandbox([JivoxSimulator(API_KEY="the-right-globex-key")]),
    }
    ok, lines = await doctor.run(load_settings(retry_wait=0.0), HostRouter(boxes))
    text = "\n".join(lines)
    assert not ok
    assert any(line.startswith("ok    jivox/acme") for line in lines), text
    failed = next(line for line in lines if "jivox/globex" in line)
    assert failed.startswith("FAIL") and ("401" in failed or "API key" in failed), failed
    assert ACME_KEY not in text and GLOBEX_KEY not in text and "the-right-globex-key" not in text
