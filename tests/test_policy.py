"""Operator policy the model cannot change: read-only, tool filters, account allowlists, spend caps,
confirmation modes. Every refusal is checked to have sent nothing to the vendor (and asked nobody)."""

from __future__ import annotations

import pytest

from adops_mcp.config import ConfigError
from adops_mcp.sandbox.deltaprojects import ACT_LIVE, CLIENT_DE, CLIENT_SE, TEMPLATE_PLAIN
from tests.harness import answer, connect

pytestmark = pytest.mark.anyio

KEY = "policy-key-Hs5Wq8Ld2Nv7Bc4Xt1GzRe3"  # a configured signing key (random-looking: weak keys are refused)
LIST = ("jivox_list_retail_campaigns", {"account_id": "acme-retail", "limit": 2})
ACTIVATE = ("jivox_activate_retail_campaign", {"account_id": "northwind-grocers", "retail_campaign_idx": 7101})
NEW_ACTIVITY = {
    "client_id": CLIENT_SE,
    "template_id": TEMPLATE_PLAIN,
    "activity_name": "Autumn Push",
    "flight_start": "2030-01-01T00:00:00Z",
    "flight_stop": "2030-02-01T00:00:00Z",
    "order_id": "PO-77",
}


async def listed(h) -> dict[str, dict]:
    return {t.name: t for t in (await h.client.list_tools()).tools}


# ---- read-only ------------------------------------------------------------------------------


async def test_read_only_beats_every_other_option(mode: str) -> None:
    async with connect(mode=mode, read_only=True, toolsets="all", tools=ACTIVATE[0]) as h:
        tools = await listed(h)
        assert LIST[0] in tools and ACTIVATE[0] not in tools and "confirm_action" not in tools
        assert all(t.annotations.read_only_hint for t in tools.values()), [
            n for n, t in tools.items() if not t.annotations.read_only_hint
        ]
        await h.error(ACTIVATE[0], ACTIVATE[1])
        assert h.writes("jivox") == 0


async def test_read_only_confirm_action_refuses_a_valid_token(mode: str) -> None:
    async with connect(mode=mode, confirm_key=KEY) as writable:
        token = (await writable.ok(*ACTIVATE))["confirmation_token"]
    async with connect(mode=mode, confirm_key=KEY, read_only=True) as h:
        assert "confirm_action" not in await listed(h)
        await h.error("confirm_action", {"confirmation_token": token})
        from adops_mcp.server.confirmation import build_confirm_action  # the function itself refuses too

        tool = build_confirm_action(h.built.runtime).built()  # listed lazily: built on its first call
        with pytest.raises(Exception, match="read-only"):
            await tool.fn(confirmation_token=token, ctx=None)
        assert h.writes("jivox") == 0


# ---- tool filters ---------------------------------------------------------------------------


def vendor_tools(tools: dict) -> set[str]:
    return {n for n in tools if not n.startswith("adops_") and n != "confirm_action"}


async def test_tools_alone_lists_exactly_those() -> None:
    async with connect(toolsets=None, tools=f"{LIST[0]}, {ACTIVATE[0]}") as h:
        tools = await listed(h)
        assert vendor_tools(tools) == {LIST[0], ACTIVATE[0]}
        assert "confirm_action" in tools  # a guarded tool is listed
        await h.error("jivox_get_activation_status", {"account_id": "acme-retail", "retail_campaign_idx": 5303})
        assert not h.requests("jivox")


async def test_tools_add_to_toolsets_and_exclude_beats_both() -> None:
    async with connect(
        toolsets="deltaprojects", tools=LIST[0], exclude_tools=f"delta_update_activity,{LIST[0]},adops_audit_log"
    ) as h:
        tools = await listed(h)
        names = vendor_tools(tools)
        assert "delta_get_activity" in names and "delta_update_activity" not in names
        assert LIST[0] not in names and "adops_audit_log" not in tools
        assert not any(n.startswith("jivox_") for n in names)
        await h.error(LIST[0], LIST[1])
        await h.error("delta_update_activity", {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "budget": 1})
        assert not h.requests("jivox") and not h.requests("deltaprojects")


@pytest.mark.parametrize("setting", ["tools", "exclude_tools"])
async def test_unknown_tool_names_refused_at_start(setting: str) -> None:
    with pytest.raises(ConfigError, match="jivox_activate_campaing"):
        async with connect(**{setting: "jivox_activate_campaing"}):
            pass


# ---- account allowlists ---------------------------------------------------------------------


async def test_allowlist_refuses_other_accounts_with_nothing_sent(mode: str, monkeypatch) -> None:
    monkeypatch.setenv("ADOPS_JIVOX_ALLOWED_ACCOUNTS", "northwind-*, globex")
    seen: list[str] = []
    async with connect(mode=mode, elicitation=answer("accept", True, seen)) as h:
        text = await h.error(*LIST)
        assert "acme-retail" in text and "ADOPS_JIVOX_ALLOWED_ACCOUNTS" in text and "Nothing was sent" in text
        text = await h.error(ACTIVATE[0], {"account_id": "acme-retail", "retail_campaign_idx": 5301})
        assert "not one this server may use" in text
        assert seen == [] and not h.requests("jivox")
        done = await h.ok(*ACTIVATE)  # northwind-grocers matches the prefix
        assert done["status"] == "done" and len(seen) == 1


async def test_allowlist_checked_again_at_confirm_time(mode: str, monkeypatch) -> None:
    async with connect(mode=mode, confirm_key=KEY) as open_server:
        token = (await open_server.ok(*ACTIVATE))["confirmation_token"]
    monkeypatch.setenv("ADOPS_JIVOX_ALLOWED_ACCOUNTS", "acme-retail")
    async with connect(mode=mode, confirm_key=KEY) as h:
        assert "not one this server may use" in await h.error("confirm_action", {"confirmation_token": token})
        assert not h.requests("jivox")


def test_allowlist_refuses_a_change_that_names_no_account() -> None:
    from mcp.server.mcpserver.exceptions import ToolError

    from adops_mcp.config import DeltaSettings
    from adops_mcp.server.policy import check_account
    from adops_mcp.vendorcall.operation import NoParams, Operation

    vendor = DeltaSettings(api_key="k", allowed_accounts=CLIENT_SE)
    write = Operation(
        name="delta_create_thing",
        title="t",
        description="d",
        vendor="deltaprojects",
        toolset="delta",
        effect="write",
        method="POST",
        path="/things",
    )
    with pytest.raises(ToolError, match="does not name one Delta Projects account"):
        check_account(write, NoParams(), vendor)
    check_account(
        Operation(
            name="delta_list_things",
            title="t",
            description="d",
            vendor="deltaprojects",
            toolset="delta",
            effect="read",
            method="GET",
            path="/things",
        ),
        NoParams(),
        vendor,
    )


async def test_allowlist_allows_unscoped_reads(monkeypatch) -> None:
    monkeypatch.setenv("ADOPS_DELTA_ALLOWED_ACCOUNTS", CLIENT_SE)
    async with connect() as h:
        assert await h.ok("delta_list_clients")  # not scoped to one client
        assert "not one this server may use" in await h.error(
            "delta_get_activity", {"client_id": CLIENT_DE, "activity_id": ACT_LIVE}
        )
        await h.ok("delta_get_activity", {"client_id": CLIENT_SE, "activity_id": ACT_LIVE})
        assert not [r for r in h.requests("deltaprojects") if CLIENT_DE in r.path]


# ---- spend caps -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caps", "budget", "refused"),
    [
        ({"max_budget": 180000}, 200000, "above the maximum budget 180000 (ADOPS_MAX_BUDGET)"),
        (
            {"max_budget_increase": 10000},
            200000,
            "150000 to 200000 (+50000), above the maximum increase per change 10000",
        ),
        ({"max_budget": 250000, "max_budget_increase": 60000}, 200000, None),
        ({"max_budget_increase": 10000}, 20000, None),  # a decrease is never capped by the increase cap
    ],
)
async def test_spend_caps_on_update(mode: str, caps: dict, budget: int, refused: str | None) -> None:
    seen: list[str] = []
    args = {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "budget": budget}
    async with connect(mode=mode, elicitation=answer("accept", True, seen), **caps) as h:
        if refused:
            text = await h.error("delta_update_activity", args)
            assert refused in text and "Nothing was sent" in text
            assert seen == [] and not [r for r in h.requests("deltaprojects") if r.method != "GET"]
            assert h.sandbox["deltaprojects"].activity(ACT_LIVE)["budget"] == 150000.0
        else:
            assert (await h.ok("delta_update_activity", args))["status"] == "done" and len(seen) == 1
            assert h.sandbox["deltaprojects"].activity(ACT_LIVE)["budget"] == float(budget)


async def test_spend_caps_on_create_and_at_confirm_time(mode: str) -> None:
    async with connect(mode=mode, max_budget=1000) as h:
        text = await h.error("delta_create_activity", {**NEW_ACTIVITY, "budget": 5000})  # disabled: still capped
        assert "maximum budget 1000" in text
        assert not [r for r in h.requests("deltaprojects") if r.method != "GET"]
    async with connect(mode=mode, confirm_key=KEY) as uncapped:
        token = (
            await uncapped.ok(
                "delta_update_activity", {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "budget": 900000}
            )
        )["confirmation_token"]
    async with connect(mode=mode, confirm_key=KEY, max_budget=500000) as h:
        assert "ADOPS_MAX_BUDGET" in await h.error("confirm_action", {"confirmation_token": token})
        assert not [r for r in h.requests("deltaprojects") if r.method != "GET"]


# ---- confirmation modes ---------------------------------------------------------------------


async def test_elicitation_only_denies_a_client_without_elicitation(mode: str) -> None:
    async with connect(mode=mode, confirm_mode="elicitation-only") as h:
        assert "confirm_action" not in await listed(h)
        text = await h.error(*ACTIVATE)
        assert "elicitation-only" in text and "Nothing was sent" in text
        assert h.writes("jivox") == 0
        await h.ok(*LIST)  # reads are unaffected


async def test_elicitation_only_asks_an_eliciting_client(mode: str) -> None:
    seen: list[str] = []
    async with connect(mode=mode, confirm_mode="elicitation-only", elicitation=answer("accept", True, seen)) as h:
        assert (await h.ok(*ACTIVATE))["status"] == "done"
        assert len(seen) == 1 and h.writes("jivox", "/activate") == 1


async def test_elicitation_only_refuses_tokens(mode: str) -> None:
    async with connect(mode=mode, confirm_key=KEY) as lenient:
        token = (await lenient.ok(*ACTIVATE))["confirmation_token"]
    async with connect(mode=mode, confirm_key=KEY, confirm_mode="elicitation-only") as h:
        from adops_mcp.server.confirmation import build_confirm_action

        with pytest.raises(Exception, match="elicitation-only"):
            await build_confirm_action(h.built.runtime).built().fn(confirmation_token=token, ctx=None)
        assert h.writes("jivox") == 0


async def test_merchenta_allowlist_by_campaign_code_prefix(monkeypatch) -> None:
    monkeypatch.setenv("ADOPS_MERCHENTA_ALLOWED_ACCOUNTS", "SANDBOX1-SPRING*")
    async with connect() as h:
        text = await h.error(
            "merchenta_set_campaign_status", {"campaign_code": "SANDBOX1-WINTER-PAUSED", "status": "ACTIVE"}
        )
        assert "SANDBOX1-WINTER-PAUSED" in text and "ADOPS_MERCHENTA_ALLOWED_ACCOUNTS" in text
        await h.error("merchenta_get_creative_status", {"creative_code": "SANDBOX1-WINTER-PAUSED-1"})
        assert not h.requests("merchenta", path_contains="WINTER")
        await h.ok("merchenta_get_campaign_creatives_status", {"campaign_code": "SANDBOX1-SPRING-DELIVERING"})
