"""The compact default surface keeps every operation reachable through find + call, guard included."""

from __future__ import annotations

import pytest

from adops_mcp.catalogue import catalogue
from tests.harness import answer, connect

pytestmark = pytest.mark.anyio

ACTIVATE = {
    "name": "jivox_activate_retail_campaign",
    "arguments": {"account_id": "northwind-grocers", "retail_campaign_idx": 7101},
}


async def test_default_surface_is_compact_and_everything_stays_reachable() -> None:
    async with connect(toolsets=None) as h:
        listed = {t.name for t in (await h.client.list_tools()).tools}
        assert {"adops_find_tools", "adops_call_tool"} <= listed
        vendor_ops = {e["name"] for e in catalogue() if e["vendor"] != "adops"}
        assert vendor_ops - listed, "the default surface should not list every operation"
        assert vendor_ops <= set(h.built.runtime.operations), "every operation must stay reachable"


async def test_find_returns_schemas_of_unlisted_tools_and_call_runs_them(mode: str) -> None:
    async with connect(mode=mode, toolsets=None) as h:
        found = await h.ok("adops_find_tools", {"query": "jivox retail settings"})
        hit = next(t for t in found["tools"] if t["name"] == "jivox_get_retail_settings")
        assert hit["listed"] is False and hit["input_schema"]["required"] == ["account_id"]
        result = await h.ok(
            "adops_call_tool", {"name": "jivox_get_retail_settings", "arguments": {"account_id": "acme-retail"}}
        )
        assert result["approvers"] and all(s["sellerAuthKey"] == "[redacted]" for s in result["amzSellerDetails"])


async def test_call_tool_goes_through_the_guard_without_elicitation(mode: str) -> None:
    async with connect(mode=mode, toolsets=None) as h:
        planned = await h.ok("adops_call_tool", ACTIVATE)
        assert planned["status"] == "confirmation_required" and h.writes("jivox") == 0
        done = await h.ok("confirm_action", {"confirmation_token": planned["confirmation_token"]})
        assert done["status"] == "done" and h.writes("jivox", "/activate") == 1


@pytest.mark.parametrize(("action", "sent"), [("accept", 1), ("decline", 0), ("cancel", 0)])
async def test_call_tool_goes_through_the_guard_with_elicitation(mode: str, action: str, sent: int) -> None:
    seen: list[str] = []
    async with connect(mode=mode, toolsets=None, elicitation=answer(action, True, seen)) as h:
        await h.ok("adops_call_tool", ACTIVATE)
        assert len(seen) == 1 and "Northwind Organic Produce Week" in seen[0]
        assert h.writes("jivox", "/activate") == sent


async def test_call_tool_refuses_bad_input_and_unknown_tools() -> None:
    async with connect(toolsets=None) as h:
        assert "No tool named" in await h.error("adops_call_tool", {"name": "jivox_pause_everything", "arguments": {}})
        text = await h.error("adops_call_tool", {"name": "jivox_get_retail_settings", "arguments": {"account": "x"}})
        assert "account_id" in text and "nothing was sent" in text
        assert h.requests("jivox") == []


async def test_operator_narrowing_also_narrows_what_call_can_reach() -> None:
    async with connect(toolsets=None, read_only=True) as h:
        assert "cannot run here: the server runs read-only" in await h.error("adops_call_tool", ACTIVATE)
        assert h.writes("jivox") == 0
    async with connect(toolsets="jivox") as h:
        assert set(h.built.runtime.operations) == {e["name"] for e in catalogue() if e["toolset"] == "jivox"}


@pytest.mark.parametrize(
    ("vendor", "everyday"),
    [
        ("deltaprojects", "delta_create_activity"),
        ("joveo", "joveo_submit_stats_report"),
        ("merchenta", "merchenta_set_creative_status"),
    ],
)
async def test_a_single_vendor_setup_lists_its_everyday_tools(vendor: str, everyday: str) -> None:
    from adops_mcp.sandbox import Sandbox
    from adops_mcp.sandbox.core import default_simulators

    async with connect(toolsets=None) as everything:
        assert everyday not in {t.name for t in (await everything.client.list_tools()).tools}
    sims = [s for s in default_simulators() if s.vendor == vendor]
    async with connect(toolsets=None, sandbox=Sandbox(sims)) as focused:
        listed = {t.name for t in (await focused.client.list_tools()).tools}
        assert everyday in listed
        assert all(name.startswith(("adops_", "confirm_action", everyday.split("_")[0])) for name in listed)
