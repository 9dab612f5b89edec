"""The Jivox simulator over HTTP, as a client would see it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest

from adops_mcp.sandbox import SANDBOX_ORIGIN, Sandbox, SandboxTransport
from adops_mcp.sandbox.jivox import JivoxSimulator

KEY = "sandbox-jivox-key"
ACME = "/v2/accounts/acme-retail"
NORTHWIND = "/v2/accounts/northwind-grocers"
HARBOR = "/v2/accounts/harbor-pharmacy"
DANA, PRIYA = "dana.whitfield@acme-retail.com", "priya.nair@brightpath-media.com"
REQUESTER = {"userName": "Jordan Lee", "userEmail": "jordan.lee@acme-retail.com"}


def client_for(sim: JivoxSimulator, key: str | None = KEY) -> httpx2.AsyncClient:
    headers = {"jvx_apikey": key} if key is not None else {}
    return httpx2.AsyncClient(
        transport=SandboxTransport(Sandbox([sim])), base_url=SANDBOX_ORIGIN + "/jivox", headers=headers
    )


@pytest.fixture
def sim() -> JivoxSimulator:
    return JivoxSimulator(clock=lambda: 1_760_000_000.0)


@pytest.fixture
async def client(sim: JivoxSimulator) -> AsyncIterator[httpx2.AsyncClient]:
    async with client_for(sim) as c:
        yield c


async def poll_until_settled(client: httpx2.AsyncClient, path: str) -> list[dict]:
    seen = []
    for _ in range(10):
        r = await client.get(path)
        assert r.status_code == 200, r.text
        seen.append(r.json())
        if r.json()["status"] in ("ACTIVE", "FAILED"):
            return seen
    raise AssertionError(f"never settled: {seen}")


# ---- auth -------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("key", [None, "", "wrong-key"])
async def test_missing_or_wrong_key_is_401_json(sim: JivoxSimulator, key: str | None) -> None:
    async with client_for(sim, key) as c:
        for path in (ACME + "/retail-campaigns", ACME + "/nope", "/v2/accounts"):
            r = await c.get(path)
            assert r.status_code == 401
            assert set(r.json()) == {"message"}


@pytest.mark.anyio
async def test_key_override_and_canary_not_echoed() -> None:
    canary = "canary-7f3e9b-secret"
    sim = JivoxSimulator(API_KEY=canary)
    assert sim.credentials == {"API_KEY": canary}
    async with client_for(sim, KEY) as c:
        assert (await c.get(ACME + "/retail-campaigns")).status_code == 401
    async with client_for(sim, canary) as c:
        r = await c.get(ACME + "/retail-campaigns")
        assert r.status_code == 200
        assert canary not in r.text


@pytest.mark.anyio
async def test_account_without_access_is_403_and_permission_gate(
    sim: JivoxSimulator, client: httpx2.AsyncClient
) -> None:
    r = await client.get("/v2/accounts/globex-foods/retail-campaigns")
    assert r.status_code == 403 and "globex-foods" in r.json()["message"]
    accounts = (await client.get("/v2/accounts")).json()["accounts"]
    assert "globex-foods" not in {a["accountId"] for a in accounts}

    sim.permissions.discard("MediaPlan_Tags_Create")
    r = await client.post(ACME + "/retail-campaigns/5302/approvalRequest", json=REQUESTER)
    assert r.status_code == 403 and "MediaPlan_Tags_Create" in r.json()["message"]
    assert (await client.get(ACME + "/retail-campaigns/5302")).status_code == 200


# ---- listing ----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_list_defaults_and_shape(client: httpx2.AsyncClient) -> None:
    body = (await client.get(ACME + "/retail-campaigns")).json()
    assert body["count"] == 40 and len(body["campaigns"]) == 40
    assert body["next"] == "" and body["previous"] == ""
    first = body["campaigns"][0]
    assert set(first) == {
        "dspName",
        "dspLogoURL",
        "mediaPlanId",
        "mediaPlanName",
        "retailCampaignIdx",
        "retailCampaignName",
        "dspCampaignId",
        "status",
    }
    assert first["retailCampaignIdx"] == 5301 and first["dspName"] == "Amazon DSP"
    assert {c["dspName"] for c in body["campaigns"]} == {"Amazon DSP", "The Trade Desk", "Criteo"}


@pytest.mark.anyio
async def test_paging_follows_next_urls(client: httpx2.AsyncClient) -> None:
    url: str = ACME + "/retail-campaigns?limit=15"
    ids, pages = [], 0
    while url:
        body = (await client.get(url)).json()
        assert body["count"] == 40
        ids += [c["retailCampaignIdx"] for c in body["campaigns"]]
        url = body["next"]
        pages += 1
    assert pages == 3 and len(ids) == 40 == len(set(ids))

    body = (await client.get(ACME + "/retail-campaigns", params={"limit": 10, "offset": 10})).json()
    assert body["campaigns"][0]["retailCampaignIdx"] == 5311
    assert body["previous"].startswith("http") and "offset=0" in body["previous"]
    back = (await client.get(body["previous"])).json()
    assert back["campaigns"][0]["retailCampaignIdx"] == 5301 and back["previous"] == ""

    beyond = (await client.get(ACME + "/retail-campaigns", params={"offset": 100})).json()
    assert beyond["campaigns"] == [] and beyond["next"] == "" and beyond["count"] == 40


@pytest.mark.anyio
async def test_filters_and_fields(client: httpx2.AsyncClient) -> None:
    new = (await client.get(ACME + "/retail-campaigns", params={"filters": "status(eq)NEW"})).json()
    assert new["count"] == len(new["campaigns"]) > 3
    assert {c["status"] for c in new["campaigns"]} == {"NEW"}

    r = await client.get(
        ACME + "/retail-campaigns",
        params={
            "filters": "retailCampaignName(like)holiday gifting,status(eq)NEW",
            "fields": "retailCampaignIdx,status",
        },
    )
    assert r.json()["campaigns"] == [{"retailCampaignIdx": 5302, "status": "NEW"}]

    paged = (await client.get(ACME + "/retail-campaigns", params={"filters": "status(eq)NEW", "limit": 2})).json()
    assert "filters=status" in paged["next"]
    second = (await client.get(paged["next"])).json()
    assert {c["status"] for c in second["campaigns"]} == {"NEW"}

    for params in (
        {"filters": "status(between)NEW"},
        {"filters": "budget(eq)5"},
        {"filters": "garbage"},
        {"fields": "retailCampaignIdx,secret"},
        {"limit": "ten"},
        {"limit": "0"},
        {"offset": "-1"},
    ):
        r = await client.get(ACME + "/retail-campaigns", params=params)
        assert r.status_code == 400, params
        assert r.json()["message"]


@pytest.mark.anyio
async def test_get_campaign_and_settings(client: httpx2.AsyncClient) -> None:
    c = (await client.get(ACME + "/retail-campaigns/5304")).json()
    assert c["retailCampaignName"] == "Acme Summer Grilling Full-Funnel"
    assert c["status"] == "FAILED"
    assert {"labelId", "templateCampaignIdx", "retailCampaignIdx"} <= set(c)

    settings = (await client.get(ACME + "/retail-settings")).json()
    assert settings["allApproversRequired"] is True
    assert [a["emailId"] for a in settings["approvers"]] == [DANA, PRIYA]
    assert settings["amzSellerDetails"][0]["sellerAuthKey"].startswith("Atzr|")
    assert settings["mediaChannelSettings"] and settings["brandValues"]
    assert (await client.get(NORTHWIND + "/retail-settings")).json()["approvers"] == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v2/accounts/nobody/retail-campaigns", 404),
        ("GET", ACME + "/retail-campaigns/9999", 404),
        ("GET", ACME + "/retail-campaigns/abc", 400),
        ("POST", ACME + "/retail-campaigns/12x/activate", 400),
        ("GET", ACME + "/retailcampaigns/abc/activationstatus", 400),
        ("GET", ACME + "/retail-campaigns/9999/approvalStatus", 404),
        ("GET", ACME + "/no-such-thing", 404),
        ("DELETE", ACME + "/retail-campaigns/5301", 405),
    ],
)
async def test_not_found_and_bad_ids(client: httpx2.AsyncClient, method: str, path: str, status: int) -> None:
    r = await client.request(method, path)
    assert r.status_code == status
    assert isinstance(r.json()["message"], str)


# ---- approvals and the gate -------------------------------------------------------------


@pytest.mark.anyio
async def test_demo_scenario_request_approve_activate_to_active(client: httpx2.AsyncClient) -> None:
    found = (await client.get(ACME + "/retail-campaigns", params={"filters": "retailCampaignName(like)Holiday"})).json()
    idx = found["campaigns"][0]["retailCampaignIdx"]
    assert idx == 5302
    r = await client.get(f"{ACME}/retail-campaigns/{idx}/approvalStatus")
    assert r.status_code == 404 and "approval request" in r.json()["message"]
    r = await client.post(f"{ACME}/retail-campaigns/{idx}/activate")
    assert r.status_code == 400 and "Approved" in r.json()["message"]

    r = await client.post(f"{ACME}/retail-campaigns/{idx}/approvalRequest", json=REQUESTER)
    assert r.json() == {"message": "Campaign preview approval mail sent successfully"}
    status = (await client.get(f"{ACME}/retail-campaigns/{idx}/approvalStatus")).json()
    assert status["status"] == "Approved" and status["requiredApprovals"] == 2
    assert status["requesterEmail"] == REQUESTER["userEmail"]
    assert status["createdOn"].endswith("Z")
    assert {d["userEmail"]: (d["userName"], d["userId"], d["approvalStatus"]) for d in status["approverDetails"]} == {
        DANA: ("Dana Whitfield", 4101, "Approved"),
        PRIYA: ("External User", -1, "Approved"),
    }

    r = await client.post(
        f"{ACME}/retail-campaigns/{idx}/activate", json={"trackerTypes": ["GCM"], "assetGenerationType": "gif"}
    )
    assert r.json() == {"message": "Campaign activated successfully", "retailCampaignIdx": idx}
    assert (await client.get(f"{ACME}/retail-campaigns/{idx}")).json()["status"] == "IN_PROGRESS"
    seen = await poll_until_settled(client, f"{ACME}/retailcampaigns/{idx}/activationstatus")
    assert [(s["status"], s["percentage"]) for s in seen] == [
        ("IN_PROGRESS", 25),
        ("IN_PROGRESS", 60),
        ("IN_PROGRESS", 90),
        ("PUBLISHED", 100),
        ("ACTIVE", 100),
    ]
    assert "GCM" in seen[0]["message"] and "gif" in seen[1]["message"]
    assert (await client.get(f"{ACME}/retail-campaigns/{idx}")).json()["status"] == "ACTIVE"
    r = await client.post(f"{ACME}/retail-campaigns/{idx}/activate")
    assert r.status_code == 409


@pytest.mark.anyio
async def test_pending_approval_blocks_until_decided(sim: JivoxSimulator, client: httpx2.AsyncClient) -> None:
    path = ACME + "/retail-campaigns/5301"
    status = (await client.get(path + "/approvalStatus")).json()
    assert status["status"] == "Pending"
    assert [d["approvalStatus"] for d in status["approverDetails"]] == ["Approved", "Pending"]
    r = await client.post(path + "/activate")
    assert r.status_code == 400 and "Pending" in r.json()["message"]

    # Re-sending the mail keeps the round and Priya still has not answered.
    await client.post(path + "/approvalRequest", json=REQUESTER)
    again = (await client.get(path + "/approvalStatus")).json()
    assert again["approvalIdx"] == status["approvalIdx"] and again["status"] == "Pending"

    sim.decide("acme-retail", 5301, PRIYA, "Approved")
    assert (await client.get(path + "/approvalStatus")).json()["status"] == "Approved"
    assert (await client.post(path + "/activate")).status_code == 200
    assert sim.campaign("acme-retail", 5301).status == "IN_PROGRESS"


@pytest.mark.anyio
async def test_rejection_and_new_round(sim: JivoxSimulator, client: httpx2.AsyncClient) -> None:
    path = ACME + "/retail-campaigns/5307"
    await client.post(path + "/approvalRequest", json=REQUESTER)
    status = (await client.get(path + "/approvalStatus")).json()
    assert status["status"] == "Rejected"
    assert (await client.post(path + "/activate")).status_code == 400

    await client.post(path + "/approvalRequest", json=REQUESTER)
    fresh = (await client.get(path + "/approvalStatus")).json()
    assert fresh["approvalIdx"] != status["approvalIdx"]
    sim.decide("acme-retail", 5307, PRIYA, "Approved")  # the script re-rejects; a human overrides
    sim.decide("acme-retail", 5307, DANA, "Approved")
    assert (await client.get(path + "/approvalStatus")).json()["status"] == "Approved"


@pytest.mark.anyio
async def test_any_one_approver_is_enough_when_not_all_required(client: httpx2.AsyncClient) -> None:
    assert (await client.get(HARBOR + "/retail-settings")).json()["allApproversRequired"] is False
    await client.post(HARBOR + "/retail-campaigns/8201/approvalRequest", json=REQUESTER)
    await client.post(HARBOR + "/retail-campaigns/8202/approvalRequest", json=REQUESTER)
    one = (await client.get(HARBOR + "/retail-campaigns/8201/approvalStatus")).json()
    assert one["status"] == "Approved" and one["requiredApprovals"] == 1
    assert sorted(d["approvalStatus"] for d in one["approverDetails"]) == ["Approved", "Rejected", "Unavailable"]
    assert (await client.get(HARBOR + "/retail-campaigns/8202/approvalStatus")).json()["status"] == "Rejected"


@pytest.mark.anyio
async def test_scripted_decisions_show_on_the_following_poll(sim: JivoxSimulator, client: httpx2.AsyncClient) -> None:
    await client.post(ACME + "/retail-campaigns/5302/approvalRequest", json=REQUESTER)
    record = sim.campaign("acme-retail", 5302).approval
    assert record is not None and set(record.decisions.values()) == {"Pending"}
    await client.get(ACME + "/retail-campaigns/5302/approvalStatus")
    assert set(record.decisions.values()) == {"Approved"}


@pytest.mark.anyio
async def test_approval_request_validation(client: httpx2.AsyncClient) -> None:
    path = ACME + "/retail-campaigns/5302/approvalRequest"
    for body in ({}, {"userName": "Jordan"}, {"userEmail": "j@acme-retail.com"}, {"userName": "", "userEmail": "x"}):
        r = await client.post(path, json=body)
        assert r.status_code == 400 and r.json()["message"]
    r = await client.post(path, content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400
    r = await client.post(NORTHWIND + "/retail-campaigns/7101/approvalRequest", json=REQUESTER)
    assert r.status_code == 400 and "pre-approved" in r.json()["message"]


def test_decide_helper_validates(sim: JivoxSimulator) -> None:
    with pytest.raises(ValueError, match="approval status must be one of"):
        sim.decide("acme-retail", 5301, PRIYA, "approved")
    with pytest.raises(LookupError):
        sim.decide("acme-retail", 5302, PRIYA, "Approved")  # no request yet
    with pytest.raises(LookupError):
        sim.decide("acme-retail", 5301, "stranger@example.com", "Approved")


# ---- activation ---------------------------------------------------------------------------


@pytest.mark.anyio
async def test_pre_approved_account_activates_without_request(client: httpx2.AsyncClient) -> None:
    r = await client.post(NORTHWIND + "/retail-campaigns/7101/activate", json={"assetGenerationType": "video"})
    assert r.status_code == 200
    seen = await poll_until_settled(client, NORTHWIND + "/retailcampaigns/7101/activationstatus")
    assert seen[-1] == {"percentage": 100, "message": "Campaign is live on Criteo", "status": "ACTIVE"}


@pytest.mark.anyio
@pytest.mark.parametrize(
    "body",
    [{"trackerTypes": ["DCM"]}, {"trackerTypes": "GCM"}, {"assetGenerationType": "jpeg"}, [1, 2]],
)
async def test_activate_body_validation(client: httpx2.AsyncClient, body: object) -> None:
    r = await client.post(NORTHWIND + "/retail-campaigns/7101/activate", json=body)
    assert r.status_code == 400 and r.json()["message"]


@pytest.mark.anyio
async def test_in_progress_ended_and_examine_refuse_activation(client: httpx2.AsyncClient) -> None:
    r = await client.post(ACME + "/retail-campaigns/5305/activate")
    assert r.status_code == 409 and "in progress" in r.json()["message"]
    assert (await client.post(ACME + "/retail-campaigns/5306/activate")).status_code == 400
    assert (await client.post(ACME + "/retail-campaigns/5310/activate")).status_code == 400
    assert (await client.post(NORTHWIND + "/retail-campaigns/7103/activate")).status_code == 400


@pytest.mark.anyio
async def test_seeded_in_progress_and_published_move_on(client: httpx2.AsyncClient) -> None:
    seen = await poll_until_settled(client, ACME + "/retailcampaigns/5305/activationstatus")
    assert [(s["status"], s["percentage"]) for s in seen] == [("IN_PROGRESS", 90), ("PUBLISHED", 100), ("ACTIVE", 100)]
    one = (await client.get(ACME + "/retailcampaigns/5308/activationstatus")).json()
    assert one["status"] == "ACTIVE"
    steady = [(await client.get(ACME + "/retailcampaigns/5303/activationstatus")).json() for _ in range(2)]
    assert steady[0] == steady[1] and steady[0]["status"] == "ACTIVE"
    new = (await client.get(NORTHWIND + "/retailcampaigns/7101/activationstatus")).json()
    assert new["status"] == "NEW" and new["percentage"] == 0


@pytest.mark.anyio
async def test_failed_campaign_reports_and_retries(client: httpx2.AsyncClient) -> None:
    status = (await client.get(ACME + "/retailcampaigns/5304/activationstatus")).json()
    assert status == {"percentage": 60, "message": "DSP rejected creative size 300x250", "status": "FAILED"}
    assert (await client.post(ACME + "/retail-campaigns/5304/activate")).status_code == 200
    seen = await poll_until_settled(client, ACME + "/retailcampaigns/5304/activationstatus")
    assert seen[-1]["status"] == "ACTIVE"


@pytest.mark.anyio
async def test_flagged_campaign_fails_then_retry_succeeds(sim: JivoxSimulator, client: httpx2.AsyncClient) -> None:
    path = NORTHWIND + "/retailcampaigns/7104/activationstatus"
    assert (await client.post(NORTHWIND + "/retail-campaigns/7104/activate")).status_code == 200
    seen = await poll_until_settled(client, path)
    assert [(s["status"], s["percentage"]) for s in seen] == [("IN_PROGRESS", 25), ("IN_PROGRESS", 60), ("FAILED", 60)]
    assert "landing page returned HTTP 404" in seen[-1]["message"]
    assert (await client.post(NORTHWIND + "/retail-campaigns/7104/activate")).status_code == 200
    assert (await poll_until_settled(client, path))[-1]["status"] == "ACTIVE"

    sim.fail_next_activation("northwind-grocers", 7101, "Criteo rejected creative size 728x90")
    await client.post(NORTHWIND + "/retail-campaigns/7101/activate")
    failed = (await poll_until_settled(client, NORTHWIND + "/retailcampaigns/7101/activationstatus"))[-1]
    assert failed["status"] == "FAILED" and "728x90" in failed["message"]


# ---- activation-status path spelling ----------------------------------------------------


@pytest.mark.anyio
async def test_documented_spelling_only_by_default(client: httpx2.AsyncClient) -> None:
    assert (await client.get(ACME + "/retailcampaigns/5303/activationstatus")).status_code == 200
    r = await client.get(ACME + "/retail-campaigns/5303/activationStatus")
    assert r.status_code == 404 and r.json()["message"]


@pytest.mark.anyio
async def test_hyphenated_spelling_option() -> None:
    sim = JivoxSimulator(activation_status_path="hyphenated")
    async with client_for(sim) as c:
        r = await c.get(ACME + "/retailcampaigns/5303/activationstatus")
        assert r.status_code == 404 and r.json()["message"]
        r = await c.get(ACME + "/retail-campaigns/5303/activationStatus")
        assert r.status_code == 200 and r.json()["status"] == "ACTIVE"
    with pytest.raises(ValueError, match="must be 'documented' or 'hyphenated'"):
        JivoxSimulator(activation_status_path="camel")


@pytest.mark.anyio
async def test_requests_are_recorded_and_faults_apply() -> None:
    sandbox = Sandbox([JivoxSimulator()])
    sandbox.faults.add(status=429, retry_after="2", vendor="jivox", path_contains="/activate")
    async with httpx2.AsyncClient(
        transport=SandboxTransport(sandbox), base_url=SANDBOX_ORIGIN + "/jivox", headers={"jvx_apikey": KEY}
    ) as c:
        r = await c.post(NORTHWIND + "/retail-campaigns/7101/activate")
        assert r.status_code == 429 and r.headers["retry-after"] == "2"
        assert sandbox["jivox"].campaign("northwind-grocers", 7101).status == "NEW"
        assert (await c.post(NORTHWIND + "/retail-campaigns/7101/activate")).status_code == 200
    posts = sandbox.vendor_requests("jivox", "POST")
    assert [p.path for p in posts] == [NORTHWIND + "/retail-campaigns/7101/activate"] * 2
