"""Every request and response sample of the five vendor documents, replayed through the real tools
against the document stand-in (standin.py): the request sent (method, path, query, body, auth) and a
non-error result. Joveo's operations use the request table of tests/test_joveo.py (its bodies are the
document's fields); the stand-in answers each with the document's response sample."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.harness import answer
from tests.test_joveo import TABLE

from .standin import (
    ACTIVITY,
    AGENCY,
    DELTA_CLIENT,
    DELTA_KEY,
    JIVOX_KEY,
    JOVEO_CAMPAIGN,
    JOVEO_JOB,
    JOVEO_JOBGROUP,
    JOVEO_KEY,
    JOVEO_TOKEN,
    MERCHENTA_TOKEN,
    TEMPLATE,
    Answer,
    StandIn,
)

pytestmark = pytest.mark.anyio
JOVEO = "api.joveo.com"
JIVOX = "demo.stub.api.jivox.com"
MERCHENTA = "sandbox.rtbapi.io"
DELTA = "delta.invalid"


def _paused_records(vendor: StandIn) -> None:
    """The sample client, campaign, job group and job, paused (so an enable is a change)."""
    c = r"/v1/clients/[^/]+"
    vendor.answer(JOVEO, "GET", c + "/status", Answer(body={"result": "P", "message": "Status fetched successfully"}))
    vendor.answer(JOVEO, "GET", c + "/jobs/[^/]+", Answer(body={**JOVEO_JOB, "status": "PAUSED"}))
    vendor.answer(JOVEO, "GET", c + "/campaigns/[^/]+", Answer(body={**JOVEO_CAMPAIGN, "activeStatus": "P"}))
    jobgroup = c + "/campaigns/[^/]+/jobgroups/[^/]+"
    vendor.answer(JOVEO, "GET", jobgroup, Answer(body={**JOVEO_JOBGROUP, "activeStatus": "P"}))


@pytest.mark.parametrize("name", sorted(TABLE))
async def test_joveo_sample(docs, name: str) -> None:
    _, args, method, path, scoping, body, query = TABLE[name]
    args = json.loads(json.dumps(args).replace("JOBID1", "e13cd1d459a7be781712aa2636a9580c"))
    body = json.loads(json.dumps(body).replace("JOBID1", "e13cd1d459a7be781712aa2636a9580c"))
    if name == "joveo_get_stats_report_status":
        args, path = {**args, "task_id": "t1"}, path.replace("TASK", "t1")
    if name == "joveo_get_report":
        args, path = {**args, "report_id": "r1"}, path.replace("REPORT", "r1")
    if name == "joveo_get_publisher_report":
        args, path = {**args, "report_id": "p1"}, path.replace("PR", "p1")
    async with docs(elicitation=answer("accept")) as (h, vendor):
        if name.startswith("joveo_enable_"):  # the samples' records are active; enabling those sends nothing
            _paused_records(vendor)
        result = await h.call(name, args)
        assert not result.is_error, result.content
        sent = [s for s in vendor.requests(JOVEO) if s.method == method and s.path == path]
        assert len(sent) == 1, [(s.method, s.path) for s in vendor.requests(JOVEO)]
        s = sent[0]
        assert s.headers["x-api-key"] == JOVEO_KEY and s.headers["x-authorization-key"] == JOVEO_TOKEN
        if scoping in ("x-client-id", "client_id"):
            assert s.headers[scoping]
        for key, value in query.items():
            assert s.query.get(key) == value, (key, s.query)
        if isinstance(body, list):
            assert s.json() == body
        elif body is not None:
            assert {k: s.json().get(k) for k in body} == body, s.json()
    token = vendor.requests(JOVEO, "POST")[0]
    assert token.json() == {"client_id": "l81n0sqr0la15s23g78h8aqaf"} and token.headers["x-api-key"] == JOVEO_KEY


APPROVED = Answer(body={"approvalIdx": 42, "status": "Approved", "requiredApprovals": 2, "approverDetails": []})
JIVOX_IDS = {"account_id": "acme-retail", "retail_campaign_idx": 5373}
# tool, arguments, method, path, body sent (None: no body), stand-in overrides
JIVOX_CASES: list[tuple[str, dict[str, Any], str, str, Any, list[tuple[str, str, Answer]]]] = [
    (
        "jivox_activate_retail_campaign",
        {**JIVOX_IDS, "tracker_types": ["GCM"], "asset_generation_type": "png"},
        "POST",
        "/v2/accounts/acme-retail/retail-campaigns/5373/activate",
        {"trackerTypes": ["GCM"], "assetGenerationType": "png"},
        [("GET", r"/v2/accounts/[^/]+/retail-campaigns/\d+/approvalStatus", APPROVED)],
    ),
    (
        "jivox_get_activation_status",
        JIVOX_IDS,
        "GET",
        "/v2/accounts/acme-retail/retailcampaigns/5373/activationstatus",
        None,
        [],
    ),
    (
        "jivox_submit_approval_request",
        {**JIVOX_IDS, "user_name": "Chayan Pal", "user_email": "chayanp@jivox.com"},
        "POST",
        "/v2/accounts/acme-retail/retail-campaigns/5373/approvalRequest",
        {"userName": "Chayan Pal", "userEmail": "chayanp@jivox.com"},
        [],
    ),
    (
        "jivox_get_approval_status",
        JIVOX_IDS,
        "GET",
        "/v2/accounts/acme-retail/retail-campaigns/5373/approvalStatus",
        None,
        [],
    ),
]


@pytest.mark.parametrize("case", JIVOX_CASES, ids=[c[0] for c in JIVOX_CASES])
async def test_jivox_sample(docs, case) -> None:
    tool, args, method, path, body, overrides = case
    async with docs(elicitation=answer("accept")) as (h, vendor):
        for o_method, pattern, reply in overrides:
            vendor.answer(JIVOX, o_method, pattern, reply)
        result = await h.call(tool, args)
        assert not result.is_error, result.content
        s = vendor.last(JIVOX, method)
        assert s.path == path and s.headers["jvx_apikey"] == JIVOX_KEY
        assert (s.json() if s.body else None) == body


INACTIVE = Answer(
    body={
        "status": "success",
        "data": {"status": [{"creativeCode": "MERCHENTA-test-1", "approvalStatus": "INACTIVE"}]},
    }
)
MERCHENTA_CASES = [
    (
        "merchenta_get_campaign_creatives_status",
        {"campaign_code": "MERCHENTA-test"},
        "GET",
        "/v3/campaigns/MERCHENTA-test/status",
        None,
    ),
    (
        "merchenta_get_creative_status",
        {"creative_code": "MERCHENTA-test-1"},
        "GET",
        "/v3/creatives/MERCHENTA-test-1/status",
        None,
    ),
    (
        "merchenta_set_creative_status",
        {"campaign_code": "MERCHENTA-test", "creative_code": "MERCHENTA-test-1", "status": "ACTIVE"},
        "POST",
        "/v3/creatives/MERCHENTA-test-1/status",
        {"status": "ACTIVE"},
    ),
    (
        "merchenta_set_campaign_status",
        {"campaign_code": "MERCHENTA-test", "status": "ACTIVE"},
        "POST",
        "/v3/campaigns/MERCHENTA-test/status",
        {"status": "ACTIVE"},
    ),
]


@pytest.mark.parametrize("case", MERCHENTA_CASES, ids=[c[0] for c in MERCHENTA_CASES])
async def test_merchenta_sample(docs, case) -> None:
    tool, args, method, path, form = case
    # The lock endpoint is a guess the document does not give (docs/vendor-facts.md): without it.
    async with docs(elicitation=answer("accept"), ADOPS_MERCHENTA_LOCK_PATH="") as (h, vendor):
        if method == "POST":
            vendor.answer(MERCHENTA, "GET", r"/v3/campaigns/[^/]+/status", INACTIVE)
        result = await h.call(tool, args)
        assert not result.is_error, result.content
        s = [r for r in vendor.requests(MERCHENTA, method) if r.path == path][-1]
        assert s.headers["authorization"] == f"Bearer {MERCHENTA_TOKEN}"
        if form is not None:
            assert s.form() == form and s.headers["content-type"] == "application/x-www-form-urlencoded"
    login = vendor.requests(MERCHENTA, "GET")[0]
    assert login.path == "/v3/oauth/accessToken"


REFUSED = "it is not possible to change status from PENDING to ACTIVE for creative MERCHENTA-test-"


async def test_merchenta_documented_refusals(docs) -> None:
    async with docs(elicitation=answer("accept"), ADOPS_MERCHENTA_LOCK_PATH="") as (h, vendor):
        # The document's creatives are PENDING: PENDING -> ACTIVE is the documented E10059, refused unsent.
        text = await h.error(
            "merchenta_set_creative_status",
            {"campaign_code": "MERCHENTA-test", "creative_code": "MERCHENTA-test-1", "status": "ACTIVE"},
        )
        assert "E10059" in text and not vendor.requests(MERCHENTA, "POST")
        vendor.answer(MERCHENTA, "GET", r"/v3/campaigns/[^/]+/status", INACTIVE)
        fail = {
            "status": "fail",
            "data": {
                "errors": [
                    {
                        "code": "E10059",
                        "description": REFUSED + "1",
                    }
                ]
            },
        }
        vendor.answer(MERCHENTA, "POST", r"/v3/creatives/[^/]+/status", Answer(400, fail))
        text = await h.error(
            "merchenta_set_creative_status",
            {"campaign_code": "MERCHENTA-test", "creative_code": "MERCHENTA-test-1", "status": "ACTIVE"},
        )
        assert "it is not possible to change status from PENDING to ACTIVE" in text
        warnings = {
            "status": "success",
            "data": {
                "warnings": [
                    {
                        "code": "E10059",
                        "description": REFUSED + "2",
                    }
                ]
            },
        }
        vendor.answer(MERCHENTA, "POST", r"/v3/campaigns/[^/]+/status", Answer(body=warnings))
        done = await h.ok("merchenta_set_campaign_status", {"campaign_code": "MERCHENTA-test", "status": "ACTIVE"})
        assert "MERCHENTA-test-2" in json.dumps(done)


P = f"/api/v1/media_agency/{AGENCY}/client/{DELTA_CLIENT}/campaign/default/activity"
DELTA_CASES = [
    ("delta_list_activities", {"client_id": DELTA_CLIENT}, "GET", P, None),
    ("delta_get_activity", {"client_id": DELTA_CLIENT, "activity_id": ACTIVITY}, "GET", f"{P}/{ACTIVITY}", None),
    ("delta_list_activity_templates", {}, "GET", "/api/v1/activity_templates", None),
    (
        "delta_update_activity",
        {
            "client_id": DELTA_CLIENT,
            "activity_id": ACTIVITY,
            "activity_name": "Renamed Activity",
            "flight_stop": "2016-11-01T00:00:00Z",
            "target_ecpm": 4.2,
            "order_id": "GXK-88123",
            "budget": 200000.0,
            "enabled": True,
        },
        "POST",
        f"{P}/{ACTIVITY}",
        {
            "activityName": "Renamed Activity",
            "targetECPM": 4.2,
            "orderId": "GXK-88123",
            "budget": 200000.0,
            "enabled": True,
        },
    ),
    (
        "delta_create_activity",
        {
            "client_id": DELTA_CLIENT,
            "template_id": TEMPLATE,
            "activity_name": "Example Activity",
            "flight_start": "2015-01-01T00:00:01Z",
            "flight_stop": "2015-02-01T00:00:01Z",
            "target_ecpm": 2.4,
            "order_id": "GXK-77123",
            "budget": 100000.0,
            "impression_budget": 500000,
            "enabled": False,
        },
        "POST",
        f"{P}/create_from_template",
        {
            "templateId": TEMPLATE,
            "activityName": "Example Activity",
            "targetECPM": 2.4,
            "orderId": "GXK-77123",
            "budget": 100000.0,
            "impressionBudget": 500000,
            "enabled": False,
        },
    ),
]


@pytest.mark.parametrize("case", DELTA_CASES, ids=[c[0] for c in DELTA_CASES])
async def test_delta_sample(docs, case) -> None:
    tool, args, method, path, body = case
    async with docs(elicitation=answer("accept")) as (h, vendor):
        result = await h.call(tool, args)
        assert not result.is_error, result.content
        s = [r for r in vendor.requests(DELTA, method) if r.path == path][-1]
        assert s.query.get("apikey") == DELTA_KEY
        if body is not None:
            assert {k: s.json().get(k) for k in body} == body, s.json()
