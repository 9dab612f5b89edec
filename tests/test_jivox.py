"""Jivox: requests exactly as documented, results shaped for the model, status resources."""

from __future__ import annotations

import json

import pytest

from adops_mcp.sandbox import Sandbox
from adops_mcp.sandbox.jivox import JivoxSimulator
from tests.harness import answer, connect

pytestmark = pytest.mark.anyio

KEY = "sandbox-jivox-key"
A, C = "acme-retail", 5302


@pytest.mark.parametrize(
    ("tool", "arguments", "method", "path", "body"),
    [
        ("jivox_list_retail_campaigns", {"account_id": A}, "GET", "/v2/accounts/acme-retail/retail-campaigns", None),
        (
            "jivox_get_retail_campaign",
            {"account_id": A, "retail_campaign_idx": C},
            "GET",
            "/v2/accounts/acme-retail/retail-campaigns/5302",
            None,
        ),
        ("jivox_get_retail_settings", {"account_id": A}, "GET", "/v2/accounts/acme-retail/retail-settings", None),
        (
            "jivox_get_approval_status",
            {"account_id": "acme-retail", "retail_campaign_idx": 5301},
            "GET",
            "/v2/accounts/acme-retail/retail-campaigns/5301/approvalStatus",
            None,
        ),
        (
            "jivox_get_activation_status",
            {"account_id": A, "retail_campaign_idx": 5305},
            "GET",
            "/v2/accounts/acme-retail/retailcampaigns/5305/activationstatus",
            None,
        ),
        (
            "jivox_submit_approval_request",
            {"account_id": A, "retail_campaign_idx": C, "user_name": "Ann", "user_email": "ann@example.com"},
            "POST",
            "/v2/accounts/acme-retail/retail-campaigns/5302/approvalRequest",
            {"userName": "Ann", "userEmail": "ann@example.com"},
        ),
    ],
)
async def test_documented_requests(tool: str, arguments: dict, method: str, path: str, body: dict | None) -> None:
    async with connect() as h:
        await h.ok(tool, arguments)
        sent = h.requests("jivox")[-1]
        assert (sent.method, sent.path) == (method, path)
        assert sent.headers["jvx_apikey"] == KEY
        assert sent.json() == body


async def test_activate_request_and_body() -> None:
    async with connect(elicitation=answer("accept")) as h:
        await h.ok(
            "jivox_activate_retail_campaign",
            {
                "account_id": "northwind-grocers",
                "retail_campaign_idx": 7101,
                "tracker_types": ["GCM"],
                "asset_generation_type": "png",
            },
        )
        posts = h.requests("jivox", "POST")
        assert [(r.path, r.json()) for r in posts] == [
            (
                "/v2/accounts/northwind-grocers/retail-campaigns/7101/activate",
                {"trackerTypes": ["GCM"], "assetGenerationType": "png"},
            )
        ]
        # The gate read the retail settings before anything was sent.
        assert any(r.path.endswith("/retail-settings") for r in h.requests("jivox", "GET"))


async def test_list_pages_with_next_offset_and_filters() -> None:
    async with connect() as h:
        seen, offset = [], 0
        while offset is not None:
            page = await h.ok("jivox_list_retail_campaigns", {"account_id": A, "limit": 15, "offset": offset})
            seen += [c["retailCampaignIdx"] for c in page["campaigns"]]
            offset = page["next_offset"]
        assert len(seen) == len(set(seen)) == page["count"] == 40
        active = await h.ok("jivox_list_retail_campaigns", {"account_id": A, "status": "ACTIVE"})
        assert active["campaigns"] and {c["status"] for c in active["campaigns"]} == {"ACTIVE"}
        assert h.requests("jivox")[-1].query["filters"] == "status(eq)ACTIVE"


async def test_seller_auth_key_redacted() -> None:
    async with connect() as h:
        settings = await h.ok("jivox_get_retail_settings", {"account_id": A})
        sellers = settings["amzSellerDetails"]
        assert sellers and all(s["sellerAuthKey"] == "[redacted]" for s in sellers)
        assert "Atzr" not in json.dumps(settings)


async def test_activation_status_falls_back_to_hyphenated_path() -> None:
    async with connect(sandbox=Sandbox([JivoxSimulator(activation_status_path="hyphenated")])) as h:
        status = await h.ok("jivox_get_activation_status", {"account_id": A, "retail_campaign_idx": 5305})
        assert status["status"] == "IN_PROGRESS"
        assert [r.path.rsplit("/", 2)[-2:] for r in h.requests("jivox")] == [
            ["5305", "activationstatus"],
            ["5305", "activationStatus"],
        ]


async def test_activation_progress_and_failure_are_reported() -> None:
    async with connect(elicitation=answer("accept")) as h:
        args = {"account_id": "northwind-grocers", "retail_campaign_idx": 7104}  # fails on the DSP
        await h.ok("jivox_activate_retail_campaign", args)
        states = [await h.ok("jivox_get_activation_status", args) for _ in range(3)]
        assert states[-1]["status"] == "FAILED" and "rejected creative" in states[-1]["message"]


async def test_status_resources_match_their_tools() -> None:
    async with connect() as h:
        args = {"account_id": A, "retail_campaign_idx": 5301}
        tool = await h.ok("jivox_get_approval_status", args)
        resource = await h.client.read_resource("jivox://accounts/acme-retail/retail-campaigns/5301/approval-status")
        assert json.loads(resource.contents[0].text) == tool
        templates = {t.uri_template for t in (await h.client.list_resource_templates()).resource_templates}
        assert {
            "jivox://accounts/{account_id}/retail-campaigns/{retail_campaign_idx}/activation-status",
            "jivox://accounts/{account_id}/retail-campaigns/{retail_campaign_idx}",
        } <= templates


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"account_id": A, "retail_campaign_idx": "abc"}, "retail_campaign_idx"),
        ({"account_id": A}, "retail_campaign_idx"),
        ({"account_id": A, "retail_campaign_idx": 0}, "greater than or equal to 1"),
        ({"account_id": A, "retail_campaign_idx": C, "asset_generation_type": "bmp"}, "asset_generation_type"),
        ({"account_id": A, "retail_campaign_idx": C, "surprise": 1}, "surprise"),
    ],
)
async def test_bad_input_is_refused_with_nothing_sent(arguments: dict, expected: str) -> None:
    async with connect(elicitation=answer("accept")) as h:
        text = await h.error("jivox_activate_retail_campaign", arguments)
        assert expected in text
        assert h.requests("jivox") == []


async def test_unknown_ids_are_clear_errors() -> None:
    async with connect() as h:
        text = await h.error("jivox_get_retail_campaign", {"account_id": A, "retail_campaign_idx": 999999})
        assert "not found (404)" in text
        text = await h.error("jivox_list_retail_campaigns", {"account_id": "globex-foods"})
        assert "403" in text
        bad_email = {"account_id": A, "retail_campaign_idx": C, "user_name": "x", "user_email": "not-an-email"}
        assert "user_email" in await h.error("jivox_submit_approval_request", bad_email)
        assert h.writes("jivox") == 0
