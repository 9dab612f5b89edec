"""The Joveo simulator, driven over HTTP through the in-process sandbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from adops_mcp.sandbox import SANDBOX_ORIGIN, Sandbox, SandboxTransport
from adops_mcp.sandbox.joveo import (
    CAMP_ALWAYS_ON,
    CAMP_Q3_SURGE,
    CFG_GLOBEX_DICE,
    CFG_GLOBEX_ZIP,
    FEED_GLOBEX,
    GLOBEX,
    INITECH,
    JG_CDL_TEXAS,
    JG_FORKLIFT,
    JG_HOLIDAY,
    JG_OWNER_OPS,
    JG_SUMMER_2024,
    UMBRELLA,
    JoveoSimulator,
)

API_KEY = "canary-joveo-key-7f3a"
API_CLIENT = "canary-api-client"
START = datetime(2025, 6, 15, 12, tzinfo=UTC).timestamp()
C = f"/v1/clients/{GLOBEX}"


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> JoveoSimulator:
    return JoveoSimulator(clock=clock, API_KEY=API_KEY, CLIENT_ID=API_CLIENT)


@pytest.fixture
async def http(sim: JoveoSimulator):
    transport = SandboxTransport(Sandbox([sim]))
    async with httpx2.AsyncClient(transport=transport, base_url=SANDBOX_ORIGIN + "/joveo") as client:
        yield client


async def mint(http: httpx2.AsyncClient, key: str = API_KEY, client_id: str = API_CLIENT) -> httpx2.Response:
    return await http.post("/v1/access-token", headers={"x-api-key": key}, json={"client_id": client_id})


@pytest.fixture
async def h(http: httpx2.AsyncClient) -> dict[str, str]:
    r = await mint(http)
    return {"x-api-key": API_KEY, "x-authorization-key": r.json()["access_token"]}


def scoped(h: dict[str, str], client: str = GLOBEX) -> dict[str, str]:
    return {**h, "x-client-id": client}


# ----------------------------------------------------------------------------- auth


@pytest.mark.anyio
async def test_token_minting_and_rules(http: httpx2.AsyncClient, sim: JoveoSimulator, clock: Clock) -> None:
    r1, r2 = await mint(http), await mint(http)
    assert r1.status_code == 200
    body = r1.json()
    assert body["expires_in"] == 86400 and body["token_type"] == "Bearer"
    assert body["access_token"].count(".") == 2
    assert r1.json()["access_token"] != r2.json()["access_token"]
    assert sim.token_requests == 2

    assert (await mint(http, key="wrong")).status_code == 401
    assert (await http.post("/v1/access-token", json={"client_id": API_CLIENT})).status_code == 401
    r = await mint(http, client_id="someone-else")
    assert r.status_code == 403 and "message" in r.json()
    assert (await http.post("/v1/access-token", headers={"x-api-key": API_KEY}, json={})).status_code == 400
    assert sim.token_requests == 2

    token = body["access_token"]
    ok = {"x-api-key": API_KEY, "x-authorization-key": token}
    assert (await http.get("/v1/clients?page=0&limit=10", headers=ok)).status_code == 200
    r = await http.get("/v1/clients?page=0&limit=10", headers={"x-authorization-key": token})
    assert r.status_code == 401 and r.json() == {"message": "Missing or invalid x-api-key"}
    assert (
        await http.get("/v1/clients?page=0&limit=10", headers={"x-api-key": "nope", "x-authorization-key": token})
    ).status_code == 401
    assert (await http.get("/v1/clients?page=0&limit=10", headers={"x-api-key": API_KEY})).status_code == 403
    bad = {"x-api-key": API_KEY, "x-authorization-key": "garbage"}
    assert (await http.get("/v1/clients?page=0&limit=10", headers=bad)).status_code == 403
    bearer = {"x-api-key": API_KEY, "x-authorization-key": f"Bearer {token}"}
    assert (await http.get("/v1/clients?page=0&limit=10", headers=bearer)).status_code == 403

    clock.now += 86399
    assert (await http.get("/v1/clients?page=0&limit=10", headers=ok)).status_code == 200
    clock.now += 1
    r = await http.get("/v1/clients?page=0&limit=10", headers=ok)
    assert r.status_code == 403 and "expired" in r.json()["message"]


@pytest.mark.anyio
async def test_token_of_another_api_client_is_refused(http: httpx2.AsyncClient, sim: JoveoSimulator) -> None:
    sim.add_api_client("other-api-client", "other-key")
    other = (await mint(http, key="other-key", client_id="other-api-client")).json()["access_token"]
    assert (await mint(http, key=API_KEY, client_id="other-api-client")).status_code == 403
    r = await http.get("/v1/clients?page=0&limit=5", headers={"x-api-key": API_KEY, "x-authorization-key": other})
    assert r.status_code == 403 and "another API client" in r.json()["message"]
    r = await http.get("/v1/clients?page=0&limit=5", headers={"x-api-key": "other-key", "x-authorization-key": other})
    assert r.status_code == 200


def test_default_credentials() -> None:
    sim = JoveoSimulator()
    assert sim.credentials == {"API_KEY": "sandbox-joveo-key", "CLIENT_ID": "sandbox-joveo-api-client"}
    assert sim.vendor == "joveo"


# ---------------------------------------------------------------------------- clients


@pytest.mark.anyio
async def test_clients(http: httpx2.AsyncClient, h: dict[str, str]) -> None:
    r = await http.get("/v1/clients?page=0&limit=10", headers=h)
    names = [c["companyName"] for c in r.json()["data"]]
    assert names == ["Globex Logistics", "Initech Health", "Umbrella Retail"]
    assert [c["companyName"] for c in (await http.get("/v1/clients?page=1&limit=2", headers=h)).json()["data"]] == [
        "Umbrella Retail"
    ]
    assert (await http.get("/v1/clients", headers=h)).status_code == 400
    assert (await http.get("/v1/clients?page=-1&limit=10", headers=h)).status_code == 400

    client = (await http.get(C, headers=h)).json()
    assert client["id"] == GLOBEX and client["startDate"] == "01/06/2025" and client["timeZone"] == "UTC-06:00"
    assert (await http.get(f"/v1/clients/{UMBRELLA}/status", headers=h)).json() == {
        "result": "P",
        "message": "Status fetched successfully",
    }
    assert (await http.get(C + "/cif-mappings", headers=h)).json() == {
        "external-data": "cif1",
        "day": "cif2",
        "cpc": "cif3",
    }

    r = await http.put(C, headers=h, json={"budget": {"monthly": 30000}})
    assert r.json() == {"result": True, "message": "Client Updated"}
    assert (await http.get(C, headers=h)).json()["caps"]["budget"] == {"monthly": 30000}
    assert (await http.put(C, headers=h, json={"name": "x"})).status_code == 400

    assert (await http.post(C + "/pause", headers=h)).json() == {"result": True, "message": "Client paused"}
    assert (await http.get(C + "/status", headers=h)).json()["result"] == "P"
    assert (await http.post(C + "/enable", headers=h)).json() == {"result": True, "message": "Client enabled"}
    assert (await http.get(C + "/status", headers=h)).json()["result"] == "A"

    new = {"companyName": "Hooli Careers", "startDate": "03/20/2025", "endDate": "04/20/2026", "timeZone": "UTC-10:00"}
    r = await http.post("/v1/clients", headers=h, json=new)
    assert r.json()["message"] == "client created"
    cid = r.json()["result"]
    assert (await http.get(f"/v1/clients/{cid}", headers=h)).json()["endDate"] == "04/20/2026"
    r = await http.post("/v1/clients", headers=h, json={**new, "startDate": "20/03/2025"})
    assert r.status_code == 400 and "mm/dd/yyyy" in r.json()["message"]
    assert (await http.post("/v1/clients", headers=h, json={**new, "startDate": "2025-03-20"})).status_code == 400
    assert (await http.post("/v1/clients", headers=h, json={**new, "endDate": "01/01/2025"})).status_code == 400
    assert (await http.post("/v1/clients", headers=h, json={"exportedName": "x"})).status_code == 400

    assert (await http.delete(f"/v1/clients/{cid}", headers=h)).json() == {"result": True, "message": "Client Deleted"}
    assert (await http.get(f"/v1/clients/{cid}", headers=h)).status_code == 404
    assert (await http.delete(f"/v1/clients/{cid}", headers=h)).status_code == 404
    assert (await http.get("/v1/meta", headers=scoped(h, cid))).status_code == 403


# ------------------------------------------------------------------------------- jobs


@pytest.mark.anyio
async def test_paging_over_five_thousand_jobs(http: httpx2.AsyncClient, h: dict[str, str]) -> None:
    seen: list[str] = []
    for page in range(1, 7):
        r = await http.get(C + f"/jobs?page={page}&limit=1000", headers=h)
        assert r.status_code == 200
        body = r.json()
        assert body["summary"] == 5000
        seen += [j["refNumber"] for j in body["data"]]
    assert len(seen) == 5000 == len(set(seen))
    assert seen[0] == "GLX-00000" and seen[-1] == "GLX-04999"
    small = (await http.get(C + "/jobs?page=3&limit=7", headers=h)).json()["data"]
    assert [j["refNumber"] for j in small] == [f"GLX-{i:05d}" for i in range(14, 21)]

    for query in ("page=1", "limit=10", "page=0&limit=10", "page=1&limit=0", "page=1&limit=1001", "page=x&limit=5"):
        r = await http.get(C + f"/jobs?{query}", headers=h)
        assert r.status_code == 400, query
        assert r.json()["message"]
    r = await http.get(C + "/jobs?page=11&limit=1000", headers=h)
    assert r.status_code == 400 and "10000" in r.json()["message"]


@pytest.mark.anyio
async def test_job_lifecycle(http: httpx2.AsyncClient, h: dict[str, str], sim: JoveoSimulator) -> None:
    job = (await http.get(C + "/jobs/GLX-00042", headers=h)).json()
    assert job["valid"] is True and job["status"] == "ACTIVE" and job["clientId"] == GLOBEX
    assert len(job["jobId"]) == 32

    invalid = (await http.get(C + "/jobs/GLX-00013", headers=h)).json()
    assert invalid["valid"] is False
    for method, path in (("POST", "/pause"), ("POST", "/enable"), ("PUT", "")):
        r = await http.request(method, C + "/jobs/GLX-00013" + path, headers=h, json={"title": "x"})
        assert r.status_code == 400 and "invalid" in r.json()["message"]

    r = await http.put(C + "/jobs/GLX-00042", headers=h, json={"title": "Senior CDL-A Driver", "zip": 75202})
    assert r.json() == {"result": job["jobId"], "message": "Job updated"}
    assert (await http.get(C + "/jobs/GLX-00042", headers=h)).json()["title"] == "Senior CDL-A Driver"
    assert (await http.post(C + "/jobs/GLX-00042/pause", headers=h)).json() == {"result": True, "message": "Job paused"}
    assert (await http.get(C + "/jobs/GLX-00042", headers=h)).json()["status"] == "PAUSED"
    assert (await http.post(C + "/jobs/GLX-00042/enable", headers=h)).json()["message"] == "Job enabled"
    assert (await http.get(C + "/jobs/GLX-00042", headers=h)).json()["status"] == "ACTIVE"

    new = {
        "refNumber": "glx-new-1",
        "title": "Night Dispatcher",
        "url": "https://careers.example.com/n1",
        "city": "Dallas",
        "country": "US",
        "zip": 75201,
        "jobType": "FULL_TIME",
    }
    r = await http.post(C + "/jobs", headers=h, json=new)
    assert r.json()["message"] == "Job created"
    new_id = r.json()["result"]
    assert (await http.post(C + "/jobs", headers=h, json=new)).status_code == 400
    assert (await http.post(C + "/jobs", headers=h, json={"title": "no ref"})).status_code == 400
    r = await http.get(C + "/jobs?page=6&limit=1000", headers=h)
    assert r.json()["summary"] == 5001 and r.json()["data"][0]["refNumber"] == "glx-new-1"

    assert (await http.delete(C + "/jobs/GLX-00042", headers=h)).json() == {"result": True, "message": "Job deleted"}
    assert (await http.get(C + "/jobs/GLX-00042", headers=h)).status_code == 404
    assert (await http.post(C + "/jobs/GLX-00042/pause", headers=h)).status_code == 404
    assert (await http.get(C + "/jobs?page=1&limit=1", headers=h)).json()["summary"] == 5000
    assert (await http.get(C + "/jobs/GLX-05000", headers=h)).status_code == 404

    ids = [sim.job_id(GLOBEX, "GLX-04999"), new_id, "0" * 32, job["jobId"]]
    r = await http.post(f"/v1/jobs/bulk?client_id={GLOBEX}", headers=h, json=ids)
    assert [j["refNumber"] for j in r.json()] == ["GLX-04999", "glx-new-1"]
    assert (await http.post("/v1/jobs/bulk", headers=h, json=ids)).status_code == 400
    assert (await http.post("/v1/jobs/bulk?client_id=nope", headers=h, json=ids)).status_code == 403
    assert (await http.post(f"/v1/jobs/bulk?client_id={INITECH}", headers=h, json=ids)).json() == []
    assert (await http.post(f"/v1/jobs/bulk?client_id={GLOBEX}", headers=h, json={"ids": ids})).status_code == 400


# ------------------------------------------------------------------ campaigns, job groups


@pytest.mark.anyio
async def test_campaigns_and_jobgroups(http: httpx2.AsyncClient, h: dict[str, str]) -> None:
    data = (await http.get(C + "/campaigns?page=0&limit=10", headers=h)).json()["data"]
    assert {c["name"]: c["activeStatus"] for c in data} == {"Always-on Drivers": "A", "Q3 Warehouse Surge": "P"}
    assert (await http.get(C + "/campaigns?page=0", headers=h)).status_code == 400
    assert (await http.get(f"/v1/clients/{INITECH}/campaigns/{CAMP_ALWAYS_ON}", headers=h)).status_code == 404

    r = await http.post(
        C + "/campaigns",
        headers=h,
        json={"name": "Fall Push", "startDate": "09/01/2025", "endDate": "11/30/2025", "Caps": {"budget": 500}},
    )
    assert r.json()["message"] == "campaign created"
    camp = f"{C}/campaigns/{r.json()['result']}"
    got = (await http.get(camp, headers=h)).json()
    assert got["activeStatus"] == "A" and got["caps"] == {"budget": 500} and got["startDate"] == "09/01/2025"
    assert (
        await http.post(C + "/campaigns", headers=h, json={"name": "x", "startDate": "2025-09-01"})
    ).status_code == 400
    assert (await http.put(camp, headers=h, json={"caps": {"budget": 900}})).json() == {
        "result": True,
        "message": "Campaign updated",
    }
    assert (await http.put(camp, headers=h, json={})).status_code == 400
    assert (await http.post(camp + "/pause", headers=h)).json()["message"] == "Campaign paused"
    assert (await http.get(camp, headers=h)).json()["activeStatus"] == "P"
    assert (await http.post(camp + "/enable", headers=h)).json()["message"] == "Campaign enabled"

    body = {
        "name": "Fall Drivers",
        "startDate": "09/01/2025",
        "endDate": "11/30/2025",
        "cpcBid": 0.3,
        "cpaBid": 9.5,
        "filters": {"rules": []},
        "placements": [{"placementId": "dice"}],
    }
    r = await http.post(camp + "/jobgroups", headers=h, json=body)
    assert r.json()["message"] == "Jobgroup created"
    jg = f"{camp}/jobgroups/{r.json()['result']}"
    got = (await http.get(jg, headers=h)).json()
    assert got["cpcBid"] == 0.3 and got["activeStatus"] == "A" and got["placementIds"] == ["dice"]
    assert (await http.post(camp + "/jobgroups", headers=h, json={**body, "endDate": "31/11/2025"})).status_code == 400
    assert (await http.post(camp + "/jobgroups", headers=h, json={**body, "cpcBid": "high"})).status_code == 400
    assert (await http.put(jg, headers=h, json={"cpaBid": 0.22, "name": "Fall Drivers 2"})).json() == {
        "result": True,
        "message": "Jobgroup updated",
    }
    assert (await http.get(jg, headers=h)).json()["cpaBid"] == 0.22
    assert (await http.put(jg, headers=h, json={"colour": "red"})).status_code == 400
    assert (await http.post(jg + "/pause", headers=h)).json() == {"result": True, "message": "Jobgroup paused"}
    assert (await http.post(jg + "/enable", headers=h)).json()["message"] == "Jobgroup enabled"
    listed = (await http.get(camp + "/jobgroups?page=0&limit=10", headers=h)).json()["data"]
    assert [g["name"] for g in listed] == ["Fall Drivers 2"]
    client_groups = (await http.get(C + "/jobgroups?page=0&limit=100", headers=h)).json()["data"]
    assert len(client_groups) == 5

    assert (await http.delete(jg, headers=h)).json() == {"result": True, "message": "Jobgroup deleted"}
    assert (await http.get(jg, headers=h)).status_code == 404
    r = await http.post(camp + "/jobgroups", headers=h, json=body)
    jg2 = f"{camp}/jobgroups/{r.json()['result']}"
    assert (await http.delete(camp, headers=h)).json() == {"result": True, "message": "Campaign deleted"}
    assert (await http.get(camp, headers=h)).status_code == 404
    assert (await http.get(jg2, headers=h)).status_code == 404
    assert (await http.post(camp + "/enable", headers=h)).status_code == 404


@pytest.mark.anyio
async def test_cascade_why_is_this_job_group_not_spending(
    http: httpx2.AsyncClient, h: dict[str, str], sim: JoveoSimulator
) -> None:
    forklift = (await http.get(f"{C}/campaigns/{CAMP_Q3_SURGE}/jobgroups/{JG_FORKLIFT}", headers=h)).json()
    assert forklift["activeStatus"] == "A"
    assert (await http.get(f"{C}/campaigns/{CAMP_Q3_SURGE}", headers=h)).json()["activeStatus"] == "P"
    assert sim.effective_status(JG_FORKLIFT) == {"running": False, "reasons": ["campaign paused"]}
    assert sim.effective_status(JG_SUMMER_2024)["reasons"] == ["job group ended on 08/31/2024"]
    assert sim.effective_status(JG_HOLIDAY)["reasons"] == ["client paused"]
    assert sim.effective_status(JG_OWNER_OPS)["reasons"] == ["job group paused"]
    assert sim.effective_status(JG_CDL_TEXAS)["running"] is True

    meta = (await http.get("/v1/meta", headers=scoped(h))).json()
    assert meta["success"] is True
    camps = {c["name"]: c for c in meta["campaigns"]}
    assert camps["Q3 Warehouse Surge"]["activeStatus"] == "P"
    assert camps["Q3 Warehouse Surge"]["jobgroups"][0]["activeStatus"] == "A"
    assert {g["name"] for g in camps["Always-on Drivers"]["jobgroups"]} == {
        "CDL Drivers - Texas",
        "Owner Operators",
        "Summer Drivers 2024",
    }

    r = await http.post("/v1/stats/stream", headers=scoped(h), json={"groupBy": "JOBGROUP"})
    spend = {row["jobGroupName"]: row["spend"] for row in r.json()["stats"]}
    assert spend["CDL Drivers - Texas"] > 0
    assert spend["Forklift Operators"] == spend["Owner Operators"] == spend["Summer Drivers 2024"] == 0

    await http.post(f"{C}/campaigns/{CAMP_Q3_SURGE}/enable", headers=h)
    assert sim.effective_status(JG_FORKLIFT)["running"] is True
    r = await http.post("/v1/stats/stream", headers=scoped(h), json={"groupBy": "JOBGROUP"})
    assert {row["jobGroupName"]: row["spend"] for row in r.json()["stats"]}["Forklift Operators"] > 0

    umbrella = await http.post("/v1/stats/stream", headers=scoped(h, UMBRELLA), json={"groupBy": "CLIENT"})
    assert umbrella.json()["stats"] == [
        {
            "clientId": UMBRELLA,
            "clientName": "Umbrella Retail",
            "clicks": 0,
            "applies": 0,
            "spend": 0.0,
            "startDate": "05/17/2025",
            "endDate": "06/15/2025",
            "cpc": 0.0,
            "cpa": 0.0,
        }
    ]


# ------------------------------------------------------------------------- async stats


async def poll(http: httpx2.AsyncClient, h: dict[str, str], task: str, client: str = GLOBEX) -> httpx2.Response:
    return await http.get(f"/v1/stats/reports/{task}/status", headers=scoped(h, client))


@pytest.mark.anyio
async def test_async_stats_lifecycle(http: httpx2.AsyncClient, h: dict[str, str], sim: JoveoSimulator) -> None:
    body = {
        "filters": {"startDate": "06/01/2025", "endDate": "06/14/2025"},
        "aggregationLevel": {"primaryLevel": "CAMPAIGN", "secondaryLevel": "JOBGROUP"},
    }
    r = await http.post("/v1/stats/reports", headers=scoped(h), json=body)
    assert r.status_code == 200 and r.text == "NO_CONTENT"
    assert r.headers["content-type"].startswith("text/plain")
    task = r.headers["x-task-id"]
    assert r.headers["location"] == f"/v1/stats/reports/{task}/status"

    assert (await poll(http, h, task, INITECH)).status_code == 404
    assert (await poll(http, h, task)).json() == {"status": "IN_PROGRESS"}
    assert (await poll(http, h, task)).json() == {"status": "IN_PROGRESS"}
    done = (await poll(http, h, task)).json()
    assert done == {"status": "SUCCESS", "location": [f"https://reports.sandbox.joveo.invalid/{task}.csv"]}
    assert (await poll(http, h, task)).json() == done
    rows = {r["jobGroupName"]: r for r in sim.report_rows(task)}
    assert (
        rows["CDL Drivers - Texas"]["clicks"] > 0 and rows["CDL Drivers - Texas"]["campaignName"] == "Always-on Drivers"
    )
    assert rows["Forklift Operators"]["spend"] == 0
    assert (await http.get("/v1/stats/reports/unknown/status", headers=scoped(h))).status_code == 404

    async def outcome(filters: dict[str, Any], client: str = GLOBEX) -> str:
        r = await http.post(
            "/v1/stats/reports",
            headers=scoped(h, client),
            json={"filters": filters, "aggregationLevel": {"primaryLevel": "JOBGROUP"}},
        )
        task = r.headers["x-task-id"]
        for _ in range(3):
            status = (await poll(http, h, task, client)).json()
        return status["status"]

    assert await outcome({"startDate": "01/01/2025", "endDate": "03/31/2025"}) == "NO_RECORDS_FOUND"  # > 60 days
    assert await outcome({"jobGroupIds": [JG_FORKLIFT, JG_OWNER_OPS]}) == "NO_RECORDS_FOUND"  # paused-only
    assert await outcome({"jobGroupIds": JG_SUMMER_2024}) == "NO_RECORDS_FOUND"  # ended
    assert await outcome({}, UMBRELLA) == "NO_RECORDS_FOUND"  # client paused
    assert await outcome({"campaignIds": [CAMP_ALWAYS_ON]}) == "SUCCESS"

    same = {"primaryLevel": "JOBGROUP", "secondaryLevel": "CAMPAIGN", "tertiaryLevel": "JOBGROUP"}
    r = await http.post("/v1/stats/reports", headers=scoped(h), json={"aggregationLevel": same})
    assert r.status_code == 400 and "unique" in r.json()["message"]
    assert (await http.post("/v1/stats/reports", headers=scoped(h), json={"aggregationLevel": {}})).status_code == 400
    bad_date = {"filters": {"startDate": "2025-06-01"}, "aggregationLevel": {"primaryLevel": "CLIENT"}}
    assert (await http.post("/v1/stats/reports", headers=scoped(h), json=bad_date)).status_code == 400
    assert (await http.post("/v1/stats/reports", headers=h, json=body)).status_code == 400
    assert (await http.post("/v1/stats/reports", headers=scoped(h, "unknown"), json=body)).status_code == 403
    # Client scoping travels in x-client-id, not in the other header spellings.
    assert (await http.post("/v1/stats/reports", headers={**h, "client_id": GLOBEX}, json=body)).status_code == 400


# ---------------------------------------------------------------- feeds and postings


@pytest.mark.anyio
async def test_feeds(http: httpx2.AsyncClient, h: dict[str, str]) -> None:
    feeds = (await http.get(C + "/feeds?page=0&limit=10", headers=h)).json()["data"]
    assert [f["id"] for f in feeds] == [FEED_GLOBEX]
    assert (await http.get(C + "/feeds", headers=h)).status_code == 400
    r = await http.post(
        C + "/feeds",
        headers=h,
        json={"xmlFeedUrl": "https://feeds.example.com/new.xml", "schemaMappings": {"title": "jobtitle"}},
    )
    assert r.json()["message"] == "Feed created"
    feed = f"{C}/feeds/{r.json()['result']}"
    got = (await http.get(feed, headers=h)).json()
    assert got["active"] is True and got["deleted"] is False and got["schemaMappings"] == {"title": "jobtitle"}
    assert (await http.post(C + "/feeds", headers=h, json={"xmlFeedUrl": "ftp://x"})).status_code == 400
    r = await http.put(feed, headers=h, json={"xmlFeedUrl": "https://feeds.example.com/v2.xml"})
    assert r.json() == {"result": got["id"], "message": "Feed updated"}
    assert (await http.put(feed, headers=h)).status_code == 200  # the vendor sample body is {}
    assert (await http.delete(feed, headers=h)).json() == {"result": True, "message": "Feed deleted"}
    assert (await http.get(feed, headers=h)).status_code == 404
    assert (await http.get(f"/v1/clients/{INITECH}/feeds/{FEED_GLOBEX}", headers=h)).status_code == 404


@pytest.mark.anyio
async def test_posting_configs(http: httpx2.AsyncClient, h: dict[str, str]) -> None:
    zip_cfg = f"{C}/publishers/ziprecruiter/configs/{CFG_GLOBEX_ZIP}"
    cfg = (await http.get(zip_cfg, headers=h)).json()
    assert cfg["cost"] == 220 and cfg["availableCount"] == 100 and cfg["usedCount"] == 3
    assert cfg["billingType"] == "PREPAID" and cfg["purchaseType"] == "ClientBilled" and cfg["isActive"] is True
    assert cfg["agencyId"] == "ripple"
    listed = (await http.get(C + "/publishers/dice/configs", headers=h)).json()["data"]
    assert [c["id"] for c in listed] == [CFG_GLOBEX_DICE] and listed[0]["usedCount"] == 5
    all_cfgs = (await http.get(C + "/configs?page=0&limit=10", headers=h)).json()["data"]
    assert len(all_cfgs) == 2
    assert (await http.get(C + "/publishers/monster/configs", headers=h)).status_code == 404

    jobs = (await http.get(zip_cfg + "/jobs", headers=h)).json()["data"]
    assert [j["refNumber"] for j in jobs] == ["GLX-00001", "GLX-00002", "GLX-00003"]
    pinned = (await http.get(zip_cfg + "/jobs?isPinned=true", headers=h)).json()["data"]
    assert [j["refNumber"] for j in pinned] == ["GLX-00001"]
    assert (await http.get(zip_cfg + "/jobs?status=P", headers=h)).json()["data"] == []
    assert (await http.get(zip_cfg + "/jobs?status=X", headers=h)).status_code == 400
    assert (await http.get(zip_cfg + "/jobs?isPaused=maybe", headers=h)).status_code == 400
    one = (await http.get(zip_cfg + "/jobs/GLX-00002", headers=h)).json()
    assert one["status"] == "A" and one["isPosted"] is True and one["placement"] == "ziprecruiter"
    assert (await http.get(zip_cfg + "/jobs/GLX-00999", headers=h)).status_code == 404
    posted = (await http.get(C + "/publishers/ziprecruiter/jobs?page=0&limit=10&pinned=false", headers=h)).json()
    assert [j["refNumber"] for j in posted["data"]] == ["GLX-00002", "GLX-00003"]

    r = await http.post(
        f"{C}/configs/{CFG_GLOBEX_ZIP}/jobs", headers=h, json=["GLX-00100", "GLX-00013", "GLX-00001", "NOPE"]
    )
    assert r.json()["message"] == "Create request processed"
    assert r.json()["result"]["added"] == ["GLX-00100"]
    assert [f["reason"] for f in r.json()["result"]["failed"]] == [
        "job is invalid",
        "already in config",
        "job not found",
    ]
    r = await http.post(f"{C}/configs/{CFG_GLOBEX_DICE}/jobs", headers=h, json=["GLX-00200"])
    assert r.json()["result"]["failed"] == [{"refNumber": "GLX-00200", "reason": "no available posting slots"}]

    body = {
        "cost": 500,
        "startDate": "2025-07-01T00:00:00.000Z",
        "endDate": "2025-09-30T00:00:00.000Z",
        "availableCount": 10,
        "rotateFreqInDays": 2,
        "jobDuration": 10,
        "minJobDurationInDays": 2,
    }
    r = await http.post(C + "/publishers/careerbuilder/configs", headers=h, json=body)
    assert r.json()["message"] == "Config created"
    new = f"{C}/publishers/careerbuilder/configs/{r.json()['result']}"
    assert (await http.get(new, headers=h)).json()["isActive"] is False  # starts 07/01
    assert (
        await http.post(C + "/publishers/careerbuilder/configs", headers=h, json={**body, "cost": -1})
    ).status_code == 400
    assert (
        await http.post(C + "/publishers/careerbuilder/configs", headers=h, json={**body, "startDate": "07/01/2025"})
    ).status_code == 400
    r = await http.put(new, headers=h, json={"cost": 750, "availableCount": 20})
    assert r.json() == {"result": True, "message": "Config update processed"}
    assert (await http.get(new, headers=h)).json()["cost"] == 750
    assert (await http.delete(new, headers=h)).json() == {"result": True, "message": "Config update processed"}
    assert (await http.get(new, headers=h)).status_code == 404


# ------------------------------------------------- reports, rules, funnel, s2s, publishers


@pytest.mark.anyio
async def test_reports_and_stream(http: httpx2.AsyncClient, h: dict[str, str], sim: JoveoSimulator) -> None:
    r = await http.post(
        "/v1/reports",
        headers=scoped(h),
        json={"groupBy": "CLIENT", "groupByPublisher": True, "callBackUrl": "https://example.com/cb", "filterBy": {}},
    )
    report = r.json()["reportId"]
    assert r.headers["x-report-id"] == report
    assert (await http.get(f"/v1/reports/{report}", headers=scoped(h))).json()["status"] == "IN_PROGRESS"
    assert (await http.get(f"/v1/reports/{report}", headers=scoped(h))).json() == {
        "reportId": report,
        "status": "SUCCESS",
        "url": f"https://reports.sandbox.joveo.invalid/{report}.csv",
    }
    assert (await http.get(f"/v1/reports/{report}", headers=scoped(h, INITECH))).status_code == 404
    assert (await http.post("/v1/reports", headers=scoped(h), json={"groupBy": "PLANET"})).status_code == 400
    ip = await http.post("/v1/reports/ip", headers=scoped(h), json={"filterBy": {}})
    assert ip.status_code == 200 and "reportId" in ip.json()

    r = await http.post("/v1/stats/stream", headers=scoped(h), json={"groupBy": "CAMPAIGN"})
    assert r.json()["streamNumber"] == 1 and {s["campaignName"] for s in r.json()["stats"]} == {
        "Always-on Drivers",
        "Q3 Warehouse Surge",
    }
    sim.stream_deployed = False
    r = await http.post("/v1/stats/stream", headers=scoped(h), json={"groupBy": "CAMPAIGN"})
    assert r.status_code == 501 and "not deployed" in r.json()["message"]


@pytest.mark.anyio
async def test_rules_funnel_s2s(http: httpx2.AsyncClient, h: dict[str, str], sim: JoveoSimulator) -> None:
    rule = {
        "clientId": GLOBEX,
        "campaignId": CAMP_ALWAYS_ON,
        "jobGroupId": JG_CDL_TEXAS,
        "filterLevel": "jobs",
        "applyToChildren": True,
        "conditions": [],
        "conditionOp": "AND",
        "actionType": "administration",
        "name": "Pause Job",
        "startDate": "05/10/2025",
        "endDate": "05/31/2025",
    }
    r = await http.post("/v1/rules/jobs", headers=scoped(h), json=rule)
    assert r.json()["success"] is True and r.json()["data"]["name"] == "Pause Job"
    assert len(sim.rules) == 1
    assert (
        await http.post("/v1/rules/jobs", headers=scoped(h), json={**rule, "startDate": "31/05/2025"})
    ).status_code == 400
    assert (
        await http.post("/v1/rules/jobs", headers=scoped(h), json={**rule, "conditionOp": "XOR"})
    ).status_code == 400
    assert (await http.post("/v1/rules/jobs", headers=scoped(h, INITECH), json=rule)).status_code == 400

    event = {"jobApplicationId": "app-1", "candidateStatus": "INTERVIEW", "timestamp": "2025-06-14T10:00:00Z"}
    r = await http.post(
        "/v1/funnel/candidate-status", headers=scoped(h), json=[event, {**event, "jobApplicationId": "app-2"}]
    )
    assert r.json()["success"] is True and r.json()["failure"] is False and len(r.json()["value"]) == 36
    assert len(sim.funnel_events) == 2
    assert (await http.post("/v1/funnel/candidate-status", headers=scoped(h), json=event)).status_code == 200
    assert (
        await http.post("/v1/funnel/candidate-status", headers=scoped(h), json={**event, "timestamp": "yesterday"})
    ).status_code == 400
    assert (await http.post("/v1/funnel/candidate-status", headers=h, json=event)).status_code == 400

    s2s = {"clickId": "jclick-123", "a": "3", "jobApplicationId": "app-1"}
    r = await http.post("/s2s/events", headers={**h, "client_id": GLOBEX}, json=s2s)
    assert r.json() == {"statusCode": 200, "body": "Successfully sent s2s conversion event for further processing."}
    await http.post("/s2s/events", headers={**h, "client_id": GLOBEX}, json=s2s)
    assert [e["duplicate"] for e in sim.s2s_events] == [False, True]
    assert (await http.post("/s2s/events", headers=scoped(h), json=s2s)).status_code == 400  # x-client-id is not it
    assert (await http.post("/s2s/events", headers={**h, "client_id": "nope"}, json=s2s)).status_code == 403
    assert (
        await http.post("/s2s/events", headers={**h, "client_id": GLOBEX}, json={**s2s, "a": "4"})
    ).status_code == 400
    assert (await http.post("/s2s/events", headers={"client_id": GLOBEX}, json=s2s)).status_code == 401


@pytest.mark.anyio
async def test_publisher_reports(http: httpx2.AsyncClient, h: dict[str, str]) -> None:
    family = "65a1f0c2b7d94e3a8c5b2d10"
    body = {
        "reportName": "June",
        "period": "THIS_MONTH",
        "clientId": GLOBEX,
        "publisherFamilyId": family,
        "curLocale": "USD",
    }
    r = await http.post(f"/v1/publisher-families/{family}/reports", headers=h, json=body)
    assert r.json()["success"] is True
    report = r.json()["reportId"]
    path = f"/v1/publisher-families/{family}/reports/{report}"
    assert (await http.get(path, headers=h)).json()["status"] == "IN_PROGRESS"
    assert (await http.get(path, headers=h)).json()["status"] == "SUCCESS"
    assert (
        await http.post(f"/v1/publisher-families/{family}/reports", headers=h, json={**body, "period": "LAST_YEAR"})
    ).status_code == 400
    assert (await http.post("/v1/publisher-families/unknown/reports", headers=h, json=body)).status_code == 404
    assert (
        await http.get(f"/v1/publisher-families/65a1f0c2b7d94e3a8c5b2d11/reports/{report}", headers=h)
    ).status_code == 404


@pytest.mark.anyio
async def test_path_scoping(http: httpx2.AsyncClient, h: dict[str, str]) -> None:
    assert (await http.get("/v1/clients/not-a-client/jobs?page=1&limit=5", headers=h)).status_code == 404
    assert (await http.get("/v1/meta", headers=h)).status_code == 400
    assert (await http.get("/v1/meta", headers=scoped(h, "not-a-client"))).status_code == 403
    initech = (await http.get("/v1/meta", headers=scoped(h, INITECH))).json()
    assert [c["name"] for c in initech["campaigns"]] == ["Nurse Hiring 2025"]
    r = await http.get(f"/v1/clients/{INITECH}/jobs?page=1&limit=1000", headers=h)
    assert r.json()["summary"] == 40 and r.json()["data"][0]["refNumber"] == "INH-00000"
