"""The Merchenta simulator over HTTP: auth, JSend envelopes, lock protocol, status transitions."""

from __future__ import annotations

import base64
import json

import httpx2
import pytest

from adops_mcp.sandbox import SANDBOX_ORIGIN, Sandbox, SandboxTransport
from adops_mcp.sandbox.merchenta import MerchentaSimulator

T0 = 1_700_000_000.0
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def make(**kwargs):
    clock = Clock()
    sim = MerchentaSimulator(clock=clock, **kwargs)
    client = httpx2.AsyncClient(transport=SandboxTransport(Sandbox([sim])), base_url=SANDBOX_ORIGIN + "/merchenta")
    return sim, clock, client


async def login(client, sim) -> dict[str, str]:
    creds = sim.credentials
    r = await client.get(
        "/v3/oauth/accessToken",
        params={"username": creds["USERNAME"], "password": creds["PASSWORD"], "advertiser": creds["ADVERTISER"]},
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['data']['accessToken']}"}


def payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@pytest.mark.anyio
async def test_login_token_shape_and_expiry():
    sim, clock, client = make(PASSWORD="canary-pw-123")
    auth = await login(client, sim)
    body = payload(auth["Authorization"].split(" ", 1)[1])
    assert body["adv"] == "SANDBOX1" and body["usr"] == "sandbox@adops.example"
    assert body["iat"] == "2023-11-14T22:13:20.000" and body["exp"] == "2023-11-14T23:13:20.000"
    assert sim.logins == 1
    r = await client.get("/v3/campaigns/SANDBOX1-SPRING-DELIVERING/status", headers=auth)
    assert r.status_code == 200
    clock.now += 3600
    r = await client.get("/v3/campaigns/SANDBOX1-SPRING-DELIVERING/status", headers=auth)
    assert r.status_code == 401
    assert r.json() == {"status": "error", "code": "E10003", "message": r.json()["message"]}
    auth = await login(client, sim)
    assert sim.logins == 2
    r = await client.get("/v3/campaigns/SANDBOX1-SPRING-DELIVERING/status", headers=auth)
    assert r.status_code == 200
    sim.expire_tokens()
    r = await client.get("/v3/campaigns/SANDBOX1-SPRING-DELIVERING/status", headers=auth)
    assert r.status_code == 401 and r.json()["code"] == "E10003"


@pytest.mark.anyio
async def test_login_failures_and_missing_token():
    sim, _, client = make()
    r = await client.get(
        "/v3/oauth/accessToken",
        params={"username": "sandbox@adops.example", "password": "nope", "advertiser": "SANDBOX1"},
    )
    assert r.status_code == 401
    body = r.json()
    assert body["status"] == "error" and body["code"] == "E10004" and "nope" not in r.text
    r = await client.get("/v3/oauth/accessToken", params={"username": "x"})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["code"] == "REQ002"
    assert sim.logins == 0
    r = await client.get("/v3/creatives/SANDBOX1-SPRING-DELIVERING-1/status")
    assert r.status_code == 401 and r.json()["code"] == "E10001"
    r = await client.get(
        "/v3/creatives/SANDBOX1-SPRING-DELIVERING-1/status", headers={"Authorization": "Bearer forged"}
    )
    assert r.status_code == 401 and r.json()["code"] == "E10002"
    r = await client.post("/v3/campaigns/SANDBOX1-SPRING-DELIVERING/lock")
    assert r.status_code == 401


@pytest.mark.anyio
async def test_seeded_reads():
    sim, _, client = make()
    auth = await login(client, sim)
    r = await client.get("/v3/campaigns/SANDBOX1-SUMMER-PENDING/status", headers=auth)
    assert r.status_code == 200
    items = r.json()["data"]["status"]
    assert [i["creativeCode"] for i in items] == ["SANDBOX1-SUMMER-PENDING-1", "SANDBOX1-SUMMER-PENDING-2"]
    assert {i["approvalStatus"] for i in items} == {"PENDING"}
    assert set(items[0]) == {"creativeID", "creativeCode", "approvalStatus", "approvalMessage", "latestUpdate"}
    assert "under review" in items[0]["approvalMessage"]
    assert sim.campaign_status("SANDBOX1-SUMMER-PENDING") == "PENDING"
    assert sim.campaign_status("SANDBOX1-SPRING-DELIVERING") == "ACTIVE"
    assert sim.campaign_status("SANDBOX1-WINTER-PAUSED") == "INACTIVE"
    mixed = [c["approvalStatus"] for c in sim.campaign("SANDBOX1-AUTUMN-MIXED")]
    assert mixed == ["ACTIVE", "PENDING", "REJECTED", "INACTIVE"]

    r = await client.get("/v3/creatives/SANDBOX1-AUTUMN-MIXED-3/status", headers=auth)
    assert r.status_code == 200
    assert r.json()["status"] == "success"
    assert r.json()["data"]["status"]["approvalStatus"] == "REJECTED"
    r = await client.get("/v3/creatives/SANDBOX1-NOPE-1/status", headers=auth)
    assert r.status_code == 404 and r.json()["status"] == "fail"
    r = await client.get("/v3/campaigns/SANDBOX1-NOPE/status", headers=auth)
    assert r.status_code == 404


def test_advertiser_override_prefixes_codes():
    sim = MerchentaSimulator(ADVERTISER="CANARY9")
    assert sim.creative("CANARY9-SPRING-DELIVERING-1")["approvalStatus"] == "ACTIVE"


@pytest.mark.anyio
async def test_change_requires_lock_then_unlock():
    sim, clock, client = make()
    auth = await login(client, sim)
    code = "SANDBOX1-SPRING-DELIVERING-1"
    r = await client.post(f"/v3/creatives/{code}/status", data={"status": "INACTIVE"}, headers=auth)
    assert r.status_code == 400
    assert r.json()["data"]["errors"][0]["code"] == "E10060"
    assert sim.creative(code)["approvalStatus"] == "ACTIVE"

    r = await client.post("/v3/campaigns/SANDBOX1-SPRING-DELIVERING/lock", headers=auth)
    assert r.status_code == 200 and r.json() == {"status": "success"}
    assert sim.locked("SANDBOX1-SPRING-DELIVERING")
    clock.now += 60
    r = await client.post(f"/v3/creatives/{code}/status", data={"status": "INACTIVE"}, headers=auth)
    assert r.status_code == 200 and r.json() == {"status": "success"}
    assert sim.creative(code)["approvalStatus"] == "INACTIVE"
    assert sim.creative(code)["latestUpdate"] == "2023-11-14T22:14:20.000"
    # Same target again: idempotent success.
    r = await client.post(f"/v3/creatives/{code}/status", data={"status": "INACTIVE"}, headers=auth)
    assert r.status_code == 200
    r = await client.post(f"/v3/creatives/{code}/status", data={"status": "ACTIVE"}, headers=auth)
    assert r.status_code == 200 and sim.creative(code)["approvalStatus"] == "ACTIVE"
    r = await client.delete("/v3/campaigns/SANDBOX1-SPRING-DELIVERING/lock", headers=auth)
    assert r.status_code == 200 and not sim.locked("SANDBOX1-SPRING-DELIVERING")
    assert [a for _, a, _ in sim.log] == ["lock", "change", "change", "change", "unlock"]
    r = await client.post("/v3/campaigns/SANDBOX1-NOPE/lock", headers=auth)
    assert r.status_code == 404


@pytest.mark.anyio
async def test_form_validation():
    sim, _, client = make()
    auth = await login(client, sim)
    await client.post("/v3/campaigns/SANDBOX1-WINTER-PAUSED/lock", headers=auth)
    url = "/v3/campaigns/SANDBOX1-WINTER-PAUSED/status"
    r = await client.post(url, json={"status": "ACTIVE"}, headers=auth)
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["code"] == "E10061"
    r = await client.post(url, data={"status": "PAUSED"}, headers=auth)
    assert r.status_code == 400
    assert r.json() == {"status": "fail", "data": {"errors": [r.json()["data"]["errors"][0]]}}
    assert r.json()["data"]["errors"][0]["code"] == "REQ003"
    r = await client.post(url, content=b"", headers={**auth, **FORM})
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["code"] == "REQ002"
    assert sim.campaign_status("SANDBOX1-WINTER-PAUSED") == "INACTIVE"


@pytest.mark.anyio
async def test_pending_and_rejected_transitions():
    sim, _, client = make()
    auth = await login(client, sim)
    for campaign in ("SANDBOX1-SUMMER-PENDING", "SANDBOX1-AUTUMN-MIXED"):
        await client.post(f"/v3/campaigns/{campaign}/lock", headers=auth)
    r = await client.post("/v3/creatives/SANDBOX1-SUMMER-PENDING-1/status", data={"status": "ACTIVE"}, headers=auth)
    assert r.status_code == 400
    assert r.json()["data"]["errors"] == [
        {
            "code": "E10059",
            "description": "it is not possible to change status from PENDING to ACTIVE"
            " for creative SANDBOX1-SUMMER-PENDING-1",
        }
    ]
    r = await client.post("/v3/creatives/SANDBOX1-SUMMER-PENDING-1/status", data={"status": "INACTIVE"}, headers=auth)
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["code"] == "E10059"
    r = await client.post("/v3/creatives/SANDBOX1-AUTUMN-MIXED-3/status", data={"status": "ACTIVE"}, headers=auth)
    assert r.status_code == 400 and "from REJECTED to ACTIVE" in r.text
    # Whole campaign pending: nothing can change -> 400 with one error per creative.
    r = await client.post("/v3/campaigns/SANDBOX1-SUMMER-PENDING/status", data={"status": "ACTIVE"}, headers=auth)
    assert r.status_code == 400
    assert [e["code"] for e in r.json()["data"]["errors"]] == ["E10059", "E10059"]
    # Review approves one: it now serves.
    sim.review("SANDBOX1-SUMMER-PENDING-1")
    assert sim.campaign_status("SANDBOX1-SUMMER-PENDING") == "ACTIVE"


@pytest.mark.anyio
async def test_campaign_wide_partial_and_full():
    sim, _, client = make()
    auth = await login(client, sim)
    campaign = "SANDBOX1-AUTUMN-MIXED"
    r = await client.post(f"/v3/campaigns/{campaign}/status", data={"status": "INACTIVE"}, headers=auth)
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["code"] == "E10060"
    await client.post(f"/v3/campaigns/{campaign}/lock", headers=auth)
    r = await client.post(f"/v3/campaigns/{campaign}/status", data={"status": "INACTIVE"}, headers=auth)
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "success"
    warnings = body["data"]["warnings"]
    assert [w["code"] for w in warnings] == ["E10059", "E10059"]
    assert "SANDBOX1-AUTUMN-MIXED-2" in warnings[0]["description"]
    assert "SANDBOX1-AUTUMN-MIXED-3" in warnings[1]["description"]
    assert [c["approvalStatus"] for c in sim.campaign(campaign)] == ["INACTIVE", "PENDING", "REJECTED", "INACTIVE"]

    paused = "SANDBOX1-WINTER-PAUSED"
    await client.post(f"/v3/campaigns/{paused}/lock", headers=auth)
    r = await client.post(f"/v3/campaigns/{paused}/status", data={"status": "ACTIVE"}, headers=auth)
    assert r.status_code == 200 and r.json() == {"status": "success"}
    assert sim.campaign_status(paused) == "ACTIVE"
    await client.delete(f"/v3/campaigns/{paused}/lock", headers=auth)
    assert [(c, a) for c, a, _ in sim.log if c == paused] == [(paused, "lock"), (paused, "change"), (paused, "unlock")]


@pytest.mark.anyio
async def test_without_lock_endpoint():
    sim, _, client = make(lock_endpoint=False)
    auth = await login(client, sim)
    r = await client.post("/v3/campaigns/SANDBOX1-WINTER-PAUSED/lock", headers=auth)
    assert r.status_code == 404
    r = await client.delete("/v3/campaigns/SANDBOX1-WINTER-PAUSED/lock", headers=auth)
    assert r.status_code == 404
    r = await client.post("/v3/campaigns/SANDBOX1-WINTER-PAUSED/status", data={"status": "ACTIVE"}, headers=auth)
    assert r.status_code == 400 and r.json()["data"]["errors"][0]["code"] == "E10060"


@pytest.mark.anyio
async def test_lock_not_required_knob():
    sim, _, client = make(require_lock=False)
    auth = await login(client, sim)
    r = await client.post("/v3/creatives/SANDBOX1-WINTER-PAUSED-1/status", data={"status": "ACTIVE"}, headers=auth)
    assert r.status_code == 200
    assert sim.creative("SANDBOX1-WINTER-PAUSED-1")["approvalStatus"] == "ACTIVE"
