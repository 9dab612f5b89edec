"""Issue 11: each place a tool failed on (or guessed past) the documented answer, one test each."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.harness import answer

from .standin import AGENCY, DELTA_CLIENT, JIVOX, TEMPLATE, Answer

pytestmark = pytest.mark.anyio

JOVEO = "api.joveo.com"
JIVOX_HOST = "demo.stub.api.jivox.com"
TODAY = date.today()
CLIENT = "7baeb0b8-ae6f-4jed-b80f-az8z86a917d4"
JIVOX_IDS = {"account_id": "acme-retail", "retail_campaign_idx": 5373}


# ---------------------------------------------------------------------------- Joveo V49


async def test_submit_stats_accepts_the_documented_no_content_answer(docs) -> None:
    async with docs() as (h, vendor):
        done = await h.ok("joveo_submit_stats_report", {"client_id": CLIENT})
        assert done["status"] == "done" and done["audit_id"]  # audited as a write, no confirmation asked
        result = done["result"]
        assert result["task_id"] is None
        assert result["status"] == "SUBMITTED"
        assert "submitted; Joveo returned no task id" in result["message"]
        assert "joveo_stream_stats" in result["message"] and "joveo_generate_stats_report" in result["message"]
        sent = vendor.last(JOVEO, "POST")
        assert sent.path == "/v1/stats/reports" and sent.headers["x-client-id"] == CLIENT
        # the defaults the description promises: 30 days ago .. today, by job group
        filters = sent.json()["filters"]
        assert filters["startDate"] == (TODAY - timedelta(days=30)).strftime("%m/%d/%Y")
        assert filters["endDate"] == TODAY.strftime("%m/%d/%Y")
        assert sent.json()["aggregationLevel"] == {"primaryLevel": "JOBGROUP"}


@pytest.mark.parametrize(
    ("answer_", "expected"),
    [
        (Answer(body={"taskId": "t-body-1"}), "t-body-1"),
        (Answer(body="t-plain-2"), "t-plain-2"),
        (Answer(body="NO_CONTENT", headers={"task-id": "t-hdr-3"}), "t-hdr-3"),
        (Answer(body="NO_CONTENT", headers={"Location": "/v1/stats/reports/t-loc-4/status"}), "t-loc-4"),
    ],
)
async def test_submit_stats_finds_a_task_id_in_body_or_any_header(docs, answer_, expected) -> None:
    async with docs() as (h, vendor):
        vendor.answer(JOVEO, "POST", "/v1/stats/reports", answer_)
        result = await h.ok("joveo_submit_stats_report", {"client_id": CLIENT})
        assert result["result"]["task_id"] == expected


async def test_submit_stats_passes_the_documented_filters_object_through(docs) -> None:
    async with docs() as (h, vendor):
        extra = {"publishers": ["indeed"], "campaignIds": ["c1"]}
        await h.ok("joveo_submit_stats_report", {"client_id": CLIENT, "filters": extra})
        filters = vendor.last(JOVEO, "POST").json()["filters"]
        assert filters["publishers"] == ["indeed"] and filters["campaignIds"] == ["c1"]


@pytest.mark.parametrize(
    "dates",
    [
        {"start_date": (TODAY - timedelta(days=75)).isoformat()},
        {"start_date": (TODAY - timedelta(days=90)).isoformat(), "end_date": (TODAY - timedelta(days=80)).isoformat()},
        {"end_date": (TODAY + timedelta(days=3)).isoformat()},
    ],
)
async def test_submit_stats_checks_the_60_day_window_on_both_ends(docs, dates) -> None:
    async with docs() as (h, vendor):
        text = await h.error("joveo_submit_stats_report", {"client_id": CLIENT, **dates})
        assert "60 days" in text
        assert not vendor.requests(JOVEO, "POST")[1:]  # at most the token exchange


# ------------------------------------------------------------- report-creating POSTs


@pytest.mark.parametrize(
    ("tool", "args", "path"),
    [
        ("joveo_submit_stats_report", {"client_id": CLIENT}, "/v1/stats/reports"),
        ("joveo_generate_stats_report", {"client_id": CLIENT, "group_by": "CLIENT"}, "/v1/reports"),
        ("joveo_generate_ip_report", {"client_id": CLIENT}, "/v1/reports/ip"),
        (
            "joveo_request_publisher_report",
            {"publisher_family_id": "6576baba5c2baf7cdd5b552a", "period": "THIS_MONTH"},
            "/v1/publisher-families/6576baba5c2baf7cdd5b552a/reports",
        ),
    ],
)
async def test_report_creating_posts_are_creates_never_resent(docs, tool, args, path) -> None:
    async with docs() as (h, vendor):
        vendor.answer(JOVEO, "POST", path, Answer(503, {"message": "busy"}), Answer(body={"reportId": "r1"}))
        text = await h.error(tool, args)
        assert "may or may not" in text
        assert len([s for s in vendor.requests(JOVEO, "POST") if s.path == path]) == 1
        records = await h.built.runtime.store.audit(vendor="joveo")
        assert records and records[0].tool == tool and records[0].status == "unknown"
    tools = {t["name"]: t for t in __import__("adops_mcp.catalogue", fromlist=["catalogue"]).catalogue()}
    assert tools[tool]["effect"] == "write" and tools[tool]["annotations"]["readOnlyHint"] is False


# ---------------------------------------------------------------------------- Joveo V42


async def test_a_bare_config_object_is_a_one_item_list(docs) -> None:
    async with docs() as (h, _vendor):
        ids = {"client_id": CLIENT, "publisher_id": "TestExp1"}
        page = await h.ok("joveo_list_publisher_posting_configs", ids)
        assert page["returned"] == 1 and page["items"][0]["id"] == "213d2dcb-d72b-43fb-85bc-71e1aaa8fe8a"
        first = await h.ok(
            "joveo_create_posting_config",
            {
                **ids,
                "cost": 220,
                "start_date": "2020-08-03T05:19:00Z",
                "end_date": "2020-09-03T05:13:00Z",
                "available_count": 100,
            },
        )
        assert "has 1 config(s) on this publisher now" in first["plan"]


# ------------------------------------------------------------------------- page bases


async def test_lists_send_zero_based_pages_and_jobs_one_based(docs) -> None:
    async with docs() as (h, vendor):
        await h.ok("joveo_list_clients", {"page": 1, "limit": 5})
        assert vendor.last(JOVEO, "GET").query == {"page": "0", "limit": "5"}
        await h.ok("joveo_list_campaigns", {"client_id": CLIENT, "page": 3, "limit": 5})
        assert vendor.last(JOVEO, "GET").query == {"page": "2", "limit": "5"}
        await h.ok("joveo_list_jobs", {"client_id": CLIENT, "page": 1, "limit": 5})
        assert vendor.last(JOVEO, "GET").query == {"page": "1", "limit": "5"}
        tools = {t.name: t for t in (await h.client.list_tools()).tools}
        for name in ("joveo_list_clients", "joveo_list_jobs", "joveo_list_posting_configs"):
            assert "one-based" in tools[name].input_schema["properties"]["page"]["description"]


async def test_page_bases_are_settings(docs) -> None:
    async with docs(ADOPS_JOVEO_PAGE_BASE="1", ADOPS_JOVEO_JOBS_PAGE_BASE="0") as (h, vendor):
        await h.ok("joveo_list_clients", {"page": 1, "limit": 5})
        assert vendor.last(JOVEO, "GET").query["page"] == "1"
        await h.ok("joveo_list_jobs", {"client_id": CLIENT, "page": 1, "limit": 5})
        assert vendor.last(JOVEO, "GET").query["page"] == "0"


# ---------------------------------------------------------------------- Joveo dates


async def test_client_dates_follow_the_text_by_default_and_a_setting_switches(docs) -> None:
    args = {"company_name": "New External API-789", "start_date": "2020-03-20", "end_date": "2020-04-20"}
    async with docs(elicitation=answer("accept")) as (h, vendor):  # a client's caps are spend: confirmed
        await h.ok("joveo_create_client", args)
        body = vendor.last(JOVEO, "POST").json()
        assert (body["startDate"], body["endDate"]) == ("03/20/2020", "04/20/2020")
    async with docs(elicitation=answer("accept"), ADOPS_JOVEO_CLIENT_DATE_FORMAT="dd/mm/yyyy") as (h, vendor):
        await h.ok("joveo_create_client", args)
        body = vendor.last(JOVEO, "POST").json()
        assert (body["startDate"], body["endDate"]) == ("20/03/2020", "20/04/2020")  # the document's sample


async def test_plans_render_dates_unambiguously(docs) -> None:
    async with docs() as (h, _):
        first = await h.ok(
            "joveo_create_jobgroup",
            {
                "client_id": CLIENT,
                "campaign_id": "c1",
                "name": "test-jobgroup-200",
                "start_date": "2020-01-27",
                "end_date": "2038-11-11",
            },
        )
        assert "27 January 2020" in first["plan"] and "11 November 2038" in first["plan"]


async def test_posting_config_dates_honour_date_format(docs) -> None:
    async with docs() as (h, vendor):
        first = await h.ok(
            "joveo_create_posting_config",
            {
                "client_id": CLIENT,
                "publisher_id": "TestExp1",
                "cost": 220,
                "start_date": "2020-08-03T05:19:00Z",
                "end_date": "2020-09-03T05:13:00Z",
                "available_count": 100,
                "date_format": "MM/dd/yyyy HH:mm",
            },
        )
        await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})
        body = vendor.last(JOVEO, "POST").json()
        assert body["dateFormat"] == "MM/dd/yyyy HH:mm"
        assert (body["startDate"], body["endDate"]) == ("08/03/2020 05:19", "09/03/2020 05:13")


# ---------------------------------------------------------------------------- Jivox


async def test_activation_falls_back_to_the_approval_status_when_a_guessed_read_is_missing(docs) -> None:
    async with docs() as (h, vendor):
        vendor.answer(
            JIVOX_HOST,
            "GET",
            r"/v2/accounts/[^/]+/retail-campaigns/\d+/approvalStatus",
            Answer(body={"approvalIdx": 42, "status": "Approved", "requiredApprovals": 1, "approverDetails": []}),
        )
        first = await h.ok("jivox_activate_retail_campaign", {**JIVOX_IDS, "tracker_types": ["GCM"]})
        assert first["status"] == "confirmation_required"
        plan = first["plan"]
        assert "Approved" in plan
        assert "retail settings" in plan and "ADOPS_JIVOX_RETAIL_SETTINGS_PATH" in plan
        done = await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert done["status"] == "done"
        sent = vendor.last(JIVOX_HOST, "POST")
        assert sent.path == "/v2/accounts/acme-retail/retail-campaigns/5373/activate"
        assert sent.json() == {"trackerTypes": ["GCM"]} and sent.headers["jvx_apikey"]


async def test_activation_with_the_documented_pending_answer_is_refused_naming_who(docs) -> None:
    async with docs() as (h, vendor):
        text = await h.error("jivox_activate_retail_campaign", JIVOX_IDS)
        assert "Pending" in text and "jane.doe@example.com" in text
        assert not vendor.requests(JIVOX_HOST, "POST")


async def test_rejected_approval_advises_changing_and_resubmitting(docs) -> None:
    async with docs() as (h, vendor):
        vendor.answer(
            JIVOX_HOST,
            "GET",
            r"/v2/accounts/[^/]+/retail-campaigns/\d+/approvalStatus",
            Answer(
                body={
                    "status": "Rejected",
                    "requiredApprovals": 1,
                    "approverDetails": [{"userEmail": "a@b.com", "userId": -1, "approvalStatus": "Rejected"}],
                }
            ),
        )
        text = await h.error("jivox_activate_retail_campaign", JIVOX_IDS)
        assert "Ask them to approve" not in text
        assert "jivox_submit_approval_request" in text and "change" in text.lower()


async def test_tracker_types_is_gcm_only_and_approver_user_id_is_kept(docs) -> None:
    async with docs() as (h, vendor):
        text = await h.error("jivox_activate_retail_campaign", {**JIVOX_IDS, "tracker_types": ["DCM"]})
        assert "GCM" in text and not vendor.requests(JIVOX_HOST)
        status = await h.ok("jivox_get_approval_status", JIVOX_IDS)
        users = {a["userEmail"]: a["userId"] for a in status["approverDetails"]}
        assert users == {"john.doe@example.com": 101, "jane.doe@example.com": -1}


# ---------------------------------------------------------------------------- Delta


async def test_delta_create_sends_enabled_false_unless_asked(docs) -> None:
    args = {
        "client_id": DELTA_CLIENT,
        "template_id": TEMPLATE,
        "activity_name": "Example Activity",
        "flight_start": "2015-01-01T00:00:01Z",
        "flight_stop": "2015-02-01T00:00:01Z",
        "order_id": "GXK-77123",
        "budget": 100000.0,
        "override_variables": {"fontsize": 24, "color": "red"},
    }
    async with docs() as (h, vendor):
        first = await h.ok("delta_create_activity", args)  # a budget is spend: confirmed
        assert first["status"] == "confirmation_required" and "disabled" in first["plan"]
        result = (await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]}))["result"]
        body = vendor.last("delta.invalid", "POST").json()
        assert body["enabled"] is False
        assert body["overrideVariables"] == '{"fontsize": 24, "color": "red"}'  # a JSON string, as documented
        assert result["activity_id"] == "86b35327-794c-11e4-8425-daf437376f87"
        first = await h.ok("delta_create_activity", {**args, "enabled": True})
        assert first["status"] == "confirmation_required"
        assert len(vendor.requests("delta.invalid", "POST")) == 1


# ------------------------------------------------------------------------ Merchenta


async def test_merchenta_e10060_is_not_given_an_invented_meaning(docs) -> None:
    async with docs(elicitation=answer("accept")) as (h, vendor):
        vendor.answer(
            "sandbox.rtbapi.io",
            "GET",
            r"/v3/campaigns/[^/]+/status",
            Answer(
                body={
                    "status": "success",
                    "data": {"status": [{"creativeCode": "MERCHENTA-test-1", "approvalStatus": "ACTIVE"}]},
                }
            ),
        )
        vendor.answer("sandbox.rtbapi.io", "POST", r"/v3/campaigns/[^/]+/lock", Answer(body={"status": "success"}))
        vendor.answer("sandbox.rtbapi.io", "DELETE", r"/v3/campaigns/[^/]+/lock", Answer(body={"status": "success"}))
        vendor.answer(
            "sandbox.rtbapi.io",
            "POST",
            r"/v3/creatives/[^/]+/status",
            Answer(400, {"status": "fail", "data": {"errors": [{"code": "E10060", "description": "some reason"}]}}),
        )
        text = await h.error(
            "merchenta_set_creative_status",
            {"campaign_code": "MERCHENTA-test", "creative_code": "MERCHENTA-test-1", "status": "INACTIVE"},
        )
        assert "E10060: some reason" in text and "not locked" not in text


def _unused() -> tuple[str, str]:
    return JIVOX, AGENCY
