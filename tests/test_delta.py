"""Delta Projects tools through the MCP client against the sandbox: requests, validation, excludeGeo, statuses,
guard."""

from __future__ import annotations

import logging

import pytest

from adops_mcp.sandbox import Sandbox
from adops_mcp.sandbox.deltaprojects import (
    ACT_DISABLED,
    ACT_GEO,
    ACT_LIVE,
    CLIENT_DE,
    CLIENT_SE,
    TEMPLATE_GEO,
    TEMPLATE_PLAIN,
    DeltaSimulator,
)
from tests.harness import answer, connect

pytestmark = pytest.mark.anyio

MA = "4732ecae-3bd5-5504-9bbd-fe75e5ab97af"
P = f"/api/v1/media_agency/{MA}/client/{CLIENT_SE}/campaign/default"
PLAN_ID = "49ca3088-86dd-55cb-9e82-76f5d85682b2"  # first bidding plan of ACT_LIVE (uuid5, stable)
NEW = {
    "client_id": CLIENT_SE,
    "template_id": TEMPLATE_PLAIN,
    "activity_name": "Autumn Push",
    "flight_start": "2030-01-01T00:00:00Z",
    "flight_stop": "2030-02-01T00:00:00Z",
    "order_id": "PO-77",
    "budget": 5000,
}


def vendor_writes(h) -> list:
    return [r for r in h.requests("deltaprojects") if r.method != "GET"]


@pytest.mark.parametrize(
    ("tool", "args", "path", "query"),
    [
        ("delta_list_clients", {}, f"/api/v1/media_agency/{MA}/client", {}),
        ("delta_get_client", {"client_id": CLIENT_SE}, f"/api/v1/media_agency/{MA}/client/{CLIENT_SE}", {}),
        (
            "delta_list_activities",
            {"client_id": CLIENT_SE, "fetch": "biddingPlans"},
            f"{P}/activity",
            {"fetch": "biddingPlans"},
        ),
        ("delta_get_activity", {"client_id": CLIENT_SE, "activity_id": ACT_LIVE}, f"{P}/activity/{ACT_LIVE}", {}),
        ("delta_list_activity_templates", {}, "/api/v1/activity_templates", {}),
        (
            "delta_list_bidding_plans",
            {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "include_creatives": True},
            f"{P}/activity/{ACT_LIVE}/bidding_plan",
            {"fetch": "creatives"},
        ),
        (
            "delta_get_bidding_plan",
            {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "bidding_plan_id": PLAN_ID},
            f"{P}/activity/{ACT_LIVE}/bidding_plan/{PLAN_ID}",
            {},
        ),
        (
            "delta_list_creatives",
            {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "bidding_plan_id": PLAN_ID},
            f"{P}/activity/{ACT_LIVE}/bidding_plan/{PLAN_ID}/creative",
            {},
        ),
        (
            "delta_get_activity_statistics",
            {
                "client_id": CLIENT_SE,
                "activity_id": ACT_LIVE,
                "start_date": "2026-01-01",
                "end_date": "2026-01-31",
                "group_by": "site",
                "granularity": "day",
                "sort_order": "DESC",
                "limit": 2,
            },
            f"{P}/activity/{ACT_LIVE}/statistics",
            {
                "interval": "2026-01-01/2026-01-31",
                "group_by": "site",
                "granularity": "day",
                "sort_order": "DESC",
                "limit": "2",
            },
        ),
    ],
)
async def test_reads_send_the_documented_request(mode, tool, args, path, query) -> None:
    async with connect(mode=mode) as h:
        await h.ok(tool, args)
        (request,) = h.requests("deltaprojects")
        assert (request.method, request.path) == ("GET", path)
        assert request.query.pop("apikey") == "sandbox-delta-key"
        assert request.query.get("group_by", "bidding_plan") == query.get("group_by", "bidding_plan")
        defaults = {"group_by": "bidding_plan", "granularity": "none", "sort_order": "ASC"}
        assert {k: v for k, v in request.query.items() if defaults.get(k) != v} == query


async def test_get_creative_and_resource_twin() -> None:
    async with connect() as h:
        sim = h.sandbox["deltaprojects"]
        plan = sim.bidding_plans(ACT_LIVE)[0]
        creative = await h.ok(
            "delta_get_creative",
            {
                "client_id": CLIENT_SE,
                "activity_id": ACT_LIVE,
                "bidding_plan_id": plan["id"],
                "creative_id": plan["creatives"][0]["id"],
            },
        )
        assert creative["type"] == "DISPLAY"
        result = await h.client.read_resource(f"delta://clients/{CLIENT_SE}/activities/{ACT_LIVE}")
        assert '"Spring Sale Stockholm"' in result.contents[0].text


async def test_media_agency_is_the_configured_one_and_clear_404() -> None:
    async with connect() as h:
        # The operator configured a media agency: a model-chosen other one is refused, with nothing sent.
        other = "11111111-2222-3333-4444-555555555555"
        text = await h.error("delta_list_clients", {"media_agency_id": other})
        assert "not the one this server is configured for" in text and "ADOPS_DELTA_MEDIA_AGENCY_ID" in text
        assert h.requests("deltaprojects") == []
        configured = h.built.runtime.settings.vendors["deltaprojects"].media_agency_id
        await h.ok("delta_list_clients", {"media_agency_id": configured})
        text = await h.error("delta_get_activity", {"client_id": CLIENT_SE, "activity_id": ACT_GEO})
        assert "404" in text


async def test_create_disabled_sends_documented_body_and_parses_location(mode) -> None:
    async with connect(mode=mode, elicitation=answer("accept")) as h:
        done = await h.ok("delta_create_activity", {**NEW, "override_variables": {"color": "red"}})
        assert done["status"] == "done"
        (post,) = vendor_writes(h)
        assert post.path == f"{P}/activity/create_from_template" and post.query == {"apikey": "sandbox-delta-key"}
        assert post.headers["content-type"] == "application/json"
        assert post.json() == {
            "templateId": TEMPLATE_PLAIN,
            "activityName": "Autumn Push",
            "flightStart": "2030-01-01T00:00:00Z",
            "flightStop": "2030-02-01T00:00:00Z",
            "orderId": "PO-77",
            "budget": 5000.0,
            "overrideVariables": '{"color": "red"}',
            "enabled": False,
        }
        sim = h.sandbox["deltaprojects"]
        assert done["result"]["activity_id"] == sim.created[0]
        assert done["result"]["location"].endswith("/" + sim.created[0])
        assert sim.activity(sim.created[0])["enabled"] is False


async def test_create_enabled_is_guarded(mode) -> None:
    async with connect(mode=mode) as h:
        first = await h.ok("delta_create_activity", {**NEW, "enabled": True})
        assert first["status"] == "confirmation_required" and vendor_writes(h) == []
        assert "ENABLED" in first["plan"] and "Display - national" in first["plan"] and "SEK" in first["plan"]
        done = await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})
        new_id = done["result"]["activity_id"]
        assert h.sandbox["deltaprojects"].activity(new_id)["enabled"] is True
        await h.error("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert len(vendor_writes(h)) == 1


async def test_create_with_geo_on_geo_template() -> None:
    async with connect(elicitation=answer("accept")) as h:
        geo = [{"lat": 59.33, "long": 18.07, "radius": 10}]
        done = await h.ok(
            "delta_create_activity", {**NEW, "template_id": TEMPLATE_GEO, "geo_details": geo, "exclude_geo": True}
        )
        activity = h.sandbox["deltaprojects"].activity(done["result"]["activity_id"])
        assert activity["excludeGeo"] is True and activity["geoDetails"] == geo


@pytest.mark.parametrize(
    "change",
    [
        {"flight_start": "2030-03-01T00:00:00Z"},  # after the stop
        {"flight_stop": "2030-01-01T00:00:00Z"},  # equal to the start
        {"flight_start": "next tuesday"},
        {"geo_details": [{"lat": 91, "long": 0, "radius": 1}]},
        {"geo_details": [{"lat": 0, "long": -181, "radius": 1}]},
        {"geo_details": [{"lat": 0, "long": 0, "radius": -1}]},
        {"geo_details": []},
        {"exclude_geo": True},  # without geo_details
        {"budget": -1},
        {"order_id": None},
        {"apikey": "x"},  # unknown argument
    ],
)
async def test_create_validation_sends_nothing(change) -> None:
    async with connect(elicitation=answer("accept")) as h:
        args = {k: v for k, v in {**NEW, **change}.items() if v is not None}
        await h.error("delta_create_activity", args)
        assert h.requests("deltaprojects") == []


async def test_update_budget_plan_shows_old_and_new_then_applies(mode) -> None:
    async with connect(mode=mode) as h:
        first = await h.ok("delta_update_activity", {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "budget": 200000})
        assert first["status"] == "confirmation_required" and vendor_writes(h) == []
        assert "budget: 150,000.00 SEK -> 200,000.00 SEK" in first["plan"] and "changes spend" in first["plan"]
        done = await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})
        (post,) = vendor_writes(h)
        assert post.path == f"{P}/activity/{ACT_LIVE}" and post.json() == {"budget": 200000.0}
        assert done["result"]["applied"] is True and done["result"]["after"]["budget"] == 200000.0
        assert h.sandbox["deltaprojects"].activity(ACT_LIVE)["budget"] == 200000.0


async def test_update_preserves_exclude_geo(mode) -> None:
    async with connect(mode=mode, elicitation=answer("accept")) as h:
        sim = h.sandbox["deltaprojects"]
        geo = sim.activity(ACT_GEO)["geoDetails"]
        done = await h.ok("delta_update_activity", {"client_id": CLIENT_DE, "activity_id": ACT_GEO, "enabled": False})
        assert done["status"] == "done"
        (post,) = vendor_writes(h)
        assert post.json() == {"enabled": False, "excludeGeo": True, "geoDetails": geo}
        assert sim.activity(ACT_GEO)["excludeGeo"] is True and sim.activity(ACT_GEO)["enabled"] is False


async def test_update_exclude_geo_changed_on_purpose_and_shown() -> None:
    async with connect() as h:
        first = await h.ok(
            "delta_update_activity", {"client_id": CLIENT_DE, "activity_id": ACT_GEO, "exclude_geo": False}
        )
        assert "excludeGeo: true -> false" in first["plan"]
        await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})
        (post,) = vendor_writes(h)
        assert post.json()["excludeGeo"] is False and "geoDetails" in post.json()
        assert h.sandbox["deltaprojects"].activity(ACT_GEO)["excludeGeo"] is False


@pytest.mark.parametrize(
    "change",
    [
        {},  # nothing to update
        {"geo_details": [{"lat": 1, "long": 1, "radius": 1}]},  # the activity has no geo targeting
        {"exclude_geo": True},  # likewise
        {"flight_stop": "2000-01-01T00:00:00Z"},  # before the flight start
        {"target_ecpm": -1},
    ],
)
async def test_update_refusals_send_nothing(change) -> None:
    seen: list[str] = []
    async with connect(elicitation=answer("accept", True, seen)) as h:
        await h.error("delta_update_activity", {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, **change})
        assert vendor_writes(h) == [] and seen == []


@pytest.mark.parametrize(("action", "confirm"), [("decline", None), ("cancel", None), ("accept", False)])
async def test_update_elicitation_refusal_sends_nothing(mode, action, confirm) -> None:
    async with connect(mode=mode, elicitation=answer(action, confirm)) as h:
        result = await h.ok(
            "delta_update_activity", {"client_id": CLIENT_SE, "activity_id": ACT_DISABLED, "enabled": True}
        )
        assert result["status"] == "declined" and vendor_writes(h) == []


async def test_update_202_accepted_not_applied() -> None:
    async with connect(sandbox=Sandbox([DeltaSimulator(defer_updates=True)]), elicitation=answer("accept")) as h:
        done = await h.ok("delta_update_activity", {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "budget": 1})
        result = done["result"]
        assert result["http_status"] == 202 and result["applied"] is False
        assert "NOT applied it yet (202)" in result["summary"]
        assert h.sandbox["deltaprojects"].activity(ACT_LIVE)["budget"] == 150000.0


async def test_vendor_400_401_and_5xx() -> None:
    async with connect(elicitation=answer("accept")) as h:
        text = await h.error("delta_create_activity", {**NEW, "template_id": "99999999-0000-0000-0000-000000000000"})
        assert "400" in text and "Unknown templateId" in text
        h.sandbox.faults.add(status=503, vendor="deltaprojects", method="POST")
        text = await h.error("delta_update_activity", {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "budget": 9})
        assert "503" in text and "may or may not have been applied" in text
        h.sandbox["deltaprojects"].credentials["API_KEY"] = "rotated"
        text = await h.error("delta_list_clients", {})
        assert "401" in text and "ADOPS_DELTA_API_KEY" in text


async def test_no_apikey_in_any_output_or_log(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    canary = "canary-delta-key-5c1e77"
    outputs: list[str] = []
    async with connect(sandbox=Sandbox([DeltaSimulator(API_KEY=canary)]), elicitation=answer("accept")) as h:
        outputs.append(str(await h.ok("delta_list_clients", {})))
        outputs.append(str(await h.ok("delta_create_activity", NEW)))
        outputs.append(
            str(await h.ok("delta_update_activity", {"client_id": CLIENT_DE, "activity_id": ACT_GEO, "budget": 1}))
        )
        outputs.append(await h.error("delta_get_activity", {"client_id": CLIENT_SE, "activity_id": ACT_GEO}))
        h.sandbox.faults.add(status=0, vendor="deltaprojects", times=10)
        outputs.append(await h.error("delta_list_clients", {}))
        outputs.append(str(await h.ok("adops_audit_log", {})))
        assert h.requests("deltaprojects")[0].query["apikey"] == canary  # it was really sent
    assert canary not in "\n".join(outputs) + caplog.text
