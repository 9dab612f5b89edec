"""Errors that tell the truth (issue 11): a 404 on a path without ids names the base URL setting, an
unreachable host is named with the cause, retry log lines name the template, attempt and wait."""

from __future__ import annotations

import logging
import ssl

import httpx2
import pytest

from adops_mcp.vendorcall.http import Auth, VendorClient, VendorError

from .standin import JOVEO_KEY, Answer

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


async def test_a_404_on_a_path_with_ids_still_says_check_the_ids(docs) -> None:
    async with docs() as (h, vendor):
        vendor.answer("api.joveo.com", "GET", r"/v1/clients/[^/]+/campaigns/[^/]+", Answer(404, {"message": "nope"}))
        text = await h.error("joveo_get_campaign", {"client_id": CLIENT, "campaign_id": "k1"})
        assert "check the ids" in text and "/v1/clients/{client_id}/campaigns/{campaign_id}" in text


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
