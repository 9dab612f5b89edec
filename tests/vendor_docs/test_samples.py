"""Every request sample of Joveo's document, as printed, given to its tool: the tool either sends it (the
sample's keys and values reach Joveo unchanged) or refuses it with a reason that names the document.

A sample's keys become the tool's arguments through the tool's own field aliases (camelCase -> snake_case);
its values are passed as they are (numbers stay numbers, dates stay in the document's format). Only Redoc's
"string" placeholders are filled in (marked PLACEHOLDER), since no real value can be read from them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adops_mcp.tools.joveo.operations import OPERATIONS
from tests.harness import answer

JOVEO = "api.joveo.com"
CLIENT = "7baeb0b8-ae6f-4jed-b80f-az8z86a917d4"
pytestmark = pytest.mark.anyio
OPS = {op.name: op for op in OPERATIONS}
JOB_URL = (
    "https://www.nxtpreprod.monster.com/job-openings/software-developer-new-york-city-ny--48e3732b "
    "-768b-473d-8fce-11bc1f6b1316"
)
JOB_SAMPLE = {
    "title": "test title",
    "company": "test company",
    "description": "apply for this single job",
    "category": "Maintenance",
    "alternateURL": JOB_URL,
    "city": "Eluru",
    "state": "Telangana",
    "country": "US",
    "zip": 500081,
    "publishedDate": "2019-11-29T10:00:00.000Z",
    "endAtDate": "2019-11-29T10:00:00.000Z",
    "jobType": "FULL_TIME",
    "additionalFields": {},
    "publisherFields": {},
    "jobSetting": {},
    "placementSettings": [],
}
CALLBACK = "https:domain.com/report/reportId"  # the document's own callBackUrl sample

# tool, ids (path / header arguments), the document's request sample, settings
SAMPLES: list[tuple[str, dict[str, Any], Any, dict[str, str]]] = [
    (
        "joveo_create_client",
        {},
        {
            "companyName": "New External API-789",
            "exportedName": "external-1",
            "applyConvWindow": 35,
            "timeZone": "UTC-10:00",
            "endDate": "20/04/2020",
            "startDate": "20/03/2020",
            "caps": {},
            "clientType": "DirectEmployer",
            "advertiserName": "abc",
        },
        {"ADOPS_JOVEO_CLIENT_DATE_FORMAT": "dd/mm/yyyy"},  # the samples' order (docs/vendor-facts.md)
    ),
    ("joveo_update_client", {"client_id": CLIENT}, {"budget": {}, "applies": {}}, {}),
    ("joveo_add_job", {"client_id": CLIENT}, {"refNumber": "test-job-ref-number-19", **JOB_SAMPLE}, {}),
    ("joveo_update_job", {"client_id": CLIENT, "job_reference": "test-job-ref-number-19"}, JOB_SAMPLE, {}),
    (
        "joveo_get_jobs_bulk",
        {"client_id": CLIENT},
        ["e13cd1d459a7be781712aa2636a9580c", "e13cd1d459a7be781712aa2636a9580d"],
        {},
    ),
    (
        "joveo_create_campaign",
        {"client_id": CLIENT},
        {"name": "test-campaign-api-1", "startDate": "01/10/2020", "endDate": "07/30/2020", "Caps": {}},
        {"ADOPS_JOVEO_CAMPAIGN_CAPS_KEY": "Caps"},
    ),
    ("joveo_update_campaign", {"client_id": CLIENT, "campaign_id": "k1"}, {"caps": {}}, {}),
    (
        "joveo_create_jobgroup",
        {"client_id": CLIENT, "campaign_id": "k1"},
        {
            "name": "test-jobgroup-200",
            "startDate": "01/27/2020",
            "endDate": "11/11/2038",
            "cpcBid": 0.12,
            "cpaBid": 1.5,
            "filters": {},
            "caps": {},
            "placements": [],
        },
        {},
    ),
    (
        "joveo_update_jobgroup",
        {"client_id": CLIENT, "campaign_id": "k1", "jobgroup_id": "g1"},
        {"name": "test jobgroup updated1", "cpaBid": 0.22, "filters": {}},
        {},
    ),
    (
        "joveo_create_feed",
        {"client_id": CLIENT},
        {"xmlFeedUrl": "https://feeds.example.com/jobs.xml", "schemaMappings": {}},  # PLACEHOLDER "string"
        {},
    ),
    ("joveo_update_feed", {"client_id": CLIENT, "feed_id": "f1"}, {}, {}),
    (
        "joveo_add_jobs_to_posting_config",
        {"client_id": CLIENT, "config_id": "c1"},
        ["test-job-ref-number-108", "test-job-ref-number-109"],
        {},
    ),
    (
        "joveo_create_posting_config",
        {"client_id": CLIENT, "publisher_id": "TestExp1"},
        {
            "cost": 220,
            "startDate": "2020-08-03T05:19:00.000Z",
            "endDate": "2020-08-03T05:13:00.000Z",
            "dateFormat": "yyyy-MM-dd'T'HH:mm:ssZ",
            "availableCount": 100,
            "rotateFreqInDays": 2,
            "jobDuration": 10,
            "minJobDurationInDays": 2,
        },
        {},
    ),
    (
        "joveo_update_posting_config",
        {"client_id": CLIENT, "publisher_id": "TestExp1", "config_id": "c1"},
        {
            "cost": 1000,
            "endDate": "2020-08-03T05:13:00.000Z",
            "availableCount": 50,
            "rotateFreqInDays": 5,
            "jobDuration": 20,
            "minJobDurationInDays": 2,
        },
        {},
    ),
    ("joveo_submit_stats_report", {"client_id": CLIENT}, {"filters": {}, "aggregationLevel": {}}, {}),
    (
        "joveo_stream_stats",
        {"client_id": CLIENT},
        {"groupBy": "CLIENT", "groupByPublisher": True, "callBackUrl": CALLBACK, "filterBy": {}},
        {},
    ),
    (
        "joveo_apply_job_rules",
        {},
        {
            "clientId": "63051e4d-1595-428e-892e-748e5a7fa9c8",
            "campaignId": "df8285cd-2ab4-44ab-8861-9ff3be0c4970",
            "jobGroupId": "sd8285dd-2ab4-44ab-8861-9ff3blhgdgs1m",
            "filterLevel": "jobs",
            "applyToChildren": True,
            "conditions": [],
            "conditionOp": "AND",
            "actionType": "administration",
            "name": "Pause Job",
            "startDate": "05/10/2021",
            "endDate": "05/31/2021",
            "jobFilter": {},
            "jobFilterLevel": "clients",
            "adminActions": {},
            "filters": [],
        },
        {},
    ),
    (
        "joveo_generate_stats_report",
        {"client_id": CLIENT},
        {"groupBy": "CLIENT", "groupByPublisher": True, "callBackUrl": CALLBACK, "filterBy": {}},
        {},
    ),
    ("joveo_generate_ip_report", {"client_id": CLIENT}, {"callBackUrl": CALLBACK, "filterBy": {}}, {}),
    ("joveo_update_candidate_status", {"client_id": CLIENT}, [], {}),
    (
        "joveo_send_s2s_event",
        {"client_id": CLIENT, "event": "APPLY"},  # PLACEHOLDER "a": "string" (the document: 1|2|3)
        {"clickId": "string", "candidateId": "string", "jobApplicationId": "string"},
        {},
    ),
    (
        "joveo_request_publisher_report",
        {},
        {
            "reportName": "string",
            "period": "THIS_MONTH",
            "clientId": "eba6971f-4880-4f05-bfbf-a308e30084e",
            "publisherFamilyId": "6576baba5c2baf7cdd5b552a",
            "curLocale": "USD",
        },
        {},
    ),
]
LIST_ARGUMENT = {
    "joveo_get_jobs_bulk": "job_ids",
    "joveo_add_jobs_to_posting_config": "job_references",
    "joveo_update_candidate_status": "statuses",
}


def arguments(tool: str, ids: dict[str, Any], sample: Any) -> dict[str, Any]:
    """The sample as the tool's arguments: each key to the field it is the alias of (any case)."""
    if isinstance(sample, list):
        return {**ids, LIST_ARGUMENT[tool]: sample}
    fields = OPS[tool].params.model_fields
    by_alias = {(f.serialization_alias or name).lower(): name for name, f in fields.items()}
    by_alias["clientid"] = "client_id"
    # an empty object the tool builds itself (the stats aggregationLevel, from primary_level) is not an argument
    given = {k: v for k, v in sample.items() if k.lower() in by_alias or v != {}}
    return {**ids, **{by_alias[key.lower()]: value for key, value in given.items()}}


def contains(sent: Any, sample: Any) -> bool:
    """The sample reached Joveo unchanged (an object may gain keys the tool adds, such as stats dates)."""
    if isinstance(sample, dict):
        return isinstance(sent, dict) and all(k in sent and contains(sent[k], v) for k, v in sample.items())
    return bool(sent == sample)


@pytest.mark.parametrize(("tool", "ids", "sample", "env"), SAMPLES, ids=[s[0] for s in SAMPLES])
async def test_every_document_sample_is_sent_as_printed_or_refused_citing_the_document(
    docs, tool, ids, sample, env
) -> None:
    op = OPS[tool]
    async with docs(elicitation=answer("accept"), **env) as (h, vendor):
        result = await h.call(tool, arguments(tool, ids, sample))
        sent = [s for s in vendor.requests(JOVEO, op.method) if "access-token" not in s.path]
    text = " ".join(getattr(c, "text", "") for c in result.content)
    if result.is_error:
        assert "document" in text and not sent, text  # refused, naming the document, nothing sent
        return
    assert len(sent) == 1, [(s.method, s.path) for s in sent]
    body = sent[0].json()
    if tool == "joveo_apply_job_rules":  # clientId is also the x-client-id header
        assert sent[0].headers["x-client-id"] == sample["clientId"]
    assert contains(body, sample), (json.dumps(body), json.dumps(sample))


# The refusals above, each one exactly: what the document shows, and why it is not sent.
REFUSED = {
    "joveo_update_feed": "empty object {}",
    "joveo_update_candidate_status": "empty array [ ]",
    "joveo_stream_stats": "https:domain.com/report/reportId",
    "joveo_generate_stats_report": "https:domain.com/report/reportId",
    "joveo_generate_ip_report": "https:domain.com/report/reportId",
    "joveo_add_job": "add-job sample alternateURL",
    "joveo_update_job": "add-job sample alternateURL",
}


@pytest.mark.parametrize("tool", sorted(REFUSED))
async def test_the_refused_samples_are_refused_for_the_documented_reason(docs, tool) -> None:
    _, ids, sample, env = next(s for s in SAMPLES if s[0] == tool)
    async with docs(elicitation=answer("accept"), **env) as (h, vendor):
        text = await h.error(tool, arguments(tool, ids, sample))
        assert REFUSED[tool] in text and "nothing was sent" in text.lower(), text
        assert not [s for s in vendor.requests(JOVEO) if s.method != "GET" and "access-token" not in s.path]


async def test_the_job_samples_are_sent_once_their_url_slip_is_fixed(docs) -> None:
    """The numeric zip of the add-job sample is sent as text; everything else as printed."""
    fixed = {**JOB_SAMPLE, "alternateURL": JOB_URL.replace(" ", "")}
    async with docs(elicitation=answer("accept")) as (h, vendor):  # a new job can spend: confirmed
        args = arguments("joveo_add_job", {"client_id": CLIENT}, {"refNumber": "r-19", **fixed})
        await h.ok("joveo_add_job", args)
        body = vendor.last(JOVEO, "POST").json()
    assert body["zip"] == "500081"
    assert contains(body, {k: v for k, v in fixed.items() if k != "zip"})


async def test_the_campaign_caps_key_follows_its_setting(docs) -> None:
    args = {"client_id": CLIENT, "name": "c", "caps": {"budget": 10}}
    async with docs(elicitation=answer("accept")) as (h, vendor):  # caps set spend limits: confirmed
        await h.ok("joveo_create_campaign", args)
        assert vendor.last(JOVEO, "POST").json()["caps"] == {"budget": 10}
    async with docs(elicitation=answer("accept"), ADOPS_JOVEO_CAMPAIGN_CAPS_KEY="Caps") as (h, vendor):
        await h.ok("joveo_create_campaign", args)
        body = vendor.last(JOVEO, "POST").json()
        assert body["Caps"] == {"budget": 10} and "caps" not in body


async def test_posting_config_days_are_compared_not_times(docs) -> None:
    args = {"client_id": CLIENT, "publisher_id": "p", "cost": 1, "available_count": 1}
    async with docs(elicitation=answer("accept")) as (h, _):
        text = await h.error(
            "joveo_create_posting_config",
            {**args, "start_date": "2020-08-04T05:19:00Z", "end_date": "2020-08-03T23:00:00Z"},
        )
        assert "a day before" in text
