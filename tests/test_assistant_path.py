"""The assistant's path between tools (issue 12): errors that say what to do, hints that match behaviour.

Every check goes through the public MCP client against the sandbox, with the default surface (what most
clients see) and with every toolset listed.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from typing import Any

import pytest
from mcp.shared.exceptions import MCPError

from adops_mcp.catalogue import catalogue
from adops_mcp.config import ConfigError
from adops_mcp.prompts import mentioned_tools
from adops_mcp.sandbox import Sandbox
from adops_mcp.sandbox.jivox import JivoxSimulator
from tests.harness import connect, error_text
from tests.test_troubleshooting import CASES, landed

pytestmark = pytest.mark.anyio
CATALOGUE = {e["name"]: e for e in catalogue()}
SETTINGS = {"account_id": "acme-retail"}
CALLS_VENDORS = {"adops_call_tool", "confirm_action", "adops_plan_changes", "adops_undo"}  # they reach vendors


async def test_calling_an_unlisted_tool_by_name_points_to_call_tool_with_the_same_arguments() -> None:
    async with connect(toolsets=None) as h:
        listed = {t.name for t in (await h.client.list_tools()).tools}
        assert "jivox_get_retail_settings" not in listed
        text = await h.error("jivox_get_retail_settings", SETTINGS)
        assert "Unknown tool" not in text
        assert (
            'adops_call_tool({"name": "jivox_get_retail_settings", "arguments": {"account_id": "acme-retail"}})' in text
        )
        assert h.requests("jivox") == []
        # The suggestion works as written.
        result = await h.ok("adops_call_tool", {"name": "jivox_get_retail_settings", "arguments": SETTINGS})
        assert "approvers" in result


async def test_tools_that_cannot_run_here_say_why() -> None:
    async with connect(sandbox=Sandbox([JivoxSimulator()])) as h:
        assert "merchenta is not configured" in await h.error("merchenta_diagnose_campaign", {"campaign_code": "X"})
        assert "No tool named 'jivox_pause_everything'" in await h.error("jivox_pause_everything", {})
    async with connect(read_only=True) as h:
        text = await h.error("jivox_activate_retail_campaign", {"account_id": "a", "retail_campaign_idx": 1})
        assert "read-only" in text


@pytest.mark.parametrize("toolsets", [None, "all"])
async def test_invalid_arguments_read_the_same_on_listed_tools_and_through_call_tool(toolsets: str | None) -> None:
    bad = {"account_id": "acme-retail", "retail_campaign_idx": "abc"}
    async with connect(toolsets=toolsets) as h:
        direct = await h.error("jivox_get_activation_status", bad)
        assert direct.startswith("Invalid arguments, nothing was sent. retail_campaign_idx: "), direct
        assert "pydantic" not in direct and "http" not in direct and "input_value" not in direct
        missing = await h.error("jivox_get_activation_status", {"account_id": "acme-retail"})
        assert missing == "Invalid arguments, nothing was sent. retail_campaign_idx: Field required"
        if toolsets is None:
            via = await h.error("adops_call_tool", {"name": "jivox_get_activation_status", "arguments": bad})
            assert via == direct
        assert h.requests("jivox") == []


async def test_resource_reads_with_bad_arguments_or_vendor_errors_are_clean(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    async with connect(toolsets=None) as h:
        with pytest.raises(MCPError) as bad:
            await h.client.read_resource("jivox://accounts/acme-retail/retail-campaigns/abc")
        assert str(bad.value).startswith("Invalid arguments, nothing was sent. retail_campaign_idx: ")
        with pytest.raises(MCPError) as missing:
            await h.client.read_resource("jivox://accounts/acme-retail/retail-campaigns/99999")
        assert "not found" in str(missing.value) and "Retail campaign 99999 not found" in str(missing.value)
        with pytest.raises(MCPError, match=r"Invalid arguments, nothing was sent\. audit_id"):
            await h.client.read_resource("adops://audit/latest")
        with pytest.raises(MCPError, match="No audit record #999"):
            await h.client.read_resource("adops://audit/999")
    text = caplog.text
    assert "Error creating resource" not in text and "Internal server error" not in text
    assert "Traceback" not in text and not any(r.exc_info for r in caplog.records)
    assert len([r for r in caplog.records if "99999" in r.getMessage() and r.name.startswith("mcp")]) == 1


async def test_prompts_with_missing_or_bad_arguments_say_which(caplog: pytest.LogCaptureFixture) -> None:
    async with connect(toolsets=None) as h:
        with pytest.raises(MCPError, match=r"^Invalid arguments, nothing was sent. campaign: required$"):
            await h.client.get_prompt("troubleshoot_campaign", {"vendor": "jivox"})
        with pytest.raises(MCPError, match=r"vendor: unknown vendor 'acme'.*jivox, joveo, merchenta, deltaprojects"):
            await h.client.get_prompt("troubleshoot_campaign", {"vendor": "acme", "campaign": "c"})
        with pytest.raises(MCPError, match="No prompt named 'nope': use one of troubleshoot_campaign"):
            await h.client.get_prompt("nope", {})
    assert "Internal server error" not in caplog.text and not any(r.exc_info for r in caplog.records)


@pytest.mark.parametrize("toolsets", ["jivx", "jivox,merchanta", "Delta Projects"])
def test_unknown_toolsets_are_refused_at_start_with_the_valid_list(toolsets: str) -> None:
    from adops_mcp.config import load_settings
    from adops_mcp.server.app import build_server

    with pytest.raises(ConfigError, match="unknown toolsets") as refused:
        build_server(load_settings(sandbox=True, toolsets=toolsets))
    assert "Valid: all, deltaprojects, delta, jivox" not in str(refused.value)  # sorted, one list
    assert "all" in str(refused.value) and "joveo_jobgroups" in str(refused.value)


@pytest.mark.parametrize("toolsets", [None, "all"])
async def test_every_tools_hints_match_what_it_can_do(toolsets: str | None) -> None:
    """readOnly only for tools that never write; destructive only for tools that change state by themselves."""
    async with connect(toolsets=toolsets) as h:
        tools = (await h.client.list_tools()).tools
    for tool in tools:
        hints = tool.annotations
        assert hints is not None, tool.name
        effect = (tool.meta or {}).get("effect")
        assert effect == CATALOGUE[tool.name]["effect"], tool.name
        assert hints.read_only_hint == (effect == "read"), tool.name
        assert hints.destructive_hint == (effect == "destructive"), tool.name
        assert hints.open_world_hint == (CATALOGUE[tool.name]["vendor"] != "adops" or tool.name in CALLS_VENDORS)
    by_name = {t.name: t.annotations for t in tools}
    if "adops_call_tool" in by_name:  # it never changes anything destructively by itself: that comes back as a plan
        assert by_name["adops_call_tool"].destructive_hint is False
        assert by_name["adops_call_tool"].read_only_hint is False
    assert by_name["confirm_action"].destructive_hint is True


async def test_a_destructive_call_through_call_tool_still_needs_confirm_action() -> None:
    async with connect(toolsets=None) as h:
        planned = await h.ok(
            "adops_call_tool",
            {
                "name": "jivox_activate_retail_campaign",
                "arguments": {"account_id": "northwind-grocers", "retail_campaign_idx": 7101},
            },
        )
        assert planned["status"] == "confirmation_required" and h.writes("jivox") == 0


# What a person would tell the assistant when a next step asks for it.
USER_SAYS: dict[str, Any] = {
    "user_name": "Jo Lee",
    "user_email": "jo@example.com",
    "budget": 5_000_000,
    "impression_budget": 900_000_000,
    "flight_stop": "2099-12-31T23:59:59Z",
}


def as_written(step: dict[str, Any]) -> dict[str, Any]:
    """The step's arguments plus what the user was asked for, where the step's other arguments go."""
    arguments = copy.deepcopy(step["arguments"])
    inner = arguments["arguments"] if step["tool"] == "adops_call_tool" else arguments
    for name in step["ask_user"]:
        inner[name] = USER_SAYS[name]
    return arguments


@pytest.mark.parametrize("toolsets", [None, "all"])
@pytest.mark.parametrize(
    ("tool", "args", "setup", "running", "blocking", "other", "steps"),
    [landed(*c) for c in CASES],
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
async def test_every_next_step_of_every_diagnosis_runs_as_written(
    toolsets: str | None,
    tool: str,
    args: dict[str, Any],
    setup: Any,
    running: bool,
    blocking: Any,
    other: Any,
    steps: Any,
) -> None:
    async with connect(toolsets=toolsets) as h:
        if setup is not None:
            await setup(h)
        listed = {t.name for t in (await h.client.list_tools()).tools}
        call = (tool, args) if tool in listed else ("adops_call_tool", {"name": tool, "arguments": args})
        diagnosis = await h.ok(*call)
        assert diagnosis["unavailable"] == []
        named = {
            s["arguments"].get("name", s["tool"]) if s["tool"] == "adops_call_tool" else s["tool"]
            for s in diagnosis["next_steps"]
        }
        assert steps <= named
        for step in diagnosis["next_steps"]:
            assert step["tool"] in listed, step
            result = await h.call(step["tool"], as_written(step))
            assert not result.is_error, f"{step}: {error_text(result)}"
            status = (result.structured_content or {}).get("status")
            assert status not in ("declined", "failed", "unknown", "pending_approval"), step


async def test_next_steps_the_server_cannot_run_are_said_so() -> None:
    async with connect(toolsets=None, read_only=True) as h:
        d = await h.ok("jivox_diagnose_retail_campaign", {"account_id": "acme-retail", "retail_campaign_idx": 5304})
    assert all(s["tool"] != "jivox_activate_retail_campaign" for s in d["next_steps"])
    assert any(u.startswith("jivox_activate_retail_campaign") and "read-only" in u for u in d["unavailable"])


# Sandbox ids to fill a prompt's <placeholders> with, as the assistant would after its list calls.
SANDBOX_IDS: dict[str, Any] = {
    "account_id": "northwind-grocers",
    "retail_campaign_idx": 7101,  # approved: activation plans instead of refusing
    "client_id": None,  # per vendor, below
    "campaign_id": "0b7d3e51-9a2c-4e86-b4f1-6c8a2d9e1f01",
    "jobgroup_id": "1d4b7e2a-6c3f-4a58-9e1d-0a2b4c6d8e11",
    "job_reference": "GLX-00001",
    "campaign_code": "SANDBOX1-AUTUMN-MIXED",
    "creative_code": "SANDBOX1-AUTUMN-MIXED-3",
    "activity_id": "03bbfc1b-cc72-54a0-9d17-d84987cdbf53",
}
CLIENT_IDS = {"joveo": "3f6c2a9e-8d41-4b7a-9e2c-5a1d7b0c4e11", "delta": "b833cff3-0c18-549e-bd86-ac794c288f76"}
PROMPTS: list[tuple[str, dict[str, str]]] = [
    *[("troubleshoot_campaign", {"vendor": v, "campaign": "X-1"}) for v in ("jivox", "joveo", "merchenta", "delta")],
    *[("pause_safely", {"vendor": v, "target": "all of it"}) for v in ("jivox", "joveo", "merchenta", "delta")],
    ("launch_jivox_campaign", {"account_id": "northwind-grocers", "retail_campaign_idx": "7101"}),
    (
        "launch_jivox_campaign",
        {
            "account_id": "acme-retail",
            "retail_campaign_idx": "5302",
            "requester_name": "Jo",
            "requester_email": "j@x.io",
        },
    ),
    ("weekly_performance_review", {}),
    ("weekly_performance_review", {"joveo_client_id": CLIENT_IDS["joveo"], "delta_client_id": CLIENT_IDS["delta"]}),
]


def suggested_calls(text: str) -> list[tuple[str, dict[str, Any]]]:
    """Every `tool {json arguments}` the prompt suggests, parsed as written."""
    calls, decoder = [], json.JSONDecoder()
    for mark in re.finditer(r"\b([a-z][a-z0-9_]+) (?=\{)", text):
        arguments, _ = decoder.raw_decode(text, mark.end())
        calls.append((mark.group(1), arguments))
    return calls


def filled(tool: str, arguments: dict[str, Any]) -> dict[str, Any] | None:
    """The placeholders filled with sandbox ids (None when one needs an earlier call's answer)."""
    if tool == "adops_call_tool":
        inner = filled(arguments["name"], arguments["arguments"])
        return None if inner is None else {**arguments, "arguments": inner}
    out = {}
    for name, value in arguments.items():
        if isinstance(value, str) and value.startswith("<"):
            value = (
                CLIENT_IDS[tool.split("_")[0]] if name == "client_id" else SANDBOX_IDS.get(name, USER_SAYS.get(name))
            )
            if value is None:
                return None
        out[name] = value
    return out


@pytest.mark.parametrize("toolsets", [None, "all"])
@pytest.mark.parametrize(("prompt", "args"), PROMPTS, ids=[f"{p}-{i}" for i, (p, _) in enumerate(PROMPTS)])
async def test_every_prompt_suggests_only_calls_the_client_can_make(
    toolsets: str | None, prompt: str, args: dict[str, str]
) -> None:
    async with connect(toolsets=toolsets) as h:
        listed = {t.name for t in (await h.client.list_tools()).tools}
        text = "\n".join(m.content.text for m in (await h.client.get_prompt(prompt, args)).messages)
        calls = suggested_calls(text)
        assert calls, text
        named = {a["name"] if t == "adops_call_tool" else t for t, a in calls}
        # Every vendor tool the text names is a suggested call (nothing bare that the client cannot see).
        assert {t for t in mentioned_tools(text) if t in CATALOGUE and CATALOGUE[t]["vendor"] != "adops"} <= named
        ran = 0
        for tool, arguments in calls:
            assert tool in listed, (tool, text)
            target, inner = (
                (arguments["name"], arguments["arguments"]) if tool == "adops_call_tool" else (tool, arguments)
            )
            op = h.built.runtime.operation(target)
            assert op is not None
            schema = op.params.model_json_schema()
            assert set(schema.get("required", [])) <= set(inner), (target, inner)
            ready = filled(tool, arguments)
            if ready is None:
                continue
            result = await h.call(tool, ready)
            # A prompt's steps are conditional (approve before activating): the vendor may refuse for the state
            # the sandbox is in, but the call itself must be one the server accepts.
            text = error_text(result) if result.is_error else ""
            assert not text.startswith(("Invalid arguments", "No tool named")), f"{tool} {ready}: {text}"
            assert "not listed" not in text and "cannot run here" not in text, f"{tool} {ready}: {text}"
            ran += 1
        assert ran, "at least the first step of every prompt runs as written"


DELTA_ACTIVITY = {
    "client_id": "b833cff3-0c18-549e-bd86-ac794c288f76",
    "activity_id": "03bbfc1b-cc72-54a0-9d17-d84987cdbf53",
}


async def _delta_budget_change(h: Any) -> dict[str, Any]:
    planned = await h.ok("delta_update_activity", {**DELTA_ACTIVITY, "budget": 123456})
    return await h.ok("confirm_action", {"confirmation_token": planned["confirmation_token"]})


@pytest.mark.parametrize("vendor", ["delta", "Delta Projects", "deltaprojects", "DELTA", "delta_projects"])
async def test_audit_log_accepts_vendor_names_in_any_case_and_aliases(vendor: str) -> None:
    async with connect() as h:
        done = await _delta_budget_change(h)
        records = (await h.ok("adops_audit_log", {"vendor": vendor}))["records"]
    assert [r["id"] for r in records] == [done["audit_id"]]


async def test_audit_records_omit_null_arguments_and_show_before_and_after() -> None:
    async with connect() as h:
        done = await _delta_budget_change(h)
        (record,) = (await h.ok("adops_audit_log", {"tool": "delta_update_activity", "outcome": "OK"}))["records"]
    assert record["id"] == done["audit_id"]
    assert None not in record["arguments"].values() and record["arguments"]["budget"] == 123456
    assert len(record["changes"]) == 1 and record["changes"][0].endswith("-> 123456")
    assert " -> " in record["changes"][0] and "nothing ->" not in record["changes"][0]


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"vendor": "acme"}, "vendor: unknown vendor 'acme', use one of jivox, joveo, merchenta, deltaprojects"),
        ({"tool": "delta_get_activity"}, "tool: 'delta_get_activity' never writes"),
        ({"tool": "pause"}, "joveo_pause_jobgroup"),
        ({"outcome": "paused"}, "outcome: unknown outcome 'paused', use one of ok, failed, unknown, sent"),
    ],
)
async def test_audit_filters_that_can_match_nothing_are_errors_listing_the_valid_values(
    filters: dict[str, str], message: str
) -> None:
    async with connect() as h:
        text = await h.error("adops_audit_log", filters)
    assert text.startswith("Invalid arguments, nothing was sent.") and message in text


def test_audit_command_takes_the_same_filters(tmp_path: Any) -> None:
    import anyio
    from click.testing import CliRunner

    from adops_mcp.cli import main

    async def write() -> None:
        async with connect() as h:
            await _delta_budget_change(h)

    anyio.run(write)
    runner = CliRunner()
    shown = runner.invoke(main, ["audit", "--vendor", "Delta Projects", "--outcome", "ok"])
    assert shown.exit_code == 0 and "delta_update_activity" in shown.output and "-> 123456" in shown.output
    assert "null" not in shown.output
    refused = runner.invoke(main, ["audit", "--vendor", "acme"])
    assert refused.exit_code == 2 and "jivox, joveo, merchenta, deltaprojects" in refused.output


async def test_get_mcp_on_a_stateless_server_is_405_and_clients_still_work() -> None:
    import anyio
    import httpx2

    from tests.test_http_serving import TOKEN, mcp_client, serving

    async with serving(http_tokens=TOKEN) as (url, _):
        async with httpx2.AsyncClient() as http:
            with anyio.fail_after(5):  # an SSE stream would never end
                response = await http.get(
                    url + "/mcp", headers={"accept": "text/event-stream", "authorization": f"Bearer {TOKEN}"}
                )
        assert response.status_code == 405 and response.headers["allow"] == "POST"
        async with mcp_client(url) as client:
            assert (await client.list_tools()).tools


def test_a_port_in_use_fails_before_listening_is_printed() -> None:
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        for command in (
            ["serve", "--sandbox", "--transport", "http", "--port", str(port)],
            ["sandbox", "--port", str(port)],
        ):
            result = subprocess.run(
                [sys.executable, "-m", "adops_mcp", *command],
                capture_output=True,
                text=True,
                timeout=60,
                env=os.environ,
            )
            assert result.returncode != 0, command
            assert f"Cannot listen on 127.0.0.1:{port}: it is already in use" in result.stderr, result.stderr
            assert "listening on" not in result.stderr and "Sandbox vendors on" not in result.stderr
