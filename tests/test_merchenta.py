"""Merchenta tools through the MCP client against the sandbox: requests, lock protocol, honest results, guard, auth."""

from __future__ import annotations

import logging
from typing import Any

import anyio
import pytest

from adops_mcp.config import MerchentaSettings
from adops_mcp.sandbox import Sandbox
from adops_mcp.sandbox.merchenta import MerchentaSimulator
from adops_mcp.tools.merchenta.operations import token_expiry
from tests.harness import answer, connect

pytestmark = pytest.mark.anyio

SPRING = "SANDBOX1-SPRING-DELIVERING"
SUMMER = "SANDBOX1-SUMMER-PENDING"
AUTUMN = "SANDBOX1-AUTUMN-MIXED"
WINTER = "SANDBOX1-WINTER-PAUSED"
FORM = "application/x-www-form-urlencoded"


def status_posts(h) -> list:
    return [r for r in h.requests("merchenta", "POST") if r.path.endswith("/status")]


async def confirmed(h, tool: str, args: dict) -> dict:
    first = await h.ok(tool, args)
    assert first["status"] == "confirmation_required" and h.writes("merchenta") == 0, first
    return await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})


@pytest.mark.parametrize(
    ("tool", "args", "path"),
    [
        ("merchenta_get_campaign_creatives_status", {"campaign_code": SPRING}, f"/v3/campaigns/{SPRING}/status"),
        ("merchenta_get_creative_status", {"creative_code": f"{SPRING}-1"}, f"/v3/creatives/{SPRING}-1/status"),
    ],
)
async def test_reads_send_the_documented_request(mode, tool, args, path) -> None:
    async with connect(mode=mode) as h:
        await h.ok(tool, args)
        login, read = h.requests("merchenta")
        assert (login.method, login.path) == ("GET", "/v3/oauth/accessToken")
        assert set(login.query) == {"username", "password", "advertiser"} and "authorization" not in login.headers
        assert (read.method, read.path, read.query) == ("GET", path, {})
        assert read.headers["authorization"].startswith("Bearer ")


async def test_not_delivering_explained_pending_review(mode) -> None:
    async with connect(mode=mode) as h:
        data = await h.ok("merchenta_get_campaign_creatives_status", {"campaign_code": SUMMER})
        assert data["delivering"] is False and data["counts"] == {"PENDING": 2}
        assert "review" in data["explanation"]
        assert [c["creativeCode"] for c in data["creatives"]] == [f"{SUMMER}-1", f"{SUMMER}-2"]
        assert data["creatives"][0]["approvalMessage"].startswith("Creative is under review")
        live = await h.ok("merchenta_get_campaign_creatives_status", {"campaign_code": SPRING})
        assert live["delivering"] is True


async def test_resource_twins() -> None:
    async with connect() as h:
        result = await h.client.read_resource(f"merchenta://campaigns/{SUMMER}/creatives-status")
        assert '"delivering":false' in result.contents[0].text  # compact JSON
        result = await h.client.read_resource(f"merchenta://creatives/{AUTUMN}-3/status")
        assert '"REJECTED"' in result.contents[0].text


async def test_unknown_campaign_is_a_clear_error() -> None:
    async with connect() as h:
        text = await h.error("merchenta_get_campaign_creatives_status", {"campaign_code": "SANDBOX1-NOPE"})
        assert "404" in text and "E10040" in text


async def test_creative_change_lock_change_unlock_form_encoded(mode) -> None:
    async with connect(mode=mode) as h:
        done = await confirmed(
            h,
            "merchenta_set_creative_status",
            {"campaign_code": SPRING, "creative_code": f"{SPRING}-2", "status": "INACTIVE"},
        )
        assert done["status"] == "done" and done["result"]["status_now"] == "INACTIVE"
        sim = h.sandbox["merchenta"]
        assert sim.log == [(SPRING, "lock", ""), (SPRING, "change", f"{SPRING}-2=INACTIVE"), (SPRING, "unlock", "")]
        writes = [(r.method, r.path) for r in h.requests("merchenta") if r.method != "GET"]
        assert writes == [
            ("POST", f"/v3/campaigns/{SPRING}/lock"),
            ("POST", f"/v3/creatives/{SPRING}-2/status"),
            ("DELETE", f"/v3/campaigns/{SPRING}/lock"),
        ]
        (post,) = status_posts(h)
        assert post.headers["content-type"].startswith(FORM) and post.body == b"status=INACTIVE"
        assert post.headers["authorization"].startswith("Bearer ")
        assert not sim.locked(SPRING)


async def test_campaign_pause_plan_lists_each_creative_and_partial_warnings(mode) -> None:
    async with connect(mode=mode) as h:
        first = await h.ok("merchenta_set_campaign_status", {"campaign_code": AUTUMN, "status": "INACTIVE"})
        plan = first["plan"]
        for n, status in ((1, "ACTIVE -> INACTIVE"), (2, "PENDING"), (3, "REJECTED"), (4, "INACTIVE (already")):
            assert f"{AUTUMN}-{n}: {status}" in plan, plan
        done = await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})
        result = done["result"]
        assert result["changed"] == [f"{AUTUMN}-1"]
        not_changed = {n["creative_code"]: n for n in result["not_changed"]}
        assert set(not_changed) == {f"{AUTUMN}-2", f"{AUTUMN}-3"}
        assert not_changed[f"{AUTUMN}-2"]["status"] == "PENDING" and "E10059" in not_changed[f"{AUTUMN}-2"]["reason"]
        assert len(result["warnings"]) == 2 and "NOT changed (2)" in result["summary"]
        assert "review" in result["summary"]
        (post,) = status_posts(h)
        assert post.path == f"/v3/campaigns/{AUTUMN}/status" and post.body == b"status=INACTIVE"
        assert [a for _, a, _ in h.sandbox["merchenta"].log] == ["lock", "change", "unlock"]


async def test_campaign_resume(mode) -> None:
    async with connect(mode=mode) as h:
        done = await confirmed(h, "merchenta_set_campaign_status", {"campaign_code": WINTER, "status": "ACTIVE"})
        assert done["result"]["changed"] == [f"{WINTER}-1", f"{WINTER}-2"] and done["result"]["not_changed"] == []
        assert h.sandbox["merchenta"].campaign_status(WINTER) == "ACTIVE"


async def test_failed_change_still_unlocks_and_explains_e10059(mode) -> None:
    async with connect(mode=mode) as h:
        first = await h.ok(
            "merchenta_set_creative_status",
            {"campaign_code": AUTUMN, "creative_code": f"{AUTUMN}-2", "status": "INACTIVE"},
        )
        text = await h.error("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert "E10059" in text and "review" in text and "Failed, nothing changed" in text
        sim = h.sandbox["merchenta"]
        assert [a for _, a, _ in sim.log] == ["lock", "unlock"] and not sim.locked(AUTUMN)
        assert [r.method for r in h.requests("merchenta") if r.method != "GET"] == ["POST", "POST", "DELETE"]
        log = await h.ok("adops_audit_log", {"vendor": "merchenta"})
        assert log["records"][0]["status"] == "failed"


async def test_pending_to_active_refused_before_asking(mode) -> None:
    seen: list[str] = []
    async with connect(mode=mode, elicitation=answer("accept", True, seen)) as h:
        text = await h.error(
            "merchenta_set_creative_status",
            {"campaign_code": SUMMER, "creative_code": f"{SUMMER}-1", "status": "ACTIVE"},
        )
        assert "Nothing was sent" in text and "E10059" in text and "review" in text
        text = await h.error("merchenta_set_campaign_status", {"campaign_code": SUMMER, "status": "ACTIVE"})
        assert "Nothing was sent" in text and "E10059" in text and f"{SUMMER}-1" in text
        assert seen == [] and h.writes("merchenta") == 0


async def test_vendor_e10059_on_campaign_wide_refusal_is_explained() -> None:
    """All creatives refused by the vendor (400 fail, errors[]): explained, unlocked, nothing changed."""

    class ReReviewedAtLock(MerchentaSimulator):
        """Planned while -1 was ACTIVE; once the campaign is locked it is PENDING again (re-review)."""

        async def lock(self, request: Any) -> Any:
            if request.method == "POST":
                self._set(f"{AUTUMN}-1", "PENDING")
                self._set(f"{AUTUMN}-4", "REJECTED")
            return await super().lock(request)

    async with connect(sandbox=Sandbox([ReReviewedAtLock()])) as h:
        sim = h.sandbox["merchenta"]
        first = await h.ok("merchenta_set_campaign_status", {"campaign_code": AUTUMN, "status": "ACTIVE"})
        text = await h.error("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert "refused the status change (400)" in text and "E10059" in text and "review" in text
        assert [a for _, a, _ in sim.log] == ["lock", "unlock"] and not sim.locked(AUTUMN)


async def test_missing_lock_endpoint_said_clearly() -> None:
    async with connect(sandbox=Sandbox([MerchentaSimulator(lock_endpoint=False)]), elicitation=answer("accept")) as h:
        text = await h.error("merchenta_set_campaign_status", {"campaign_code": AUTUMN, "status": "INACTIVE"})
        assert "no campaign lock endpoint" in text and "ADOPS_MERCHENTA_LOCK_PATH" in text and "PROPOSED" in text
        assert status_posts(h) == []  # no status change attempted without the lock


async def test_lock_path_configurable(monkeypatch) -> None:
    monkeypatch.setenv("ADOPS_MERCHENTA_LOCK_PATH", "")
    async with connect(sandbox=Sandbox([MerchentaSimulator(require_lock=False)]), elicitation=answer("accept")) as h:
        done = await h.ok("merchenta_set_campaign_status", {"campaign_code": SPRING, "status": "INACTIVE"})
        assert done["status"] == "done"
        assert [r.path for r in h.requests("merchenta") if r.method != "GET"] == [f"/v3/campaigns/{SPRING}/status"]


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        (
            "merchenta_set_creative_status",
            {"campaign_code": SPRING, "creative_code": f"{SPRING}-1", "status": "INACTIVE"},
        ),
        ("merchenta_set_campaign_status", {"campaign_code": SPRING, "status": "INACTIVE"}),
    ],
)
@pytest.mark.parametrize(
    ("action", "confirm", "writes"),
    [("decline", None, 0), ("cancel", None, 0), ("accept", False, 0), ("accept", True, 3)],
)
async def test_guard_elicitation(mode, tool, args, action, confirm, writes) -> None:
    seen: list[str] = []
    async with connect(mode=mode, elicitation=answer(action, confirm, seen)) as h:
        result = await h.ok(tool, args)
        assert result["status"] == ("done" if writes else "declined")
        assert h.writes("merchenta") == writes
        assert len(seen) == 1 and "ACTIVE -> INACTIVE" in seen[0]


async def test_guard_token_single_use(mode) -> None:
    async with connect(mode=mode) as h:
        first = await h.ok("merchenta_set_campaign_status", {"campaign_code": SPRING, "status": "INACTIVE"})
        assert set(first) >= {"status", "plan", "confirmation_token"} and h.writes("merchenta") == 0
        await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})
        await h.error("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert len(status_posts(h)) == 1


async def test_validation_refuses_before_sending() -> None:
    async with connect(elicitation=answer("accept")) as h:
        for args in (
            {"campaign_code": SPRING, "creative_code": "OTHER-1", "status": "INACTIVE"},
            {"campaign_code": SPRING, "creative_code": f"{SPRING}-1", "status": "PENDING"},
            {"campaign_code": "bad code/..", "creative_code": f"{SPRING}-1", "status": "ACTIVE"},
        ):
            await h.error("merchenta_set_creative_status", args)
        assert h.requests("merchenta") == []


async def test_token_refresh_on_401_single_flight() -> None:
    async with connect() as h:
        sim = h.sandbox["merchenta"]
        await h.ok("merchenta_get_campaign_creatives_status", {"campaign_code": SPRING})
        assert sim.logins == 1
        sim.expire_tokens()
        async with anyio.create_task_group() as tg:
            for code in (SPRING, SUMMER, AUTUMN, WINTER):
                tg.start_soon(h.ok, "merchenta_get_campaign_creatives_status", {"campaign_code": code})
        assert sim.logins == 2


async def test_token_refreshed_ahead_of_expiry() -> None:
    now = [1_700_000_000.0]
    clock = lambda: now[0]  # noqa: E731
    async with connect(sandbox=Sandbox([MerchentaSimulator(clock=clock)])) as h:
        sim = h.sandbox["merchenta"]
        h.built.runtime.clients["merchenta"].auth.token.clock = clock
        await h.ok("merchenta_get_creative_status", {"creative_code": f"{SPRING}-1"})
        now[0] += 3400  # within the refresh margin of the one-hour token, not yet expired
        await h.ok("merchenta_get_creative_status", {"creative_code": f"{SPRING}-1"})
        assert sim.logins == 2
        assert [r.path.rsplit("/", 1)[-1] for r in h.requests("merchenta")] == ["accessToken", "status"] * 2


def test_token_expiry_from_iso_times() -> None:
    import base64
    import json

    def token(payload: dict) -> str:
        part = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
        return f"e30.{part}.sig"

    sample = {"exp": "2014-10-07T10:20:12.489", "iat": "2014-10-07T09:20:12.450"}
    assert token_expiry(token(sample), 1000.0) == pytest.approx(1000.0 + 3600.039)
    assert token_expiry(token({"exp": "2014-10-07T10:20:12.489"}), 0.0) == pytest.approx(1412677212.489)
    assert token_expiry("not-a-jwt", 50.0) == 3650.0


def test_sandbox_and_production_urls() -> None:
    assert MerchentaSettings(username="u", password="p", advertiser="A").url == "https://production.rtbapi.io"
    assert MerchentaSettings(environment="sandbox").url == "https://sandbox.rtbapi.io"
    assert MerchentaSettings(environment="sandbox", base_url="http://h/x").url == "http://h/x"


async def test_no_credential_in_any_output_or_log(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    canary = {"USERNAME": "canary-user@example.test", "PASSWORD": "canary-PW-7f3a9e1b", "ADVERTISER": "SANDBOX1"}
    outputs: list[str] = []
    async with connect(sandbox=Sandbox([MerchentaSimulator(**canary)])) as h:
        sim = h.sandbox["merchenta"]
        outputs.append(str(await h.ok("merchenta_get_campaign_creatives_status", {"campaign_code": SPRING})))
        first = await h.ok(
            "merchenta_set_creative_status",
            {"campaign_code": AUTUMN, "creative_code": f"{AUTUMN}-2", "status": "INACTIVE"},
        )
        outputs.append(str(first))
        outputs.append(await h.error("confirm_action", {"confirmation_token": first["confirmation_token"]}))
        # The vendor now refuses the login: the failure names the variables, never the values.
        sim.credentials["PASSWORD"] = "rotated"
        sim.expire_tokens()
        text = await h.error("merchenta_get_creative_status", {"creative_code": f"{SPRING}-1"})
        assert "401" in text and "ADOPS_MERCHENTA_PASSWORD" in text
        outputs.append(text)
        outputs.append(str(await h.ok("adops_audit_log", {})))
        tokens = [
            r.headers.get("authorization", "")[7:] for r in h.requests("merchenta") if "authorization" in r.headers
        ]
    everything = "\n".join(outputs) + caplog.text
    for secret in (canary["PASSWORD"], canary["USERNAME"], *filter(None, tokens)):
        assert secret not in everything


# ---- outcomes of the lock itself: a write whose answer may never come -------------------------------

CHANGE = {"campaign_code": SPRING, "creative_code": f"{SPRING}-2", "status": "INACTIVE"}
LOCK = f"/v3/campaigns/{SPRING}/lock"


async def audited(h) -> str:
    return (await h.ok("adops_audit_log", {"vendor": "merchenta", "limit": 1}))["records"][0]["status"]


async def test_a_lock_that_reached_merchenta_then_hung_is_unknown_with_what_to_check() -> None:
    async with connect(timeout=3, elicitation=answer("accept")) as h:
        h.sandbox.faults.add(status=None, after_apply=True, delay_ms=5000, vendor="merchenta", path_contains=LOCK)
        text = await h.error("merchenta_set_creative_status", CHANGE)
        assert "Outcome unknown (audit record #" in text and "may stay locked" in text, text
        assert "merchenta_get_campaign_creatives_status" in text and "E10060" in text
        assert "Failed, nothing changed" not in text
        assert await audited(h) == "unknown"
        assert status_posts(h) == []  # no status change was sent
        assert h.sandbox["merchenta"].locked(SPRING)  # the double really holds the lock: "unknown" is the truth


async def test_a_lock_whose_answer_was_lost_is_released_and_then_nothing_changed() -> None:
    async with connect(elicitation=answer("accept")) as h:
        h.sandbox.faults.add(status=0, after_apply=True, vendor="merchenta", method="POST", path_contains=LOCK)
        text = await h.error("merchenta_set_creative_status", CHANGE)
        assert "Failed, nothing changed" in text and "lock was released again" in text, text
        assert await audited(h) == "failed"
        assert status_posts(h) == [] and not h.sandbox["merchenta"].locked(SPRING)


async def test_a_refused_change_whose_unlock_fails_says_the_campaign_may_stay_locked() -> None:
    async with connect(elicitation=answer("accept")) as h:
        h.sandbox.faults.add(status=500, vendor="merchenta", method="DELETE", path_contains="/lock")
        text = await h.error(
            "merchenta_set_creative_status",
            {"campaign_code": AUTUMN, "creative_code": f"{AUTUMN}-2", "status": "INACTIVE"},
        )
        assert "E10059" in text and "Outcome unknown" in text and "may stay locked" in text, text
        assert await audited(h) == "unknown"


async def test_a_change_that_hung_and_left_no_time_to_unlock_says_so() -> None:
    async with connect(timeout=3, elicitation=answer("accept")) as h:
        h.sandbox.faults.add(
            status=None, after_apply=True, delay_ms=5000, vendor="merchenta", path_contains="/status", method="POST"
        )
        text = await h.error("merchenta_set_creative_status", CHANGE)
        assert "Outcome unknown" in text and "may stay locked" in text and "E10060" in text, text
        assert await audited(h) == "unknown"


async def test_a_change_answered_2xx_with_no_envelope_is_unknown_not_failed() -> None:
    async with connect(elicitation=answer("accept")) as h:
        h.sandbox.faults.add(
            status=200, body=["?"], after_apply=True, vendor="merchenta", method="POST", path_contains="/status"
        )
        text = await h.error("merchenta_set_creative_status", CHANGE)
        assert "Outcome unknown" in text and "unexpected body" in text and "read the current state" in text, text
        assert await audited(h) == "unknown"
        assert not h.sandbox["merchenta"].locked(SPRING)  # unlocked all the same


async def test_a_handler_failure_after_sending_is_reported_unknown(monkeypatch) -> None:
    """Whatever breaks inside an operation (here: reading the vendor's answer), the outcome follows what was
    sent: after a write went out it is unknown, never "invalid arguments, nothing was sent"."""
    from adops_mcp.tools.merchenta import operations

    sent = operations._post_status

    async def sent_then_unreadable(call, path: str, target: str) -> dict:
        body = await sent(call, path, target)
        if call.planned is None:  # the real send, not the plan's rehearsal
            raise KeyError("status")
        return body

    async with connect(elicitation=answer("accept")) as h:
        monkeypatch.setattr(operations, "_post_status", sent_then_unreadable)
        text = await h.error("merchenta_set_campaign_status", {"campaign_code": WINTER, "status": "ACTIVE"})
        assert "Outcome unknown (audit record #" in text and "KeyError" in text, text
        assert await audited(h) == "unknown" and len(status_posts(h)) == 1
