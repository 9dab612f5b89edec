"""Joveo tools through the MCP client against the sandbox: the documented requests (V2-V60), the token
lifecycle, client scoping, paging bounds, the guard on every destructive tool, and refusals."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import anyio
import pytest

from adops_mcp.catalogue import catalogue
from adops_mcp.sandbox.joveo import (
    CAMP_ALWAYS_ON,
    CAMP_Q3_SURGE,
    CAMP_STORES,
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
)
from adops_mcp.tools.joveo.operations import OPERATIONS
from tests.harness import answer, connect

pytestmark = pytest.mark.anyio

C = f"/v1/clients/{GLOBEX}"
CAMP = f"{C}/campaigns/{CAMP_ALWAYS_ON}"
JG = f"{CAMP}/jobgroups/{JG_CDL_TEXAS}"
CFG = f"{C}/publishers/ziprecruiter/configs/{CFG_GLOBEX_ZIP}"
TODAY = date.today()
WEEK_AGO = (TODAY - timedelta(days=7)).isoformat()
MDY_WEEK_AGO = (TODAY - timedelta(days=7)).strftime("%m/%d/%Y")
IDS = {"client_id": GLOBEX}
CAMP_IDS = {**IDS, "campaign_id": CAMP_ALWAYS_ON}
JG_IDS = {**CAMP_IDS, "jobgroup_id": JG_CDL_TEXAS}
CFG_IDS = {**IDS, "publisher_id": "ziprecruiter", "config_id": CFG_GLOBEX_ZIP}
JOB_ID_1 = "placeholder"  # filled from the simulator in the test

# name -> (V#, arguments, method, path, scoping, expected body (subset) or None, expected query (subset))
# scoping: "path" (client id in the path), "x-client-id", "client_id" (header) or "query".
TABLE: dict[str, tuple[str, dict[str, Any], str, str, str, Any, dict[str, str]]] = {
    "joveo_create_client": (
        "V2",
        {
            "company_name": "Acme Freight",
            "time_zone": "UTC-05:00",
            "start_date": "2025-03-01",
            "end_date": "2026-02-28",
            "caps": {"budget": {"monthly": 100}},
        },
        "POST",
        "/v1/clients",
        "none",
        {
            "companyName": "Acme Freight",
            "timeZone": "UTC-05:00",
            "startDate": "03/01/2025",
            "endDate": "02/28/2026",
            "caps": {"budget": {"monthly": 100}},
        },
        {},
    ),
    "joveo_list_clients": (
        "V3",
        {"page": 1, "limit": 2},
        "GET",
        "/v1/clients",
        "none",
        None,
        {"page": "0", "limit": "2"},
    ),
    "joveo_update_client": (
        "V4",
        {**IDS, "budget": {"monthly": 30000}},
        "PUT",
        C,
        "path",
        {"budget": {"monthly": 30000}},
        {},
    ),
    "joveo_get_client": ("V5", IDS, "GET", C, "path", None, {}),
    "joveo_delete_client": ("V6", IDS, "DELETE", C, "path", None, {}),
    "joveo_get_client_status": ("V7", IDS, "GET", C + "/status", "path", None, {}),
    "joveo_get_cif_mappings": ("V8", IDS, "GET", C + "/cif-mappings", "path", None, {}),
    "joveo_pause_client": ("V9", IDS, "POST", C + "/pause", "path", None, {}),
    "joveo_enable_client": ("V10", {"client_id": UMBRELLA}, "POST", f"/v1/clients/{UMBRELLA}/enable", "path", None, {}),
    "joveo_add_job": (
        "V11",
        {
            **IDS,
            "ref_number": "GLX-NEW-1",
            "title": "Dock Worker",
            "url": "https://x.example/j/1",
            "city": "Dallas",
            "country": "US",
            "zip": "75201",
            "published_date": "2025-06-01T10:00:00Z",
            "job_type": "FULL_TIME",
        },
        "POST",
        C + "/jobs",
        "path",
        {
            "refNumber": "GLX-NEW-1",
            "title": "Dock Worker",
            "zip": "75201",
            "publishedDate": "2025-06-01T10:00:00.000Z",
            "jobType": "FULL_TIME",
        },
        {},
    ),
    "joveo_list_jobs": (
        "V12",
        {**IDS, "page": 3, "limit": 20},
        "GET",
        C + "/jobs",
        "path",
        None,
        {"page": "3", "limit": "20"},
    ),
    "joveo_get_job": ("V13", {**IDS, "job_reference": "GLX-00001"}, "GET", C + "/jobs/GLX-00001", "path", None, {}),
    "joveo_delete_job": (
        "V14",
        {**IDS, "job_reference": "GLX-00001"},
        "DELETE",
        C + "/jobs/GLX-00001",
        "path",
        None,
        {},
    ),
    "joveo_update_job": (
        "V15",
        {**IDS, "job_reference": "GLX-00001", "title": "CDL-A Driver (Night)"},
        "PUT",
        C + "/jobs/GLX-00001",
        "path",
        {"title": "CDL-A Driver (Night)"},
        {},
    ),
    "joveo_pause_job": (
        "V16",
        {**IDS, "job_reference": "GLX-00001"},
        "POST",
        C + "/jobs/GLX-00001/pause",
        "path",
        None,
        {},
    ),
    "joveo_enable_job": (
        "V17",
        {**IDS, "job_reference": "GLX-00007"},
        "POST",
        C + "/jobs/GLX-00007/enable",
        "path",
        None,
        {},
    ),
    "joveo_get_jobs_bulk": (
        "V18",
        {**IDS, "job_ids": ["JOBID1"]},
        "POST",
        "/v1/jobs/bulk",
        "query",
        ["JOBID1"],
        {"client_id": GLOBEX},
    ),
    "joveo_create_campaign": (
        "V19",
        {
            **IDS,
            "name": "Fall Drivers",
            "start_date": "2025-09-01",
            "end_date": "2025-12-31",
            "caps": {"budget": {"monthly": 500}},
        },
        "POST",
        C + "/campaigns",
        "path",
        {
            "name": "Fall Drivers",
            "startDate": "09/01/2025",
            "endDate": "12/31/2025",
            "caps": {"budget": {"monthly": 500}},
        },
        {},
    ),
    "joveo_list_campaigns": (
        "V20",
        {**IDS, "limit": 10},
        "GET",
        C + "/campaigns",
        "path",
        None,
        {"page": "0", "limit": "10"},
    ),
    "joveo_get_campaign": ("V21", CAMP_IDS, "GET", CAMP, "path", None, {}),
    "joveo_delete_campaign": ("V22", CAMP_IDS, "DELETE", CAMP, "path", None, {}),
    "joveo_update_campaign": (
        "V23",
        {**CAMP_IDS, "caps": {"budget": {"monthly": 12000}}},
        "PUT",
        CAMP,
        "path",
        {"caps": {"budget": {"monthly": 12000}}},
        {},
    ),
    "joveo_pause_campaign": ("V24", CAMP_IDS, "POST", CAMP + "/pause", "path", None, {}),
    "joveo_enable_campaign": (
        "V25",
        {**IDS, "campaign_id": CAMP_Q3_SURGE},
        "POST",
        f"{C}/campaigns/{CAMP_Q3_SURGE}/enable",
        "path",
        None,
        {},
    ),
    "joveo_create_jobgroup": (
        "V26",
        {
            **CAMP_IDS,
            "name": "Reefer Drivers",
            "start_date": "2025-07-01",
            "end_date": "2026-06-30",
            "cpc_bid": 0.5,
            "cpa_bid": 14.0,
            "filters": {"rules": []},
            "placements": [{"placementId": "dice"}],
        },
        "POST",
        CAMP + "/jobgroups",
        "path",
        {
            "name": "Reefer Drivers",
            "startDate": "07/01/2025",
            "endDate": "06/30/2026",
            "cpcBid": 0.5,
            "cpaBid": 14.0,
            "filters": {"rules": []},
            "placements": [{"placementId": "dice"}],
        },
        {},
    ),
    "joveo_list_campaign_jobgroups": (
        "V27",
        {**CAMP_IDS, "page": 1, "limit": 5},
        "GET",
        CAMP + "/jobgroups",
        "path",
        None,
        {"page": "0", "limit": "5"},
    ),
    "joveo_list_client_jobgroups": ("V28", IDS, "GET", C + "/jobgroups", "path", None, {"page": "0", "limit": "50"}),
    "joveo_get_jobgroup": ("V29", JG_IDS, "GET", JG, "path", None, {}),
    "joveo_delete_jobgroup": ("V30", JG_IDS, "DELETE", JG, "path", None, {}),
    "joveo_update_jobgroup": ("V31", {**JG_IDS, "cpa_bid": 13.0}, "PUT", JG, "path", {"cpaBid": 13.0}, {}),
    "joveo_pause_jobgroup": ("V32", JG_IDS, "POST", JG + "/pause", "path", None, {}),
    "joveo_enable_jobgroup": (
        "V33",
        {**IDS, "campaign_id": CAMP_ALWAYS_ON, "jobgroup_id": JG_OWNER_OPS},
        "POST",
        f"{CAMP}/jobgroups/{JG_OWNER_OPS}/enable",
        "path",
        None,
        {},
    ),
    "joveo_create_feed": (
        "V34",
        {**IDS, "xml_feed_url": "https://feeds.example.com/new.xml", "schema_mappings": {"title": "jobtitle"}},
        "POST",
        C + "/feeds",
        "path",
        {"xmlFeedUrl": "https://feeds.example.com/new.xml", "schemaMappings": {"title": "jobtitle"}},
        {},
    ),
    "joveo_list_feeds": ("V35", IDS, "GET", C + "/feeds", "path", None, {"page": "0", "limit": "50"}),
    "joveo_get_feed": ("V36", {**IDS, "feed_id": FEED_GLOBEX}, "GET", f"{C}/feeds/{FEED_GLOBEX}", "path", None, {}),
    "joveo_delete_feed": (
        "V37",
        {**IDS, "feed_id": FEED_GLOBEX},
        "DELETE",
        f"{C}/feeds/{FEED_GLOBEX}",
        "path",
        None,
        {},
    ),
    "joveo_update_feed": (
        "V38",
        {**IDS, "feed_id": FEED_GLOBEX, "xml_feed_url": "https://feeds.example.com/v2.xml"},
        "PUT",
        f"{C}/feeds/{FEED_GLOBEX}",
        "path",
        {"xmlFeedUrl": "https://feeds.example.com/v2.xml"},
        {},
    ),
    "joveo_list_publisher_jobs": (
        "V39",
        {**IDS, "publisher_id": "ziprecruiter", "pinned": True},
        "GET",
        f"{C}/publishers/ziprecruiter/jobs",
        "path",
        None,
        {"page": "0", "limit": "50", "pinned": "true"},
    ),
    "joveo_add_jobs_to_posting_config": (
        "V40",
        {**IDS, "config_id": CFG_GLOBEX_ZIP, "job_references": ["GLX-00010"]},
        "POST",
        f"{C}/configs/{CFG_GLOBEX_ZIP}/jobs",
        "path",
        ["GLX-00010"],
        {},
    ),
    "joveo_create_posting_config": (
        "V41",
        {
            **IDS,
            "publisher_id": "careerbuilder",
            "cost": 150,
            "start_date": "2025-07-01",
            "end_date": "2025-12-31T00:00:00Z",
            "available_count": 10,
        },
        "POST",
        f"{C}/publishers/careerbuilder/configs",
        "path",
        {
            "cost": 150.0,
            "startDate": "2025-07-01T00:00:00.000Z",
            "endDate": "2025-12-31T00:00:00.000Z",
            "availableCount": 10,
            "dateFormat": "yyyy-MM-dd'T'HH:mm:ssZ",
        },
        {},
    ),
    "joveo_list_publisher_posting_configs": (
        "V42",
        {**IDS, "publisher_id": "ziprecruiter"},
        "GET",
        f"{C}/publishers/ziprecruiter/configs",
        "path",
        None,
        {},
    ),
    "joveo_update_posting_config": (
        "V43",
        {**CFG_IDS, "cost": 250, "available_count": 120},
        "PUT",
        CFG,
        "path",
        {"cost": 250.0, "availableCount": 120},
        {},
    ),
    "joveo_get_posting_config": ("V44", CFG_IDS, "GET", CFG, "path", None, {}),
    "joveo_delete_posting_config": ("V45", CFG_IDS, "DELETE", CFG, "path", None, {}),
    "joveo_list_posting_config_jobs": (
        "V46",
        {**CFG_IDS, "is_pinned": True, "status": "A"},
        "GET",
        CFG + "/jobs",
        "path",
        None,
        {"isPinned": "true", "status": "A"},
    ),
    "joveo_get_posting_config_job": (
        "V47",
        {**CFG_IDS, "job_reference": "GLX-00001"},
        "GET",
        CFG + "/jobs/GLX-00001",
        "path",
        None,
        {},
    ),
    "joveo_list_posting_configs": ("V48", IDS, "GET", C + "/configs", "path", None, {"page": "0", "limit": "50"}),
    "joveo_submit_stats_report": (
        "V49",
        {**IDS, "start_date": WEEK_AGO, "primary_level": "CAMPAIGN", "secondary_level": "JOBGROUP"},
        "POST",
        "/v1/stats/reports",
        "x-client-id",
        {
            "filters": {"startDate": MDY_WEEK_AGO, "endDate": TODAY.strftime("%m/%d/%Y")},
            "aggregationLevel": {"primaryLevel": "CAMPAIGN", "secondaryLevel": "JOBGROUP"},
        },
        {},
    ),
    "joveo_get_stats_report_status": (
        "V50",
        {**IDS, "task_id": "TASK"},
        "GET",
        "/v1/stats/reports/TASK/status",
        "x-client-id",
        None,
        {},
    ),
    "joveo_stream_stats": (
        "V51",
        {**IDS, "group_by": "CAMPAIGN", "group_by_publisher": False, "start_date": WEEK_AGO},
        "POST",
        "/v1/stats/stream",
        "x-client-id",
        {"groupBy": "CAMPAIGN", "groupByPublisher": False, "filterBy": {"startDate": MDY_WEEK_AGO}},
        {},
    ),
    "joveo_get_metadata": ("V52", IDS, "GET", "/v1/meta", "x-client-id", None, {}),
    "joveo_apply_job_rules": (
        "V53",
        {
            **IDS,
            "name": "Pause Job",
            "campaign_id": CAMP_ALWAYS_ON,
            "filter_level": "jobs",
            "condition_op": "AND",
            "action_type": "administration",
            "start_date": "2025-05-10",
            "end_date": "2025-05-31",
            "admin_actions": {"pause": True},
        },
        "POST",
        "/v1/rules/jobs",
        "x-client-id",
        {
            "clientId": GLOBEX,
            "name": "Pause Job",
            "campaignId": CAMP_ALWAYS_ON,
            "filterLevel": "jobs",
            "conditionOp": "AND",
            "startDate": "05/10/2025",
            "endDate": "05/31/2025",
            "adminActions": {"pause": True},
        },
        {},
    ),
    "joveo_generate_stats_report": (
        "V54",
        {**IDS, "group_by": "CLIENT", "call_back_url": "https://cb.example/r"},
        "POST",
        "/v1/reports",
        "x-client-id",
        {"groupBy": "CLIENT", "callBackUrl": "https://cb.example/r"},
        {},
    ),
    "joveo_generate_ip_report": (
        "V55",
        {**IDS, "filter_by": {"campaignIds": [CAMP_ALWAYS_ON]}},
        "POST",
        "/v1/reports/ip",
        "x-client-id",
        {"filterBy": {"campaignIds": [CAMP_ALWAYS_ON]}},
        {},
    ),
    "joveo_get_report": ("V56", {**IDS, "report_id": "REPORT"}, "GET", "/v1/reports/REPORT", "x-client-id", None, {}),
    "joveo_update_candidate_status": (
        "V57",
        {
            **IDS,
            "statuses": [
                {"job_application_id": "app-1", "candidate_status": "Interview", "timestamp": "2025-06-01T10:00:00Z"}
            ],
        },
        "POST",
        "/v1/funnel/candidate-status",
        "x-client-id",
        [{"jobApplicationId": "app-1", "candidateStatus": "Interview", "timestamp": "2025-06-01T10:00:00Z"}],
        {},
    ),
    "joveo_send_s2s_event": (
        "V58",
        {**IDS, "click_id": "clk-1", "event": "APPLY", "job_application_id": "app-9"},
        "POST",
        "/s2s/events",
        "client_id",
        {"clickId": "clk-1", "a": "3", "jobApplicationId": "app-9"},
        {},
    ),
    "joveo_request_publisher_report": (
        "V59",
        {
            "publisher_family_id": "65a1f0c2b7d94e3a8c5b2d10",
            "period": "LAST_30_DAYS",
            "client_id": GLOBEX,
            "cur_locale": "USD",
        },
        "POST",
        "/v1/publisher-families/65a1f0c2b7d94e3a8c5b2d10/reports",
        "none",
        {
            "period": "LAST_30_DAYS",
            "clientId": GLOBEX,
            "curLocale": "USD",
            "publisherFamilyId": "65a1f0c2b7d94e3a8c5b2d10",
        },
        {},
    ),
    "joveo_get_publisher_report": (
        "V60",
        {"publisher_family_id": "65a1f0c2b7d94e3a8c5b2d10", "report_id": "PR"},
        "GET",
        "/v1/publisher-families/65a1f0c2b7d94e3a8c5b2d10/reports/PR",
        "none",
        None,
        {},
    ),
}

OPS = {o.name: o for o in OPERATIONS}
DESTRUCTIVE = sorted(n for n, o in OPS.items() if o.effect == "destructive")


def test_table_covers_v2_to_v60_once() -> None:
    numbers = sorted(int(v[0][1:]) for v in TABLE.values())
    assert numbers == list(range(2, 61))
    assert set(TABLE) <= set(OPS)
    extra = set(OPS) - set(TABLE)
    assert extra == {"joveo_wait_for_stats_report", "joveo_get_jobgroup_status", "joveo_diagnose_jobgroup"}
    for name, (_, _, method, _path, *_rest) in TABLE.items():
        assert OPS[name].method == method, name


def test_catalogue_lists_every_joveo_tool_with_method_path_effect() -> None:
    entries = {e["name"]: e for e in catalogue() if e["vendor"] == "joveo"}
    assert len(entries) == 62
    for name in TABLE:
        assert entries[name]["method"] and entries[name]["path"] and entries[name]["effect"], name
    toolsets = {e["toolset"] for e in entries.values()}
    assert toolsets == {
        "joveo_clients",
        "joveo_jobs",
        "joveo_campaigns",
        "joveo_jobgroups",
        "joveo_feeds",
        "joveo_postings",
        "joveo_stats",
        "joveo_tracking",
    }
    assert 1 <= sum(e["default"] for e in entries.values()) <= 12
    for name in ("joveo_stream_stats", "joveo_apply_job_rules", "joveo_generate_stats_report"):
        assert "Work in progress" in entries[name]["description"]
    assert "mislabels" in entries["joveo_add_jobs_to_posting_config"]["description"]
    assert not any("token" in e["description"].lower() for e in entries.values() if "jobs_bulk" not in e["name"])


def _fill(value: Any, job_id: str) -> Any:
    return json.loads(json.dumps(value).replace("JOBID1", job_id))


@pytest.mark.parametrize("name", sorted(TABLE))
async def test_documented_request(name: str) -> None:
    _number, args, method, path, scoping, body, query = TABLE[name]
    async with connect(elicitation=answer("accept")) as h:
        sim = h.sandbox["joveo"]
        job_id = sim.job_id(GLOBEX, "GLX-00001")
        args, body = _fill(args, job_id), _fill(body, job_id)
        if name == "joveo_get_stats_report_status":
            task = (await h.ok("joveo_submit_stats_report", IDS))["result"]
            args, path = {**args, "task_id": task["task_id"]}, path.replace("TASK", task["task_id"])
        if name == "joveo_get_report":
            report = (await h.ok("joveo_generate_ip_report", IDS))["result"]
            rid = report["reportId"]
            args, path = {**args, "report_id": rid}, path.replace("REPORT", rid)
        if name == "joveo_get_publisher_report":
            report = (
                await h.ok(
                    "joveo_request_publisher_report",
                    {"publisher_family_id": "65a1f0c2b7d94e3a8c5b2d10", "period": "THIS_MONTH"},
                )
            )["result"]
            args, path = {**args, "report_id": report["reportId"]}, path.replace("PR", report["reportId"])
        before = len(h.requests("joveo"))
        result = await h.ok(name, args)
        if OPS[name].effect != "read":
            assert result["status"] == "done", result
        sent = [r for r in h.requests("joveo")[before:] if r.method == method and r.path == path]
        assert len(sent) == 1, [(r.method, r.path) for r in h.requests("joveo")[before:]]
        r = sent[0]
        assert r.headers["x-api-key"] == sim.credentials["API_KEY"]
        assert r.headers["x-authorization-key"] in sim.tokens  # the raw token, no "Bearer"
        if scoping == "x-client-id":
            assert r.headers["x-client-id"] == GLOBEX and "client_id" not in r.headers
        elif scoping == "client_id":
            assert r.headers["client_id"] == GLOBEX and "x-client-id" not in r.headers
        elif scoping == "query":
            assert r.query["client_id"] == GLOBEX
        else:
            assert "x-client-id" not in r.headers and "client_id" not in r.headers
        for key, value in query.items():
            assert r.query.get(key) == value, (key, r.query)
        if body is None:
            assert not r.body or r.json() in ({}, None)
        elif isinstance(body, list):
            assert r.json() == body
        else:
            sent_body = r.json()
            assert {k: sent_body.get(k) for k in body} == body, sent_body


# ------------------------------------------------------------------------------- token


async def test_token_minted_once_and_reused(mode: str) -> None:
    async with connect(mode=mode) as h:
        sim = h.sandbox["joveo"]
        for _ in range(3):
            await h.ok("joveo_list_clients", {"limit": 1})
        assert sim.token_requests == 1
        token_call = h.requests("joveo", "POST", "/v1/access-token")[0]
        assert token_call.json() == {"client_id": sim.credentials["CLIENT_ID"]}
        assert token_call.headers["x-api-key"] == sim.credentials["API_KEY"]
        assert "x-authorization-key" not in token_call.headers


async def test_expiry_with_50_concurrent_calls_mints_exactly_one_token() -> None:
    async with connect() as h:
        sim = h.sandbox["joveo"]
        await h.ok("joveo_get_client_status", IDS)
        assert sim.token_requests == 1
        cache = h.built.runtime.clients["joveo"].auth.token
        later = sim.clock() + 86400 + 60
        sim.clock = lambda: later
        cache.clock = lambda: later
        results: list[Any] = []

        async def one() -> None:
            results.append(await h.ok("joveo_get_client_status", IDS))

        async with anyio.create_task_group() as tg:
            for _ in range(50):
                tg.start_soon(one)
        assert len(results) == 50 and all(r["status"] == "A" for r in results)
        assert sim.token_requests == 2


async def test_refreshed_ahead_of_expiry() -> None:
    async with connect() as h:
        sim = h.sandbox["joveo"]
        await h.ok("joveo_list_clients", {"limit": 1})
        cache = h.built.runtime.clients["joveo"].auth.token
        almost = sim.clock() + 86400 - 60  # still valid at the vendor, but inside the refresh margin
        cache.clock = lambda: almost
        await h.ok("joveo_list_clients", {"limit": 1})
        assert sim.token_requests == 2


async def test_403_refreshes_once_then_succeeds() -> None:
    async with connect() as h:
        sim = h.sandbox["joveo"]
        await h.ok("joveo_list_clients", {"limit": 1})
        sim.expire_tokens()  # the vendor forgot our token: 403 on the next call
        page = await h.ok("joveo_list_clients", {"limit": 1})
        assert page["returned"] == 1
        assert sim.token_requests == 2
        assert len(h.requests("joveo", "GET", "/v1/clients")) == 3


async def test_persistent_403_is_reported_after_one_refresh() -> None:
    async with connect() as h:
        sim = h.sandbox["joveo"]
        error = await h.error("joveo_get_metadata", {"client_id": "not-a-client-of-ours"})
        assert "403" in error and "not a client of this agency" in error
        assert len(h.requests("joveo", "GET", "/v1/meta")) == 2  # sent, refreshed token, sent once more
        assert sim.token_requests == 2


async def test_bad_api_key_401_stops_after_one_try_without_echoing_it() -> None:
    async with connect() as h:
        sim = h.sandbox["joveo"]
        key = sim.credentials["API_KEY"]
        sim.api_clients = {sim.credentials["CLIENT_ID"]: "a-different-key"}
        error = await h.error("joveo_list_clients", {})
        assert "401" in error and "ADOPS_JOVEO_API_KEY" in error
        assert key not in error
        assert len(h.requests("joveo")) == 1  # one token request, nothing else


async def test_wrong_api_client_id_is_explained() -> None:
    async with connect() as h:
        sim = h.sandbox["joveo"]
        sim.api_clients = {"another-api-client": sim.credentials["API_KEY"]}
        error = await h.error("joveo_list_clients", {})
        assert "ADOPS_JOVEO_CLIENT_ID" in error and sim.credentials["CLIENT_ID"] not in error


# ------------------------------------------------------------------------------ paging


def _tokens(result: Any) -> float:
    return len(json.dumps(result)) / 4


async def test_jobs_paging_is_complete_and_bounded() -> None:
    async with connect() as h:
        seen: list[str] = []
        args: dict[str, Any] = {"client_id": GLOBEX, "page": 1, "limit": 50}
        pages = 0
        while True:
            page = await h.ok("joveo_list_jobs", args)
            pages += 1
            assert _tokens(page) < 10_000
            assert page["total"] == 5000
            assert all("description" not in job for job in page["items"])
            seen += [job["refNumber"] for job in page["items"]]
            if page["next"] is None:
                break
            args = {"client_id": GLOBEX, **page["next"]}
        assert pages == 100 and len(seen) == 5000 and len(set(seen)) == 5000
        assert len(h.requests("joveo", "GET", "/jobs")) == 100


async def test_jobs_limit_and_10000_cap_refused_before_sending() -> None:
    async with connect() as h:
        for args, words in (
            ({"limit": 71}, "less than or equal to 70"),
            ({"limit": 0}, "greater than or equal"),
            ({"page": 0}, "greater than or equal"),
            ({"page": 144, "limit": 70}, "10,000"),
        ):
            error = await h.error("joveo_list_jobs", {"client_id": GLOBEX, **args})
            assert words in error
        assert h.requests("joveo") == []


async def test_oversized_page_is_cut_and_resumes_exactly() -> None:
    from adops_mcp.tools.joveo.flows import page_result

    items = [{"refNumber": f"R{i}", "title": "x" * 1500} for i in range(60)]
    page = page_result(items, "job", 3, 60)
    assert 0 < page.returned < 60 and page.next is not None and page.note
    offset = 2 * 60 + page.returned
    assert (page.next.page - 1) * page.next.limit == offset


async def test_default_list_page_and_next() -> None:
    async with connect() as h:
        first = await h.ok("joveo_list_clients", {"limit": 2})
        assert first["returned"] == 2 and first["next"] == {"page": 2, "limit": 2}
        second = await h.ok("joveo_list_clients", first["next"])
        assert second["returned"] == 1 and second["next"] is None


# ------------------------------------------------------------------------------- guard


def changes(h: Any) -> list[Any]:
    """Requests that could change Joveo state (not reads, not the token mint)."""
    return [r for r in h.requests("joveo") if r.method != "GET" and r.path != "/v1/access-token"]


@pytest.mark.parametrize("name", DESTRUCTIVE)
async def test_guard_token_then_confirm_sends_once(name: str) -> None:
    _, args, method, path, *_ = TABLE[name]
    async with connect() as h:
        first = await h.ok(name, args)
        assert first["status"] == "confirmation_required" and first["plan"] and first["confirmation_token"]
        assert changes(h) == []
        done = await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert done["status"] == "done"
        assert [(r.method, r.path) for r in changes(h)] == [(method, path)]


@pytest.mark.parametrize("name", DESTRUCTIVE)
async def test_guard_decline_sends_nothing(name: str) -> None:
    async with connect(elicitation=answer("decline")) as h:
        result = await h.ok(name, TABLE[name][1])
        assert result["status"] == "declined"
        assert changes(h) == []


async def test_plans_state_current_and_new(mode: str) -> None:
    async with connect(mode=mode) as h:
        plan = (await h.ok("joveo_pause_campaign", CAMP_IDS))["plan"]
        assert '"Always-on Drivers"' in plan and "status A -> P" in plan
        # already active but held by its paused campaign: nothing to send, and the answer says what to enable
        same = await h.ok("joveo_enable_jobgroup", {**IDS, "campaign_id": CAMP_Q3_SURGE, "jobgroup_id": JG_FORKLIFT})
        assert same["status"] == "unchanged" and "already active" in same["message"], same
        assert "campaign is paused" in same["message"] and "Enable that instead" in same["message"], same
        plan = (await h.ok("joveo_update_jobgroup", {**JG_IDS, "cpa_bid": 13.0}))["plan"]
        assert "cpaBid 12.5 -> 13.0" in plan
        plan = (await h.ok("joveo_update_posting_config", {**CFG_IDS, "cost": 250}))["plan"]
        assert "cost 220 -> 250" in plan


async def test_invalid_job_refused_before_asking() -> None:
    async with connect() as h:
        error = await h.error("joveo_pause_job", {**IDS, "job_reference": "GLX-00013"})
        assert "invalid" in error and "Nothing was sent" in error
        assert changes(h) == []


# ---------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("tool", "args", "words"),
    [
        ("joveo_create_campaign", {**IDS, "name": "x", "start_date": "1 June 2025"}, "YYYY-MM-DD"),
        ("joveo_create_campaign", {**IDS, "name": "x", "start_date": "2025-13-01"}, "start_date"),
        (
            "joveo_create_campaign",
            {**IDS, "name": "x", "start_date": "2025-06-02", "end_date": "2025-06-01"},
            "end_date must not be before start_date",
        ),
        ("joveo_submit_stats_report", {**IDS, "end_date": "2024-01-01"}, "60 days"),
        ("joveo_submit_stats_report", {**IDS, "primary_level": "CAMPAIGN", "secondary_level": "CAMPAIGN"}, "different"),
        ("joveo_list_clients", {"limit": 1001}, "limit"),
        ("joveo_list_campaigns", {**IDS, "page": 0}, "page"),
        ("joveo_wait_for_stats_report", {**IDS, "task_id": "t", "max_wait_seconds": 301}, "max_wait_seconds"),
        ("joveo_update_jobgroup", JG_IDS, "give name, cpa_bid and/or filters"),
        ("joveo_pause_client", {"client_id": "../../etc"}, "client_id"),
        ("joveo_list_clients", {"unknown": 1}, "unknown"),
    ],
)
async def test_bad_input_refused_with_nothing_sent(tool: str, args: dict[str, Any], words: str) -> None:
    async with connect() as h:
        error = await h.error(tool, args)
        assert words in error
        assert h.requests("joveo") == []


async def test_unknown_ids_give_clear_errors_and_no_write() -> None:
    async with connect() as h:
        error = await h.error("joveo_pause_campaign", {**IDS, "campaign_id": "no-such-campaign"})
        assert "404" in error and "no-such-campaign" in error
        error = await h.error("joveo_get_job", {**IDS, "job_reference": "NOPE-1"})
        assert "not found" in error
        assert changes(h) == []


# ---------------------------------------------------------------------- status, stats


@pytest.mark.parametrize(
    ("client", "campaign", "group", "running", "reason"),
    [
        (GLOBEX, CAMP_ALWAYS_ON, JG_CDL_TEXAS, True, None),
        (GLOBEX, CAMP_ALWAYS_ON, JG_OWNER_OPS, False, "job group itself is paused"),
        (GLOBEX, CAMP_ALWAYS_ON, JG_SUMMER_2024, False, 'end date "08/31/2024" has passed'),
        (GLOBEX, CAMP_Q3_SURGE, JG_FORKLIFT, False, 'campaign "Q3 Warehouse Surge" is paused'),
        (UMBRELLA, CAMP_STORES, JG_HOLIDAY, False, "client is paused"),
    ],
)
async def test_jobgroup_status_explains_cascade(
    client: str, campaign: str, group: str, running: bool, reason: str | None
) -> None:
    async with connect() as h:
        args = {"client_id": client, "campaign_id": campaign, "jobgroup_id": group}
        status = await h.ok("joveo_get_jobgroup_status", args)
        assert status["running"] is running
        assert status["running"] == h.sandbox["joveo"].effective_status(group)["running"]
        if reason:
            assert any(reason in r for r in status["reasons"]), status
            assert reason in status["summary"]
        uri = f"joveo://clients/{client}/campaigns/{campaign}/jobgroups/{group}/status"
        resource = await h.client.read_resource(uri)
        assert json.loads(resource.contents[0].text)["running"] is running


async def test_status_resources() -> None:
    async with connect() as h:
        for uri, key in (
            (f"joveo://clients/{UMBRELLA}/status", "status"),
            (f"joveo://clients/{GLOBEX}/campaigns/{CAMP_Q3_SURGE}", "activeStatus"),
            (f"joveo://clients/{GLOBEX}/jobs/GLX-00007", "status"),
            (f"joveo://clients/{GLOBEX}/publishers/ziprecruiter/configs/{CFG_GLOBEX_ZIP}", "cost"),
        ):
            data = json.loads((await h.client.read_resource(uri)).contents[0].text)
            assert key in data, uri


async def test_wait_for_stats_report_reports_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPS_JOVEO_POLL_INTERVAL", "0.01")
    async with connect() as h:
        task = (
            await h.ok("joveo_submit_stats_report", {**IDS, "start_date": WEEK_AGO, "end_date": TODAY.isoformat()})
        )["result"]
        progress: list[Any] = []

        async def on_progress(value: float, total: float | None, message: str | None) -> None:
            progress.append((value, total, message))

        result = await h.client.call_tool(
            "joveo_wait_for_stats_report", {**IDS, "task_id": task["task_id"]}, progress_callback=on_progress
        )
        data = result.structured_content
        assert data["status"] == "SUCCESS" and data["location"] and "never sum or average" in data["note"]
        assert len(h.requests("joveo", "GET", "/status")) == 3
        assert [m for _, _, m in progress] == ["poll 1: IN_PROGRESS", "poll 2: IN_PROGRESS", "poll 3: SUCCESS"]


async def test_wait_for_stats_report_gives_up_in_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPS_JOVEO_POLL_INTERVAL", "0.6")
    async with connect() as h:
        h.sandbox["joveo"].stats_polls_in_progress = 100
        task = (await h.ok("joveo_submit_stats_report", IDS))["result"]
        data = await h.ok("joveo_wait_for_stats_report", {**IDS, "task_id": task["task_id"], "max_wait_seconds": 1})
        assert data["status"] == "IN_PROGRESS" and task["task_id"] in data["message"]


async def test_stats_of_a_paused_client_find_no_records(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPS_JOVEO_POLL_INTERVAL", "0")
    async with connect() as h:
        task = (await h.ok("joveo_submit_stats_report", {"client_id": UMBRELLA}))["result"]
        data = await h.ok("joveo_wait_for_stats_report", {"client_id": UMBRELLA, "task_id": task["task_id"]})
        assert data["status"] == "NO_RECORDS_FOUND" and "60 days" in data["message"]


async def test_default_surface_is_small() -> None:
    async with connect(toolsets=None) as h:
        names = {t.name for t in (await h.client.list_tools()).tools if t.name.startswith("joveo")}
        assert {"joveo_diagnose_jobgroup", "joveo_list_clients"} <= names and "joveo_delete_client" not in names
        assert len(names) <= 12


async def test_initech_bulk_jobs() -> None:
    async with connect() as h:
        sim = h.sandbox["joveo"]
        ids = [sim.job_id(INITECH, f"INH-0000{i}") for i in range(3)]
        page = await h.ok("joveo_get_jobs_bulk", {"client_id": INITECH, "job_ids": [*ids, "ffff"]})
        assert [j["refNumber"] for j in page["items"]] == ["INH-00000", "INH-00001", "INH-00002"]
        assert "ffff" in page["note"]
