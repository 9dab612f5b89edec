"""Behaviours a fresh round of mutants showed unpinned (issue 29 item 7), each tested through the public
interface: a line of the safety core whose removal no test noticed now fails one here.
scripts/mutants.toml names the mutant each test kills."""

from __future__ import annotations

import time
from typing import Any

import anyio
import httpx2
import pytest
from click.testing import CliRunner
from mcp import Client

from adops_mcp.cli import main
from adops_mcp.config import ConfigError, load_settings
from adops_mcp.sandbox.deltaprojects import ACT_GEO, CLIENT_DE
from adops_mcp.server.app import build_server
from adops_mcp.server.http_app import build_http_app
from adops_mcp.vendorcall import secrets
from tests.harness import connect, error_text
from tests.security.test_plan_whole import Tripwire

pytestmark = pytest.mark.anyio

ACTIVATE = "jivox_activate_retail_campaign"
ARGS = {"account_id": "northwind-grocers", "retail_campaign_idx": 7101}


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_an_already_so_answer_never_sends_even_if_the_state_changes_right_after(mode: str) -> None:
    """The guard found the target already so and asked nothing; if the state changes before the tool body
    runs, the body must still send nothing (a change now would be unconfirmed)."""
    async with connect(mode=mode) as h:
        sim = h.sandbox["deltaprojects"]
        assert sim.activity(ACT_GEO)["enabled"] is True

        def disable() -> None:
            sim.activity(ACT_GEO)["enabled"] = False

        h.sandbox.requests = Tripwire(h.sandbox.requests, ACT_GEO, 2, disable)  # after the guard's own read
        result = await h.ok("delta_update_activity", {"client_id": CLIENT_DE, "activity_id": ACT_GEO, "enabled": True})
        assert result["status"] == "unchanged", result
        assert h.writes("deltaprojects") == 0  # a second look (and a send) would have found it disabled


async def test_a_denied_decision_edited_to_approved_is_not_an_approval() -> None:
    """The approval signature covers the decision: a denied row whose status is edited to `approved`
    (its denial signature kept) does not verify."""
    async with connect(confirm_mode="out-of-band") as h:
        first = await h.ok(ACTIVATE, ARGS)
        ident = first["message"].split("approval id ")[1].split(",")[0]
        CliRunner().invoke(main, ["deny", ident], catch_exceptions=False)
        assert (await h.built.runtime.store.pending(ident)).status == "denied"
        await h.built.runtime.store._run("UPDATE pending_actions SET status = 'approved' WHERE id = ?", (ident,))
        text = await h.error("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert "not signed by this server" in text
        assert h.writes("jivox") == 0


async def test_an_executed_approval_never_counts_again() -> None:
    async with connect(confirm_mode="out-of-band") as h:
        first = await h.ok(ACTIVATE, ARGS)
        ident = first["message"].split("approval id ")[1].split(",")[0]
        CliRunner().invoke(main, ["approve", ident, "--yes"], catch_exceptions=False)
        assert (await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]}))["status"] == "done"
        again = await h.error("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert "This approved change was already performed. Nothing was sent again." in again, again
        assert h.writes("jivox", "/activate") == 1


async def test_calls_are_refused_once_shutdown_began() -> None:
    async with connect() as h:
        h.built.runtime.stop_calls()
        text = await h.error(
            "delta_update_activity", {"client_id": CLIENT_DE, "activity_id": ACT_GEO, "enabled": False}
        )
        assert "shutting down" in text and "nothing was sent" in text
        assert h.requests("deltaprojects") == []


async def test_a_write_stopped_by_shutdown_is_recorded_as_unknown() -> None:
    """The outcome of a write cancelled while the vendor has it is still written to the audit (shielded)."""
    async with connect() as h:
        first = await h.ok("delta_update_activity", {"client_id": CLIENT_DE, "activity_id": ACT_GEO, "enabled": False})
        h.sandbox.faults.add(status=None, delay_ms=60_000, vendor="deltaprojects", method="POST")
        results: list[Any] = []

        async def confirm() -> None:
            results.append(await h.call("confirm_action", {"confirmation_token": first["confirmation_token"]}))

        async with anyio.create_task_group() as tg:
            tg.start_soon(confirm)
            with anyio.fail_after(20):
                while not h.requests("deltaprojects", "POST"):  # noqa: ASYNC110 - the sandbox exposes a log
                    await anyio.sleep(0.01)
            h.built.runtime.stop_calls()
        (result,) = results
        assert result.is_error and "Outcome unknown" in error_text(result)
        (record,) = (await h.ok("adops_audit_log", {"tool": "delta_update_activity"}))["records"]
        assert record["status"] == "unknown", record


async def test_lone_surrogates_and_control_characters_never_reach_a_result(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPS_JIVOX_API_KEY", "jivox-key-for-the-surrogate-test")
    monkeypatch.setenv("ADOPS_JIVOX_BASE_URL", "https://jivox.example")
    name = rb'"Spring\ud800-\udfff\u001b[31m\u0000Sale\u007f"'  # escapes: the bytes themselves are valid JSON
    body = b'{"retailCampaignIdx": 5303, "retailCampaignName": ' + name + b', "status": "ACTIVE"}'
    answer = httpx2.MockTransport(lambda request: httpx2.Response(200, content=body))
    built = build_server(load_settings(toolsets="all"), transport=answer)
    async with Client(built.server) as client:
        result = await client.call_tool(
            "jivox_get_retail_campaign", {"account_id": "acme-retail", "retail_campaign_idx": 5303}
        )
        assert not result.is_error, error_text(result)
        name = result.structured_content["retailCampaignName"]
        assert name == "Spring-[31mSale"
        assert not any(0xD800 <= ord(ch) <= 0xDFFF or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name), repr(name)


async def test_a_password_with_at_signs_in_a_base_url_is_hidden_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPS_JIVOX_BASE_URL", "https://svc:pa@ss@w0rd-9x@jivox.example/api")
    monkeypatch.setenv("ADOPS_JIVOX_API_KEY", "jivox-key-0123456789abcdef")
    settings = load_settings()
    built = build_server(settings, transport=httpx2.MockTransport(lambda r: httpx2.Response(200, json={})))
    async with Client(built.server) as client:
        shown = str((await client.call_tool("adops_configuration", {})).structured_content)
    assert "jivox.example" in shown
    for part in ("pa@ss", "ss@w0rd", "w0rd-9x", "svc:"):
        assert part not in shown, shown


def test_hide_userinfo_hides_a_password_with_raw_at_signs_whole() -> None:
    assert secrets.hide_userinfo("https://svc:pa@ss@w0rd@jivox.example/api") == "https://***@jivox.example/api"
    assert secrets.hide_userinfo("https://jivox.example/api") == "https://jivox.example/api"


def test_sandbox_mode_never_starts_without_the_sandbox_transport() -> None:
    """A sandbox session's calls must never reach real accounts: no sandbox transport, no server."""
    with pytest.raises(ConfigError, match="sandbox transport"):
        build_server(load_settings(sandbox=True))


@pytest.mark.parametrize("token", ["short-token", "a" * 15])
def test_bearer_tokens_under_16_characters_are_refused(token: str) -> None:
    settings = load_settings(sandbox=True, http_tokens=f"alice:{token}")
    with pytest.raises(ConfigError, match="16 characters"):
        build_http_app(None, settings, "127.0.0.1")  # type: ignore[arg-type]


def test_a_bearer_token_is_registered_for_scrubbing() -> None:
    token = "bearer-tok-" + str(time.time_ns())
    settings = load_settings(sandbox=True, http_tokens=f"alice:{token}")
    with pytest.raises(Exception):  # noqa: B017,PT011 - only the token registration matters here
        build_http_app(None, settings, "127.0.0.1")  # type: ignore[arg-type]
    assert token not in secrets.scrub(f"echo {token}")


async def test_vendor_redirects_are_not_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A vendor answer redirecting elsewhere is not followed: the credentials never travel to that host."""
    monkeypatch.setenv("ADOPS_JIVOX_API_KEY", "jivox-key-0123456789abcdef")
    monkeypatch.setenv("ADOPS_JIVOX_BASE_URL", "https://jivox.example/api")
    seen: list[httpx2.Request] = []

    def vendor(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        if request.url.host == "evil.example":
            return httpx2.Response(200, json={"stolen": True})
        return httpx2.Response(302, headers={"Location": "https://evil.example/collect"})

    settings = load_settings()
    built = build_server(settings, transport=httpx2.MockTransport(vendor))
    async with Client(built.server) as client:
        result = await client.call_tool("jivox_list_accounts", {})
    assert result.is_error
    assert [r.url.host for r in seen] and all(r.url.host != "evil.example" for r in seen)
