"""GET /metrics (ADOPS_METRICS_TOKEN): a real uvicorn server on loopback, the real MCP client, the scrape
parsed with Prometheus's own parser; its bearer token is its own; without the setting there is no route."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from prometheus_client.parser import text_string_to_metric_families

from adops_mcp.config import ConfigError, load_settings
from adops_mcp.server.http_app import build_http_app
from adops_mcp.server.store import StoreUnavailable
from adops_mcp.tools import index
from tests.harness import answer, connect, sandboxed_server
from tests.test_http_serving import TOKEN, mcp_client, serving

pytestmark = pytest.mark.anyio

METRICS_TOKEN = "metrics-token-5e8d1c7a9b3f2e4d"
READS = [  # one read of every vendor
    ("jivox_get_retail_campaign", {"account_id": "acme-retail", "retail_campaign_idx": 5303}),
    ("joveo_list_clients", {}),
    ("merchenta_get_campaign_creatives_status", {"campaign_code": "SANDBOX1-SPRING-DELIVERING"}),
    ("delta_list_clients", {}),
]
MISSING = ("jivox_get_retail_campaign", {"account_id": "acme-retail", "retail_campaign_idx": 999999})  # 404
ACTIVATE = ("jivox_activate_retail_campaign", {"account_id": "northwind-grocers", "retail_campaign_idx": 7101})
VENDORS = {"jivox", "joveo", "merchenta", "deltaprojects", "adops"}
STATUS_CLASSES = {"2xx", "3xx", "4xx", "5xx", "timeout", "error"}
OUTCOMES = {"ok", "error", "invalid", "unknown", "input_required", "confirmation_required", "pending_approval"}
OUTCOMES |= {"declined", "unchanged"}


async def scrape(url: str, token: str | None = METRICS_TOKEN) -> httpx2.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx2.AsyncClient() as http:
        return await http.get(url + "/metrics", headers=headers)


def samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Sample name -> [(labels, value)], from Prometheus's own parser."""
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def value(found: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str) -> float:
    return sum(v for have, v in found.get(name, []) if all(have.get(k) == want for k, want in labels.items()))


async def test_metrics_after_calls_of_every_vendor_and_a_failing_one() -> None:
    async with serving(http_tokens=TOKEN, metrics_token=METRICS_TOKEN) as (url, _):
        async with mcp_client(url) as client:
            for tool, arguments in READS:
                assert not (await client.call_tool(tool, arguments)).is_error, tool
            assert (await client.call_tool(*MISSING)).is_error
            assert (await client.call_tool("delta_list_clients", {"limit": "many"})).is_error  # invalid
            planned = await client.call_tool(*ACTIVATE)
            assert planned.structured_content["status"] == "confirmation_required"  # type: ignore[index]
            refused = await client.call_tool("confirm_action", {"confirmation_token": "not-a-token"})
            assert refused.is_error
            assert (await client.call_tool("made_up_tool_4711", {})).is_error  # counted, never by its name
        response = await scrape(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    found = samples(response.text)

    for tool, _ in READS:
        vendor = index.summaries()[tool].vendor
        assert value(found, "adops_tool_calls_total", tool=tool, vendor=vendor, outcome="ok") >= 1, tool
        assert value(found, "adops_vendor_requests_total", vendor=vendor, status="2xx") >= 1, vendor
        assert value(found, "adops_vendor_request_duration_seconds_count", vendor=vendor) >= 1, vendor
    jivox_read = {"tool": "jivox_get_retail_campaign", "vendor": "jivox"}
    assert value(found, "adops_tool_calls_total", **jivox_read, outcome="error") == 1
    assert value(found, "adops_tool_call_duration_seconds_count", **jivox_read) == 2
    assert value(found, "adops_tool_call_duration_seconds_bucket", **jivox_read, le="+Inf") == 2
    assert value(found, "adops_vendor_requests_total", vendor="jivox", status="4xx") == 1
    assert value(found, "adops_tool_calls_total", tool="delta_list_clients", outcome="invalid") == 1
    assert value(found, "adops_tool_calls_total", tool=ACTIVATE[0], outcome="confirmation_required") == 1
    assert value(found, "adops_tool_calls_total", tool="confirm_action", vendor="adops", outcome="error") == 1
    assert value(found, "adops_confirmations_total", result="requested") == 1
    assert value(found, "adops_confirmations_total", result="refused") == 1
    assert value(found, "adops_confirmations_total", result="confirmed") == 0  # exported at 0 from the start
    assert value(found, "adops_pending_approvals") == 0
    assert value(found, "adops_store_up") == 1

    # Label values are bounded names: tools, vendors, outcomes, status classes; never an id or free text.
    names = set(index.summaries()) | {"confirm_action", "adops_call_tool", "adops_find_tools", "unknown"}
    for name, rows in found.items():
        for labels, _ in rows:
            assert labels.get("tool", "confirm_action") in names, (name, labels)
            assert labels.get("vendor", "adops") in VENDORS, (name, labels)
            assert labels.get("outcome", "ok") in OUTCOMES, (name, labels)
            assert labels.get("status", "2xx") in STATUS_CLASSES, (name, labels)
    assert value(found, "adops_tool_calls_total", tool="unknown", vendor="adops", outcome="error") == 1
    assert "5303" not in response.text and "999999" not in response.text and "acme" not in response.text
    assert "made_up" not in response.text


async def test_a_confirmed_change_and_a_declined_one_are_counted() -> None:
    async with (
        serving(metrics_token=METRICS_TOKEN) as (url, _),
        mcp_client(url, token=None, elicitation_callback=answer("accept")) as client,
    ):
        done = await client.call_tool(*ACTIVATE)
        assert done.structured_content["status"] == "done"  # type: ignore[index]
        found = samples((await scrape(url)).text)
        assert value(found, "adops_confirmations_total", result="confirmed") == 1
        assert value(found, "adops_confirmations_total", result="requested") == 0  # a form counts by its answer
        # Stateless HTTP: the SDK asks for the form's answer, and the client calls again with it.
        assert value(found, "adops_tool_calls_total", tool=ACTIVATE[0], vendor="jivox", outcome="input_required") == 1
        assert value(found, "adops_tool_calls_total", tool=ACTIVATE[0], vendor="jivox", outcome="ok") == 1
    async with (
        serving(metrics_token=METRICS_TOKEN) as (url, _),
        mcp_client(url, token=None, elicitation_callback=answer("decline")) as client,
    ):
        declined = await client.call_tool(*ACTIVATE)
        assert declined.structured_content["status"] == "declined"  # type: ignore[index]
        found = samples((await scrape(url)).text)
        assert value(found, "adops_confirmations_total", result="declined") == 1
        assert value(found, "adops_tool_calls_total", tool=ACTIVATE[0], outcome="declined") == 1


async def test_pending_approvals_and_the_store_gauge(monkeypatch: pytest.MonkeyPatch) -> None:
    async with serving(metrics_token=METRICS_TOKEN, confirm_mode="out-of-band") as (url, built):
        async with mcp_client(url, token=None) as client:
            for campaign in (7101, 7102):
                arguments = {"account_id": "northwind-grocers", "retail_campaign_idx": campaign}
                pending = await client.call_tool(ACTIVATE[0], arguments)
                assert pending.structured_content["status"] == "pending_approval"  # type: ignore[index]
        found = samples((await scrape(url)).text)
        assert value(found, "adops_pending_approvals") == 2
        assert value(found, "adops_tool_calls_total", tool=ACTIVATE[0], outcome="pending_approval") == 2

        async def down(**_: Any) -> Any:
            raise StoreUnavailable("no answer within 5 s (ADOPS_STORE_TIMEOUT)")

        monkeypatch.setattr(built.runtime.store, "pending_actions", down)
        response = await scrape(url)
        assert response.status_code == 200  # the scrape itself still answers: the store is what is down
        found = samples(response.text)
        assert value(found, "adops_store_up") == 0
        assert "adops_pending_approvals" not in found  # unknown while the store is down, not a stale count


@pytest.mark.parametrize(
    ("token", "status"),
    [(None, 401), (TOKEN, 401), ("metrics-token-but-the-wrong-one", 401), (METRICS_TOKEN, 200)],
)
async def test_only_the_metrics_token_opens_metrics(token: str | None, status: int) -> None:
    async with serving(http_tokens=TOKEN, metrics_token=METRICS_TOKEN) as (url, _):
        response = await scrape(url, token)
        assert response.status_code == status
        if status == 401:
            assert "www-authenticate" in response.headers
            assert METRICS_TOKEN not in response.text
        # The metrics token opens nothing else.
        async with httpx2.AsyncClient() as http:
            mcp = await http.post(url + "/mcp", json={}, headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
            assert mcp.status_code == 401
            posted = await http.post(url + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
            assert posted.status_code == 405


async def test_without_the_setting_there_is_no_metrics_route() -> None:
    async with serving(http_tokens=TOKEN) as (url, built):
        assert built.runtime.telemetry.metrics is None
        response = await scrape(url, TOKEN)  # an authenticated client finds nothing there
        assert response.status_code == 404
        assert "adops_" not in response.text


def test_a_metrics_token_shared_with_a_client_or_too_short_is_refused() -> None:
    settings = load_settings(sandbox=True, http_tokens=f"ops:{TOKEN}", metrics_token=TOKEN)
    built = sandboxed_server(settings)
    with pytest.raises(ConfigError, match="ADOPS_METRICS_TOKEN must differ"):
        build_http_app(built.server, settings, "127.0.0.1")
    with pytest.raises(ConfigError, match=r"ADOPS_METRICS_TOKEN: .*16 characters"):
        load_settings(sandbox=True, metrics_token="short")


async def test_vendor_failures_by_status_class_and_a_write_whose_outcome_is_unknown() -> None:
    async with (
        serving(metrics_token=METRICS_TOKEN, read_attempts=3) as (url, built),
        mcp_client(url, token=None, elicitation_callback=answer("accept")) as client,
    ):
        faults = built.sandbox.faults
        faults.add(status=503, vendor="jivox", path_contains="/retail-campaigns/5303", times=3, retry_after="0")
        assert (await client.call_tool(*READS[0])).is_error  # three attempts, each a 503
        faults.add(status=0, vendor="deltaprojects", path_contains="/client", times=3)  # the connection drops
        assert (await client.call_tool(*READS[3])).is_error
        faults.add(status=502, vendor="jivox", method="POST", path_contains="/activate")
        unknown = await client.call_tool(*ACTIVATE)
        assert unknown.is_error and "Outcome unknown" in unknown.content[0].text  # type: ignore[union-attr]
        found = samples((await scrape(url)).text)
    assert value(found, "adops_vendor_requests_total", vendor="jivox", status="5xx") == 4
    assert value(found, "adops_vendor_requests_total", vendor="deltaprojects", status="error") == 3
    assert value(found, "adops_tool_calls_total", tool=READS[0][0], vendor="jivox", outcome="error") == 1
    assert value(found, "adops_tool_calls_total", tool=READS[3][0], vendor="deltaprojects", outcome="error") == 1
    assert value(found, "adops_tool_calls_total", tool=ACTIVATE[0], vendor="jivox", outcome="unknown") == 1
    assert value(found, "adops_confirmations_total", result="confirmed") == 1


async def test_a_call_through_adops_call_tool_counts_as_the_tool_it_runs() -> None:
    async with connect(toolsets=None, metrics_token=METRICS_TOKEN) as h:
        settings = {"name": "jivox_get_retail_settings", "arguments": {"account_id": "acme-retail"}}
        await h.ok("adops_call_tool", settings)
        await h.error("adops_call_tool", {"name": "made_up_tool_4712", "arguments": {}})
        metrics = h.built.runtime.telemetry.metrics
        assert metrics is not None
        found = samples((await metrics.scrape(h.built.runtime.store)).decode())
    assert value(found, "adops_tool_calls_total", tool="jivox_get_retail_settings", vendor="jivox", outcome="ok") == 1
    assert value(found, "adops_tool_calls_total", tool="adops_call_tool", vendor="adops", outcome="error") == 1
    assert "made_up" not in str(found)
