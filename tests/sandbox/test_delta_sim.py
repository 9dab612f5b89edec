"""The Delta Projects simulator over HTTP: apikey auth, every route, create/update rules, statistics."""

from __future__ import annotations

import httpx2
import pytest

from adops_mcp.sandbox import SANDBOX_ORIGIN, Sandbox, SandboxTransport
from adops_mcp.sandbox.deltaprojects import (
    ACT_DISABLED,
    ACT_ENDED,
    ACT_FUTURE,
    ACT_GEO,
    ACT_IMPRESSIONS,
    ACT_LIVE,
    ACT_SPENT,
    CLIENT_DE,
    CLIENT_SE,
    TEMPLATE_GEO,
    TEMPLATE_PLAIN,
    DeltaSimulator,
)

T0 = 1_700_000_000.0  # 2023-11-14T22:13:20Z, so seeded day D = 2023-11-14
KEY = "canary-delta-key-7f3a"
MA = "4732ecae-3bd5-5504-9bbd-fe75e5ab97af"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def make(**kwargs):
    clock = Clock()
    sim = DeltaSimulator(clock=clock, API_KEY=KEY, **kwargs)
    client = httpx2.AsyncClient(
        transport=SandboxTransport(Sandbox([sim])),
        base_url=SANDBOX_ORIGIN + "/deltaprojects",
        params={"apikey": KEY},
    )
    return sim, clock, client


def p(client_id: str = CLIENT_SE) -> str:
    return f"/api/v1/media_agency/{MA}/client/{client_id}/campaign/default"


def create_body(**overrides):
    body = {
        "templateId": TEMPLATE_PLAIN,
        "activityName": "New Activity",
        "flightStart": "2023-12-01T00:00:00Z",
        "flightStop": "2023-12-31T23:59:59.0Z",
        "orderId": "GXK-77123",
        "budget": 1000.0,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.anyio
async def test_apikey_required_everywhere():
    sim, _, client = make()
    async with httpx2.AsyncClient(
        transport=SandboxTransport(Sandbox([sim])), base_url=SANDBOX_ORIGIN + "/deltaprojects"
    ) as bare:
        for path in (f"/api/v1/media_agency/{MA}/client", "/api/v1/activity_templates", p() + f"/activity/{ACT_LIVE}"):
            r = await bare.get(path)
            assert r.status_code == 401 and "message" in r.json()
            r = await bare.get(path, params={"apikey": "wrong"})
            assert r.status_code == 401
            assert KEY not in r.text
        r = await bare.post(p() + "/activity/create_from_template", json=create_body())
        assert r.status_code == 401
    assert sim.created == []
    r = await client.get("/api/v1/activity_templates")
    assert r.status_code == 200


def test_default_credentials():
    sim = DeltaSimulator()
    assert sim.credentials == {"API_KEY": "sandbox-delta-key", "MEDIA_AGENCY_ID": MA}


@pytest.mark.anyio
async def test_clients_and_not_found():
    _, _, client = make()
    r = await client.get(f"/api/v1/media_agency/{MA}/client")
    assert r.json() == [
        {"id": CLIENT_SE, "name": "Nordic Outdoor AB"},
        {"id": CLIENT_DE, "name": "Rheinland Mobil GmbH"},
    ]
    r = await client.get(f"/api/v1/media_agency/{MA}/client/{CLIENT_DE}")
    assert r.json() == {"id": CLIENT_DE, "name": "Rheinland Mobil GmbH", "country": "DE", "currency": "EUR"}
    r = await client.get(f"/api/v1/client/{CLIENT_SE}", params={"fetch": "campaigns.activities"})
    body = r.json()
    assert body["currency"] == "SEK"
    assert body["campaigns"][0]["id"] == "default"
    assert {a["id"] for a in body["campaigns"][0]["activities"]} == {ACT_LIVE, ACT_DISABLED, ACT_FUTURE, ACT_ENDED}
    r = await client.get("/api/v1/media_agency/00000000-0000-0000-0000-000000000000/client")
    assert r.status_code == 404
    r = await client.get(f"/api/v1/client/{ACT_LIVE}")
    assert r.status_code == 404 and r.json()["message"]
    r = await client.get(f"/api/v1/media_agency/{MA}/client/{CLIENT_SE}/campaign/main/activity")
    assert r.status_code == 404
    # An activity of another client is not reachable under this client.
    r = await client.get(p(CLIENT_SE) + f"/activity/{ACT_GEO}")
    assert r.status_code == 404


@pytest.mark.anyio
async def test_activities_and_children():
    sim, _, client = make()
    r = await client.get(p(CLIENT_DE) + "/activity")
    assert [a["id"] for a in r.json()] == [ACT_SPENT, ACT_IMPRESSIONS, ACT_GEO]
    assert set(r.json()[0]) == {"id", "name"}
    r = await client.get(p(CLIENT_DE) + "/activity", params={"fetch": "biddingPlans.creatives"})
    plans = r.json()[0]["biddingPlans"]
    assert [pl["name"] for pl in plans] == ["Prospecting", "Retargeting"]
    assert [c["type"] for c in plans[1]["creatives"]] == ["NATIVE", "VAST"]

    r = await client.get(p() + f"/activity/{ACT_LIVE}")
    assert r.json() == {
        "id": ACT_LIVE,
        "name": "Spring Sale Stockholm",
        "flightStart": "2023-11-04T00:00:00.000+0000",
        "flightStop": "2023-12-04T23:59:59.000+0000",
        "enabled": True,
        "budget": 150000.0,
        "currentTargetSpend": 48250.5,
        "excludeGeo": False,
        "geoDetails": [],
    }
    r = await client.get(p(CLIENT_DE) + f"/activity/{ACT_IMPRESSIONS}")
    assert r.json()["impressionBudget"] == 500000 and r.json()["currentTargetImpressions"] == 123456
    assert "currentTargetSpend" not in r.json()
    r = await client.get(p(CLIENT_DE) + f"/activity/{ACT_SPENT}")
    assert r.json()["currentTargetSpend"] >= r.json()["budget"]
    assert (await client.get(p() + f"/activity/{ACT_DISABLED}")).json()["enabled"] is False
    assert (await client.get(p() + f"/activity/{ACT_FUTURE}")).json()["flightStart"] == "2023-11-28T00:00:00.000+0000"
    assert (await client.get(p() + f"/activity/{ACT_ENDED}")).json()["flightStop"] == "2023-10-15T23:59:59.000+0000"
    r = await client.get(p(CLIENT_DE) + f"/activity/{ACT_GEO}")
    assert r.json()["excludeGeo"] is True and r.json()["geoDetails"] == [{"lat": 52.52, "long": 13.405, "radius": 25}]

    r = await client.get(p() + f"/activity/{ACT_LIVE}/bidding_plan")
    plans = r.json()
    assert [set(pl) for pl in plans] == [{"id", "name"}] * 2
    plan_id = plans[0]["id"]
    assert plan_id == sim.bidding_plans(ACT_LIVE)[0]["id"]
    r = await client.get(p() + f"/activity/{ACT_LIVE}/bidding_plan", params={"fetch": "creatives"})
    assert len(r.json()[0]["creatives"]) == 2
    r = await client.get(p() + f"/activity/{ACT_LIVE}/bidding_plan/{plan_id}")
    assert r.json()["name"] == "Prospecting"
    r = await client.get(p() + f"/activity/{ACT_LIVE}/bidding_plan/{plan_id}/creative")
    creatives = r.json()
    assert [c["type"] for c in creatives] == ["DISPLAY", "DISPLAY"]
    r = await client.get(p() + f"/activity/{ACT_LIVE}/bidding_plan/{plan_id}/creative/{creatives[1]['id']}")
    assert r.json()["width"] == 728
    r = await client.get(p() + f"/activity/{ACT_LIVE}/bidding_plan/{plan_id}/creative/{ACT_LIVE}")
    assert r.status_code == 404
    r = await client.get(p() + f"/activity/{ACT_LIVE}/bidding_plan/{ACT_LIVE}")
    assert r.status_code == 404

    r = await client.get("/api/v1/activity_templates")
    assert {t["id"] for t in r.json()} == {TEMPLATE_GEO, TEMPLATE_PLAIN}


@pytest.mark.anyio
async def test_create_from_template():
    sim, _, client = make()
    r = await client.post(p() + "/activity/create_from_template", json=create_body(enabled=False, targetECPM=2.4))
    assert r.status_code == 201
    location = r.headers["location"]
    new_id = location.rsplit("/", 1)[1]
    assert location == f"/deltaprojects{p()}/activity/{new_id}"
    assert sim.created == [new_id]
    r = await client.get(location.removeprefix("/deltaprojects"))
    body = r.json()
    assert body["name"] == "New Activity" and body["enabled"] is False and body["currentTargetSpend"] == 0.0
    assert body["flightStop"] == "2023-12-31T23:59:59.000+0000"
    ids = [a["id"] for a in (await client.get(p() + "/activity")).json()]
    assert new_id in ids

    # Geo template: geoDetails and excludeGeo accepted; left out -> template presets, excludeGeo false.
    geo = [{"lat": 69, "long": 21, "radius": 100}, {"lat": 67, "long": 19, "radius": 34.5}]
    r = await client.post(
        p() + "/activity/create_from_template",
        json=create_body(templateId=TEMPLATE_GEO, geoDetails=geo, excludeGeo=True, impressionBudget=500000),
    )
    assert r.status_code == 201
    created = (await client.get(r.headers["location"].removeprefix("/deltaprojects"))).json()
    assert created["geoDetails"] == geo and created["excludeGeo"] is True
    assert created["impressionBudget"] == 500000 and created["currentTargetImpressions"] == 0
    r = await client.post(p() + "/activity/create_from_template", json=create_body(templateId=TEMPLATE_GEO))
    created = (await client.get(r.headers["location"].removeprefix("/deltaprojects"))).json()
    assert created["geoDetails"] and created["excludeGeo"] is False
    assert len(set(sim.created)) == 3


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"templateId": None}, "templateId"),
        ({"activityName": None}, "activityName"),
        ({"orderId": None, "budget": None}, "orderId, budget"),
        ({"flightStart": None}, "flightStart"),
        ({"templateId": "nope"}, "templateId"),
        ({"flightStart": "2024-01-01T00:00:00Z"}, "before"),
        ({"flightStop": "next week"}, "flightStop"),
        ({"budget": "1000"}, "budget"),
        ({"budget": -1}, "budget"),
        ({"impressionBudget": 1.5}, "impressionBudget"),
        ({"overrideVariables": {"color": "red"}}, "overrideVariables"),
        ({"enabled": "yes"}, "enabled"),
        ({"geoDetails": [{"lat": 1, "long": 2, "radius": 3}]}, "template"),
        ({"templateId": TEMPLATE_GEO, "geoDetails": [{"lat": 91, "long": 2, "radius": 3}]}, "lat"),
        ({"templateId": TEMPLATE_GEO, "geoDetails": [{"lat": 1, "long": -181, "radius": 3}]}, "long"),
        ({"templateId": TEMPLATE_GEO, "geoDetails": [{"lat": 1, "long": 2, "radius": -3}]}, "radius"),
        ({"templateId": TEMPLATE_GEO, "geoDetails": [{"lat": 1, "long": 2}]}, "radius"),
        ({"templateId": TEMPLATE_GEO, "geoDetails": []}, "geoDetails"),
        ({"templateId": TEMPLATE_GEO, "excludeGeo": True}, "excludeGeo"),
        ({"flightStart2": "x"}, "Unknown"),
    ],
)
@pytest.mark.anyio
async def test_create_validation(overrides, fragment):
    sim, _, client = make()
    r = await client.post(p() + "/activity/create_from_template", json=create_body(**overrides))
    assert r.status_code == 400
    assert fragment in r.json()["message"]
    assert sim.created == []


@pytest.mark.anyio
async def test_create_rejects_non_json_and_wrong_campaign():
    _, _, client = make()
    r = await client.post(p() + "/activity/create_from_template", content=b"budget=1")
    assert r.status_code == 400
    r = await client.post(
        f"/api/v1/media_agency/{MA}/client/{CLIENT_SE}/campaign/c1/activity/create_from_template", json=create_body()
    )
    assert r.status_code == 404


@pytest.mark.anyio
async def test_update_activity_and_exclude_geo_reset():
    sim, _, client = make()
    url = p(CLIENT_DE) + f"/activity/{ACT_GEO}"
    r = await client.post(url, json={"budget": 70000.0, "enabled": False})
    assert r.status_code == 200
    assert r.headers["location"] == f"/deltaprojects{url}"
    body = (await client.get(url)).json()
    assert body["budget"] == 70000.0 and body["enabled"] is False
    # The trap: excludeGeo was not sent, so it silently became false (geo itself is kept).
    assert body["excludeGeo"] is False
    assert body["geoDetails"] == [{"lat": 52.52, "long": 13.405, "radius": 25}]
    # Keeping it needs geoDetails + excludeGeo together.
    r = await client.post(url, json={"geoDetails": body["geoDetails"], "excludeGeo": True, "activityName": "Renamed"})
    assert r.status_code == 200
    body = (await client.get(url)).json()
    assert body["excludeGeo"] is True and body["name"] == "Renamed"
    r = await client.post(url, json={"excludeGeo": True})
    assert r.status_code == 400 and "geoDetails" in r.json()["message"]
    assert sim.activity(ACT_GEO)["excludeGeo"] is True

    r = await client.post(url, json={"flightStop": "2023-12-20T00:00:00Z", "targetECPM": 4.2, "orderId": "GXK-88123"})
    assert r.status_code == 200
    body = (await client.get(url)).json()
    assert body["flightStop"] == "2023-12-20T00:00:00.000+0000"
    assert sim.activity(ACT_GEO)["targetECPM"] == 4.2


@pytest.mark.anyio
async def test_exclude_geo_lenient_knob():
    sim, _, client = make(strict_exclude_geo=False)
    r = await client.post(p(CLIENT_DE) + f"/activity/{ACT_GEO}", json={"excludeGeo": True})
    assert r.status_code == 200
    assert sim.activity(ACT_GEO)["excludeGeo"] is False


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"flightStart": "2023-11-01T00:00:00Z"}, "Unknown"),
        ({"flightStop": "2023-01-01T00:00:00Z"}, "flightStop"),
        ({"geoDetails": [{"lat": 1, "long": 2, "radius": 3}]}, "geo targeting"),
        ({"enabled": 1}, "enabled"),
        ({"budget": None}, "budget"),
    ],
)
@pytest.mark.anyio
async def test_update_validation(body, fragment):
    sim, _, client = make()
    before = dict(sim.activity(ACT_LIVE))
    r = await client.post(p() + f"/activity/{ACT_LIVE}", json=body)
    assert r.status_code == 400 and fragment in r.json()["message"]
    assert sim.activity(ACT_LIVE) == before


@pytest.mark.anyio
async def test_update_deferred_202():
    sim, _, client = make(defer_updates=True)
    url = p() + f"/activity/{ACT_DISABLED}"
    r = await client.post(url, json={"enabled": True})
    assert r.status_code == 202 and r.headers["location"].endswith(ACT_DISABLED)
    assert (await client.get(url)).json()["enabled"] is False
    sim.apply_pending()
    assert (await client.get(url)).json()["enabled"] is True
    assert sim.pending_updates == []
    r = await client.post(p() + "/activity/nope", json={"enabled": True})
    assert r.status_code == 404


@pytest.mark.anyio
async def test_statistics_defaults_and_grouping():
    sim, clock, client = make()
    url = p() + f"/activity/{ACT_LIVE}/statistics"
    r = await client.get(url)
    assert r.status_code == 200
    rows = r.json()
    plans = sim.bidding_plans(ACT_LIVE)
    assert [(row["name"], row["id"]) for row in rows] == [(pl["name"], pl["id"]) for pl in plans]
    entry = rows[0]["entries"][0]
    assert set(entry) == {"bids", "impressions", "viewable_impressions", "clicks", "spend"}
    assert entry["impressions"] > 0 and entry["viewable_impressions"] <= entry["impressions"] <= entry["bids"]
    assert r.json() == (await client.get(url)).json()  # deterministic
    # Days after today have no delivery yet; moving the clock adds them.
    clock.now += 86400
    assert (await client.get(url)).json()[0]["entries"][0]["impressions"] > entry["impressions"]

    r = await client.get(url, params={"group_by": "site", "sort_order": "DESC", "limit": "2"})
    assert [row["name"] for row in r.json()] == ["svd.se", "expressen.se"]
    assert all("id" not in row for row in r.json())
    r = await client.get(url, params={"group_by": "bidding_platform"})
    assert [row["name"] for row in r.json()] == ["Google AdX", "PubMatic", "Xandr"]
    r = await client.get(url, params={"group_by": "format"})
    assert [row["name"] for row in r.json()] == ["1200x627", "300x250", "640x360", "728x90"]


@pytest.mark.anyio
async def test_statistics_by_day_and_interval():
    _, _, client = make()
    url = p() + f"/activity/{ACT_LIVE}/statistics"
    r = await client.get(url, params={"interval": "2023-11-12/2023-11-16", "granularity": "day"})
    entries = r.json()[0]["entries"]
    assert [e["date"] for e in entries] == ["2023-11-12", "2023-11-13", "2023-11-14", "2023-11-15", "2023-11-16"]
    assert [e["impressions"] > 0 for e in entries] == [True, True, True, False, False]
    r = await client.get(url, params={"interval": "2023-11-12/2023-11-16", "granularity": "day", "sort_order": "DESC"})
    assert r.json()[0]["entries"][0]["date"] == "2023-11-16"
    total = (await client.get(url, params={"interval": "2023-11-12/2023-11-16"})).json()[0]["entries"]
    assert len(total) == 1 and total[0]["impressions"] == sum(e["impressions"] for e in entries)
    r = await client.get(p() + f"/activity/{ACT_FUTURE}/statistics")
    assert r.json()[0]["entries"][0]["impressions"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {"interval": "2023-11-12"},
        {"interval": "2023-11-16/2023-11-12"},
        {"interval": "2023-13-01/2023-13-02"},
        {"group_by": "creative"},
        {"granularity": "week"},
        {"sort_order": "asc"},
        {"limit": "0"},
        {"limit": "ten"},
    ],
)
@pytest.mark.anyio
async def test_statistics_validation(params):
    _, _, client = make()
    r = await client.get(p() + f"/activity/{ACT_LIVE}/statistics", params=params)
    assert r.status_code == 400 and r.json()["message"]
