"""Errors that tell the truth (issue 11): a 404 on a path without ids names the base URL setting, an
unreachable host is named with the cause, retry log lines name the template, attempt and wait."""

from __future__ import annotations

import json
import logging
import ssl

import httpx2
import pytest

from adops_mcp.vendorcall.http import Auth, VendorClient, VendorError
from tests.harness import answer

from .standin import ACTIVITY, DELTA_CLIENT, JOVEO_KEY, Answer

pytestmark = pytest.mark.anyio
CLIENT = "7baeb0b8-ae6f-4jed-b80f-az8z86a917d4"


async def test_a_404_from_the_token_exchange_names_the_base_url_and_token_path(docs) -> None:
    async with docs(ADOPS_JOVEO_TOKEN_PATH="/v1/oauth/token") as (h, _):
        text = await h.error("joveo_list_clients", {})
        assert "ADOPS_JOVEO_BASE_URL" in text and "ADOPS_JOVEO_TOKEN_PATH" in text
        assert "check the ids" not in text


async def test_a_404_on_a_path_without_ids_names_the_base_url_setting(docs) -> None:
    async with docs(ADOPS_JOVEO_PATH_LIST_CLIENTS="/v9/clients") as (h, _):
        text = await h.error("joveo_list_clients", {})
        assert "ADOPS_JOVEO_BASE_URL" in text and "api.joveo.com" not in text  # the setting, never its value
        assert "check the ids" not in text
    async with docs() as (h, vendor):
        vendor.answer("delta.invalid", "GET", "/api/v1/activity_templates", Answer(404, "Not Found"))
        text = await h.error("delta_list_activity_templates", {})
        assert "ADOPS_DELTA_BASE_URL" in text and "check the ids" not in text


async def test_a_404_on_a_documented_path_with_ids_says_check_the_ids(docs) -> None:
    # Merchenta's document: the creative status read answers 404 for an unknown creative.
    async with docs() as (h, vendor):
        fail = {"status": "fail", "data": {"errors": [{"code": "E404", "description": "unknown creative"}]}}
        vendor.answer("sandbox.rtbapi.io", "GET", r"/v3/creatives/[^/]+/status", Answer(404, fail))
        text = await h.error("merchenta_get_creative_status", {"creative_code": "MERCHENTA-test-9"})
        assert "check the ids" in text and "/v3/creatives/{creativeCode}/status" in text


# A guessed path with ids (every Joveo path but /s2s/events, Jivox's retail settings) answered by the API with
# 404: the path itself may be wrong, so the error names the setting that changes it and doctor --probe.
GUESSED_404 = [
    (
        "api.joveo.com",
        r"/v1/clients/[^/]+/campaigns/[^/]+",
        "joveo_get_campaign",
        {"client_id": CLIENT, "campaign_id": "k1"},
        "ADOPS_JOVEO_PATH_GET_CAMPAIGN",
    ),
    (
        "api.joveo.com",
        r"/v1/clients/[^/]+/feeds",
        "joveo_list_feeds",
        {"client_id": CLIENT},
        "ADOPS_JOVEO_PATH_LIST_FEEDS",
    ),
    (
        "api.joveo.com",
        r"/v1/stats/reports/[^/]+/status",
        "joveo_wait_for_stats_report",
        {"client_id": CLIENT, "task_id": "t1", "max_wait_seconds": 1},
        "ADOPS_JOVEO_PATH_GET_STATS_REPORT_STATUS",
    ),
    (
        "demo.stub.api.jivox.com",
        r"/v2/accounts/[^/]+/retail-settings",
        "jivox_get_retail_settings",
        {"account_id": "acme-retail"},
        "ADOPS_JIVOX_RETAIL_SETTINGS_PATH",
    ),
]


@pytest.mark.parametrize(("host", "pattern", "tool", "args", "setting"), GUESSED_404, ids=[c[2] for c in GUESSED_404])
async def test_a_404_on_a_guessed_path_names_its_setting(docs, host, pattern, tool, args, setting) -> None:
    async with docs() as (h, vendor):
        vendor.answer(host, "GET", pattern, Answer(404, {"message": "not found"}))
        text = await h.error(tool, args)
        assert setting in text and "doctor --probe" in text and "guess" in text, text
        assert "check the ids" not in text


# A base URL that is not the vendor's API: whatever answers there says 404 with a page, not an API answer.
# The tool's path has ids, but the ids are not the problem: the error names the base-URL setting.
WRONG_HOST = [
    ("jivox_list_retail_campaigns", {"account_id": "acme-retail"}, "ADOPS_JIVOX_BASE_URL"),
    ("jivox_get_retail_campaign", {"account_id": "acme-retail", "retail_campaign_idx": 5373}, "ADOPS_JIVOX_BASE_URL"),
    ("jivox_get_approval_status", {"account_id": "acme-retail", "retail_campaign_idx": 5373}, "ADOPS_JIVOX_BASE_URL"),
    ("jivox_get_activation_status", {"account_id": "acme-retail", "retail_campaign_idx": 5373}, "ADOPS_JIVOX_BASE_URL"),
    ("merchenta_get_creative_status", {"creative_code": "MERCHENTA-test-1"}, "ADOPS_MERCHENTA_BASE_URL"),
    ("delta_list_clients", {}, "ADOPS_DELTA_BASE_URL"),
    ("delta_get_client", {"client_id": DELTA_CLIENT}, "ADOPS_DELTA_BASE_URL"),
    ("delta_list_activities", {"client_id": DELTA_CLIENT}, "ADOPS_DELTA_BASE_URL"),
    ("delta_get_activity", {"client_id": DELTA_CLIENT, "activity_id": ACTIVITY}, "ADOPS_DELTA_BASE_URL"),
    ("delta_list_bidding_plans", {"client_id": DELTA_CLIENT, "activity_id": ACTIVITY}, "ADOPS_DELTA_BASE_URL"),
    (
        "delta_get_activity_statistics",
        {"client_id": DELTA_CLIENT, "activity_id": ACTIVITY},
        "ADOPS_DELTA_BASE_URL",
    ),
]


@pytest.mark.parametrize(("tool", "args", "setting"), WRONG_HOST, ids=[c[0] for c in WRONG_HOST])
async def test_a_wrong_base_url_names_the_base_url_not_the_ids(docs, tool, args, setting) -> None:
    # The stand-in answers a host it does not know (or a path it does not have) with a text/plain 404 page.
    async with docs(**{setting: "https://not-the-vendor.example/api"}) as (h, vendor):
        if "MERCHENTA" in setting:  # the login goes to the same wrong host; let it through to reach the read
            token = {"status": "success", "data": {"accessToken": "t"}}
            vendor.answer("not-the-vendor.example", "GET", r"/api/v3/oauth/accessToken", Answer(body=token))
        text = await h.error(tool, args)
        assert setting in text and "not the" in text, text
        assert "check the ids" not in text and "campaign id" not in text


async def test_joveo_403_says_what_the_document_says_a_403_means(docs) -> None:
    async with docs() as (h, vendor):
        vendor.answer("api.joveo.com", "GET", r"/v1/clients/[^/]+/campaigns", Answer(403, {"message": "Forbidden"}))
        text = await h.error("joveo_list_campaigns", {"client_id": CLIENT})
        assert "client_id" in text and "ADOPS_JOVEO_CLIENT_ID" in text and "x-authorization-key" in text
        # the client minted a fresh token before giving up (the documented 403 cause)
        assert len([s for s in vendor.requests("api.joveo.com", "POST") if s.path == "/v1/access-token"]) == 2


async def test_jivox_403_names_the_permission_the_document_requires(docs) -> None:
    async with docs() as (h, vendor):
        pattern = r"/v2/accounts/[^/]+/retail-campaigns/\d+/approvalStatus"
        vendor.answer("demo.stub.api.jivox.com", "GET", pattern, Answer(403, {"message": "Forbidden"}))
        text = await h.error("jivox_get_approval_status", {"account_id": "acme-retail", "retail_campaign_idx": 5373})
        assert "MediaPlan_Tags_Create" in text


async def test_jivox_approval_status_404_means_the_same_in_every_tool(docs) -> None:
    ids = {"account_id": "acme-retail", "retail_campaign_idx": 5373}
    pattern = r"/v2/accounts/[^/]+/retail-campaigns/\d+/approvalStatus"
    async with docs(elicitation=answer("accept")) as (h, vendor):
        vendor.answer("demo.stub.api.jivox.com", "GET", pattern, Answer(404, {"message": "no approval"}))
        campaign = {"retailCampaignIdx": 5373, "retailCampaignName": "Spring", "status": "NEW"}
        one = r"/v2/accounts/[^/]+/retail-campaigns/\d+"
        vendor.answer("demo.stub.api.jivox.com", "GET", one, Answer(body=campaign))
        read = await h.error("jivox_get_approval_status", ids)
        gate = await h.error("jivox_activate_retail_campaign", ids)
        diagnosis = await h.ok("jivox_diagnose_retail_campaign", ids)
        assert not vendor.requests("demo.stub.api.jivox.com", "POST")
    meaning = "either no approval request was submitted for it yet"
    assert meaning in read and meaning in gate and meaning in json.dumps(diagnosis)
    assert "check the ids" not in read


async def test_s2s_http_200_carrying_status_code_400_is_a_failure(docs) -> None:
    refused = {"statusCode": 400, "body": "Invalid clickId"}
    args = {"client_id": CLIENT, "click_id": "c-1", "event": "APPLY"}
    async with docs() as (h, vendor):
        vendor.answer("api.joveo.com", "POST", "/s2s/events", Answer(200, refused))
        text = await h.error("joveo_send_s2s_event", args)
        assert "statusCode 400" in text and "Invalid clickId" in text
        audit = await h.ok("adops_audit_log", {})
        assert "failed" in json.dumps(audit) and '"done"' not in json.dumps(audit.get("records", audit))
        # the document's own answer (statusCode 200) is done
        vendor.answer("api.joveo.com", "POST", "/s2s/events", Answer(200, {"statusCode": 200, "body": "ok"}))
        assert (await h.ok("joveo_send_s2s_event", args))["status"] == "done"


def _client(handler: object) -> VendorClient:
    return VendorClient(
        "joveo",
        "https://api.joveo.example",
        Auth(headers={"x-api-key": JOVEO_KEY}),
        transport=httpx2.MockTransport(handler),  # type: ignore[arg-type]
        retry_wait=0.0,
    )


@pytest.mark.parametrize(
    ("raised", "cause"),
    [
        (httpx2.ConnectError("[Errno -2] Name or service not known"), "DNS lookup failed"),
        (httpx2.ConnectError("[Errno 111] Connection refused"), "connection refused"),
        (httpx2.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), "TLS handshake failed"),
        (httpx2.ConnectTimeout("timed out"), "timed out while connecting"),
    ],
)
async def test_could_not_be_reached_names_the_setting_and_the_cause_not_the_address(
    raised: Exception, cause: str, caplog
) -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        raise raised

    client = _client(handler)
    with pytest.raises(VendorError) as caught:
        await client.request("GET", "/v1/clients", read=True)
    await client.aclose()
    message = caught.value.message
    assert "could not be reached" in message and cause in message
    assert "ADOPS_JOVEO_BASE_URL" in message and "api.joveo.example" not in message  # the model gets no address
    assert "https://api.joveo.example" in caplog.text  # the operator's log has it
    assert ssl  # the TLS case above is the text an ssl.SSLError carries


async def test_retry_log_lines_carry_vendor_method_template_attempt_and_wait(caplog) -> None:
    answers = iter([503, 503, 200])

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(next(answers), json={"data": []})

    client = _client(handler)
    client.templates = ("/v1/clients/{client_id}/campaigns",)
    with caplog.at_level(logging.WARNING, logger="adops_mcp.http"):
        await client.request("GET", f"/v1/clients/{CLIENT}/campaigns", read=True, params={"page": 0})
    await client.aclose()
    lines = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert len(lines) == 2, lines
    assert lines[0].startswith("joveo GET /v1/clients/{client_id}/campaigns: attempt 1 failed (status 503)")
    assert "attempt 2" in lines[1] and "retrying in 0.00 s" in lines[1]
    assert all(CLIENT not in line and JOVEO_KEY not in line for line in lines)
