"""A stand-in for the four vendors, written from ../shared/vendor-docs/ (not from the project's sandbox).

Each route answers with the document's own response sample, verbatim (elided sample objects stay
empty, as printed). Routes the documents give are matched on their documented path; Joveo's
document gives no paths, so its routes follow the project's proposed table (docs/vendor-facts.md),
which is itself a guess the facts table makes checkable. Anything else answers 404, as a real host
would for a path it does not have.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx2

JIVOX = "http://demo.stub.api.jivox.com"
JOVEO = "https://api.joveo.com"
MERCHENTA = "https://sandbox.rtbapi.io"
DELTA = "https://delta.invalid"

# credentials the documents use as examples (or stand-in values where they show placeholders)
JIVOX_KEY = "jvx-doc-key"
JOVEO_KEY = "joveo-doc-key"
JOVEO_API_CLIENT = "l81n0sqr0la15s23g78h8aqaf"
JOVEO_TOKEN = "eyJraWQiOiJmT0QxNW1ZXWF.......lWxSXQs6YkdTv81ak6i3tCtWmW0Nfw"
MERCHENTA_TOKEN = "merchenta-doc-token"
DELTA_KEY = "secret123"
AGENCY = "86b35325-794c-11e4-8425-daf437376f87"
DELTA_CLIENT = "86b35326-794c-11e4-8425-daf437376f87"
ACTIVITY = "86b35327-794c-11e4-8425-daf437376f87"
TEMPLATE = "16b35327-794c-11e4-8425-daf437376f87"
LOCATION = f"/api/v1/media_agency/{AGENCY}/client/{DELTA_CLIENT}/campaign/default/activity/{ACTIVITY}"

ENV = {
    "ADOPS_JIVOX_BASE_URL": JIVOX,
    "ADOPS_JIVOX_API_KEY": JIVOX_KEY,
    "ADOPS_JOVEO_API_KEY": JOVEO_KEY,
    "ADOPS_JOVEO_CLIENT_ID": JOVEO_API_CLIENT,
    "ADOPS_MERCHENTA_BASE_URL": MERCHENTA,
    "ADOPS_MERCHENTA_USERNAME": "doc-user",
    "ADOPS_MERCHENTA_PASSWORD": "doc-password",
    "ADOPS_MERCHENTA_ADVERTISER": "MERCHENTA",
    "ADOPS_DELTA_BASE_URL": DELTA,
    "ADOPS_DELTA_API_KEY": DELTA_KEY,
    "ADOPS_DELTA_MEDIA_AGENCY_ID": AGENCY,
}


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # JSON value, or str for a text body
    headers: dict[str, str] = field(default_factory=dict)

    def response(self) -> httpx2.Response:
        if isinstance(self.body, str):
            headers = {"Content-Type": "text/plain", **self.headers}
            return httpx2.Response(self.status, content=self.body.encode(), headers=headers)
        if self.body is None:
            return httpx2.Response(self.status, headers=self.headers)
        headers = {"Content-Type": "application/json", **self.headers}
        return httpx2.Response(self.status, content=json.dumps(self.body).encode(), headers=headers)


@dataclass
class Seen:
    method: str
    host: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def form(self) -> dict[str, str]:
        return dict(httpx2.QueryParams(self.body.decode()))


def _ok(message: str, result: Any = True) -> dict[str, Any]:
    return {"result": result, "message": message}


# ---------------------------------------------------------------------------------- samples

JIVOX_ROUTES: list[tuple[str, str, Answer]] = [
    (
        "POST",
        r"/v2/accounts/[^/]+/retail-campaigns/\d+/activate",
        Answer(body={"message": "Campaign activated successfully", "retailCampaignIdx": 5373}),
    ),
    (
        "GET",
        r"/v2/accounts/[^/]+/retailcampaigns/\d+/activationstatus",
        Answer(body={"percentage": 75, "message": "Generating creative assets...", "status": "IN_PROGRESS"}),
    ),
    (
        "POST",
        r"/v2/accounts/[^/]+/retail-campaigns/\d+/approvalRequest",
        Answer(body={"message": "Campaign preview approval mail sent successfully"}),
    ),
    (
        "GET",
        r"/v2/accounts/[^/]+/retail-campaigns/\d+/approvalStatus",
        Answer(
            body={
                "approvalIdx": 42,
                "status": "Pending",
                "requesterEmail": "chayanp@jivox.com",
                "requiredApprovals": 2,
                "createdOn": "2024-05-10T09:00:00.000Z",
                "updatedOn": "2024-05-10T09:00:00.000Z",
                "approverDetails": [
                    {
                        "userEmail": "john.doe@example.com",
                        "userName": "John Doe",
                        "userId": 101,
                        "approvalStatus": "Approved",
                    },
                    {
                        "userEmail": "jane.doe@example.com",
                        "userName": "External User",
                        "userId": -1,
                        "approvalStatus": "Pending",
                    },
                ],
            }
        ),
    ),
]

MERCHENTA_CREATIVE_1 = {
    "creativeID": "MERCHENTA-Merchenta-Leader-v2-A.78595.jpg",
    "creativeCode": "MERCHENTA-test-1",
    "approvalStatus": "PENDING",
    "approvalMessage": "Creative is under review. Please check again later.",
    "latestUpdate": "2014-10-06T16:13:32.000",
}
MERCHENTA_CREATIVE_2 = {
    "creativeID": "MERCHENTA-Merchenta-IMU-v2-A.47831.jpg",
    "creativeCode": "MERCHENTA-test-2",
    "approvalStatus": "PENDING",
    "approvalMessage": "Creative is under review. Please check again later.",
    "latestUpdate": "2014-10-06T16:13:32.000",
}
MERCHENTA_ROUTES: list[tuple[str, str, Answer]] = [
    # The login is not in the creative-status document; its shape is the public authentication page's.
    ("GET", r"/v3/oauth/accessToken", Answer(body={"status": "success", "data": {"accessToken": MERCHENTA_TOKEN}})),
    (
        "GET",
        r"/v3/campaigns/[^/]+/status",
        Answer(body={"status": "success", "data": {"status": [MERCHENTA_CREATIVE_1, MERCHENTA_CREATIVE_2]}}),
    ),
    (
        "GET",
        r"/v3/creatives/[^/]+/status",
        Answer(body={"status": "success", "data": {"status": MERCHENTA_CREATIVE_1}}),
    ),
    ("POST", r"/v3/creatives/[^/]+/status", Answer(body={"status": "success"})),
    ("POST", r"/v3/campaigns/[^/]+/status", Answer(body={"status": "success"})),
]

_P = r"/api/v1/media_agency/[^/]+/client/[^/]+/campaign/default/activity"
DELTA_ROUTES: list[tuple[str, str, Answer]] = [
    ("GET", _P, Answer(body=[{"id": ACTIVITY, "name": "Example Activity"}])),
    ("POST", _P + "/create_from_template", Answer(201, None, {"Location": LOCATION})),
    (
        "GET",
        _P + "/[^/]+",
        Answer(
            body={
                "id": ACTIVITY,
                "name": "Example Activity",
                "flightStart": "2014-12-31T22:00:00.000+0000",
                "flightStop": "2015-01-10T21:59:59.000+0000",
                "enabled": False,
                "budget": 100000.0,
                "currentTargetSpend": 5054.345,
            }
        ),
    ),
    ("POST", _P + "/[^/]+", Answer(200, None, {"Location": LOCATION})),
    ("GET", r"/api/v1/activity_templates", Answer(body=[{"id": TEMPLATE, "name": "Example Activity Template"}])),
]

_C = r"/v1/clients/[^/]+"
JOVEO_CAMPAIGN = {
    "id": "8f3142dc-d7b1-4b21-86e5-b151ae862664",
    "name": "test-campaign-api-1",
    "activeStatus": "A",
    "settingsOverride": {},
    "createdOn": "string",
    "children": {},
    "isDefault": False,
    "caps": {},
    "placementCaps": "string",
}
JOVEO_JOBGROUP = {
    "id": "df8285cd-2ab4-44ab-8861-9ff3be0c4970",
    "Compound Filters": {},
    "name": "string",
    "placementIds": [],
    "activeStatus": "A",
    "settingsOverride": {},
    "adWordsMetadata": {},
    "createdOn": "2019-11-11T08:33:47.000Z",
    "isDefault": False,
    "caps": {},
    "placementCaps": {},
    "priority": 0,
    "performanceTargets": [],
    "ioDetails": [],
    "categories": [],
    "iid": 1,
}
JOVEO_CLIENT = {
    "id": "0b24ce32-5462-9024-a397-de37da501zzz",
    "children": {},
    "companyName": "jobgroup-saving",
    "exportedName": "Jobgroup saving",
    "startDate": "13/05/2020",
    "endDate": "25/05/2020",
    "timeZone": "UTC-11:00",
    "ats": "ADP Apply 2 Jobs",
    "caps": {},
    "startDefaultCampaign": False,
    "clientType": "DirectEmployer",
    "markdown": 2,
    "applyConvWindow": 30,
    "excludedPublishers": [],
    "globallyExcludedPublishers": [],
}
JOVEO_JOB = {
    "refNumber": "test-job-ref-number-19",
    "title": "test title",
    "company": "test company",
    "jobId": "e13cd1d459a7be781712aa2636a9580c",
    "status": "ACTIVE",
    "valid": True,
    "clientId": "40194b3f-7b49-41e8-b235-4d93a50330f3",
}
JOVEO_CONFIG_LISTED = {
    "id": "213d2dcb-d72b-43fb-85bc-71e1aaa8fe8a",
    "agencyId": "ripple",
    "clientIds": [],
    "placement": "TestExp1",
    "placementName": "TestExp1",
    "cost": 220,
    "costPerJobPerDay": 20,
    "costPerSlotPerHour": 2,
    "startDate": "2020-08-03T05:19:00.000Z",
    "endDate": "2020-08-03T05:13:00.000Z",
    "duration": 124,
    "availableCount": 100,
    "rotateFreqInDays": 2,
    "usedCount": 0,
    "lastRotated": "2020-08-03T05:13:00.000Z",
    "isActive": False,
    "lastUpdated": "2020-08-03T05:13:00.000Z",
    "createdOn": "2020-08-03T05:13:00.000Z",
    "jobDuration": 10,
    "postedJobsCount": 0,
    "configType": "string",
    "minJobDurationInDays": 2,
    "billingType": {},
    "purchaseType": {},
}
JOVEO_CONFIG = {
    "id": "213d2dcb-d72b-43fb-85bc-71e1aaa8fe8a",
    "agencyId": "ripple",
    "clientIds": [],
    "placement": "TestExp1",
    "placementName": "TestExp1",
    "cost": 220,
    "startDate": "2020-08-03T05:19:00.000Z",
    "endDate": "2020-08-03T05:13:00.000Z",
    "dateFormat": "yyyy-MM-dd'T'HH:mm:ssZ",
    "availableCount": 100,
    "rotateFreqInDays": 2,
    "jobDuration": 10,
    "minJobDurationInDays": 2,
    "billingType": "PREPAID",
    "purchaseType": "ClientBilled",
    "isActive": False,
    "usedCount": 0,
}
JOVEO_CONFIG_JOB = {
    "id": "f4f71332-5013-44f3-9e66-1e732149aa09",
    "clientId": "3788ba55-a0c5-43ec-9982-65bb1344fa2b",
    "jobId": "1b123575a6037f46f0c2327e2cfad81b",
    "placement": "TestExp1",
    "refNumber": "test-job-ref-number-19",
    "isPosted": True,
    "isPinned": True,
    "isPaused": True,
    "lastModified": "2021-05-03T08:58:42.000Z",
    "createdOn": "2021-05-03T08:58:42.000Z",
    "status": "A",
}
JOVEO_ROUTES: list[tuple[str, str, Answer]] = [
    (
        "POST",
        r"/v1/access-token",
        Answer(body={"access_token": JOVEO_TOKEN, "expires_in": 86400, "token_type": "Bearer"}),
    ),
    (
        "POST",
        r"/v1/clients",
        Answer(body={"result": "7baeb0b8-ae6f-4jed-b80f-az8z86a917d4", "message": "client created"}),
    ),
    ("GET", r"/v1/clients", Answer(body={"data": []})),
    ("GET", _C + "/status", Answer(body={"result": "A", "message": "Status fetched successfully"})),
    ("GET", _C + "/cif-mappings", Answer(body={"external-data": "cif1", "day": "cif2", "cpc": "cif3"})),
    ("POST", _C + "/pause", Answer(body=_ok("Client paused"))),
    ("POST", _C + "/enable", Answer(body=_ok("Client enabled"))),
    ("POST", _C + "/jobs", Answer(body={"result": "e13cd1d459a7be781712aa2636a9580c", "message": "Job created"})),
    ("GET", _C + "/jobs", Answer(body={"data": [], "summary": 100})),
    ("POST", _C + "/jobs/[^/]+/pause", Answer(body=_ok("Job paused"))),
    ("POST", _C + "/jobs/[^/]+/enable", Answer(body=_ok("Job enabled"))),
    ("GET", _C + "/jobs/[^/]+", Answer(body=JOVEO_JOB)),
    ("DELETE", _C + "/jobs/[^/]+", Answer(body=_ok("Job deleted"))),
    ("PUT", _C + "/jobs/[^/]+", Answer(body={"result": "e13cd1d459a7be781712aa2636a9580c", "message": "Job updated"})),
    ("POST", r"/v1/jobs/bulk", Answer(body=[{}])),
    (
        "POST",
        _C + "/campaigns",
        Answer(body={"result": "f2fb5642-668b-4579-82c4-0f0cb889c21e", "message": "campaign created"}),
    ),
    ("GET", _C + "/campaigns", Answer(body={"data": []})),
    ("POST", _C + "/campaigns/[^/]+/pause", Answer(body=_ok("Campaign paused"))),
    ("POST", _C + "/campaigns/[^/]+/enable", Answer(body=_ok("Campaign enabled"))),
    (
        "POST",
        _C + "/campaigns/[^/]+/jobgroups",
        Answer(body={"result": "bebdddfc-fcc3-49b2-9390-7a9f2ef52f4d", "message": "Jobgroup created"}),
    ),
    ("GET", _C + "/campaigns/[^/]+/jobgroups", Answer(body={"data": []})),
    ("POST", _C + "/campaigns/[^/]+/jobgroups/[^/]+/pause", Answer(body=_ok("Jobgroup paused"))),
    ("POST", _C + "/campaigns/[^/]+/jobgroups/[^/]+/enable", Answer(body=_ok("Jobgroup enabled"))),
    ("GET", _C + "/campaigns/[^/]+/jobgroups/[^/]+", Answer(body=JOVEO_JOBGROUP)),
    ("DELETE", _C + "/campaigns/[^/]+/jobgroups/[^/]+", Answer(body=_ok("Jobgroup deleted"))),
    ("PUT", _C + "/campaigns/[^/]+/jobgroups/[^/]+", Answer(body=_ok("Jobgroup updated"))),
    ("GET", _C + "/campaigns/[^/]+", Answer(body=JOVEO_CAMPAIGN)),
    ("DELETE", _C + "/campaigns/[^/]+", Answer(body=_ok("Campaign deleted"))),
    ("PUT", _C + "/campaigns/[^/]+", Answer(body=_ok("Campaign updated"))),
    ("GET", _C + "/jobgroups", Answer(body={"data": []})),
    ("POST", _C + "/feeds", Answer(body={"result": "36e90f46-9d9e-42ac-accb-559de107bbc8", "message": "Feed created"})),
    ("GET", _C + "/feeds", Answer(body={"data": []})),
    (
        "GET",
        _C + "/feeds/[^/]+",
        Answer(
            body={
                "clientId": "3788ba55-a0c5-43ec-9982-65bb1344fa2b",
                "source": "",
                "config": {},
                "createdOn": "2021-04-29T10:57:43.000Z",
                "lastUpdated": "2021-04-29T10:57:43.000Z",
                "active": True,
                "schemaMappings": {},
                "urlParamsToStrip": [],
                "id": "277bc914-a6eb-44a4-beea-cb1c2bd60d24",
                "deleted": False,
            }
        ),
    ),
    ("DELETE", _C + "/feeds/[^/]+", Answer(body=_ok("Feed deleted"))),
    (
        "PUT",
        _C + "/feeds/[^/]+",
        Answer(body={"result": "277bc914-a6eb-44a4-beea-cb1c2bd60d24", "message": "Feed updated"}),
    ),
    ("GET", _C + "/publishers/[^/]+/jobs", Answer(body={"data": []})),
    ("GET", _C + "/publishers/[^/]+/configs/[^/]+/jobs/[^/]+", Answer(body=JOVEO_CONFIG_JOB)),
    ("GET", _C + "/publishers/[^/]+/configs/[^/]+/jobs", Answer(body={"data": []})),
    ("GET", _C + "/publishers/[^/]+/configs/[^/]+", Answer(body=JOVEO_CONFIG)),
    ("PUT", _C + "/publishers/[^/]+/configs/[^/]+", Answer(body=_ok("Config update processed"))),
    ("DELETE", _C + "/publishers/[^/]+/configs/[^/]+", Answer(body=_ok("Config update processed"))),
    ("POST", _C + "/configs/[^/]+/jobs", Answer(body={"result": {}, "message": "Create request processed"})),
    (
        "POST",
        _C + "/publishers/[^/]+/configs",
        Answer(body={"result": "213d2dcb-d72b-43fb-85bc-71e1aaa8fe8a", "message": "Config created"}),
    ),
    ("GET", _C + "/publishers/[^/]+/configs", Answer(body=JOVEO_CONFIG_LISTED)),  # V42: one bare object
    ("GET", _C + "/configs", Answer(body={"data": []})),
    (
        "POST",
        r"/v1/stats/reports",
        Answer(body="NO_CONTENT"),  # V49: text/plain NO_CONTENT
    ),
    ("GET", r"/v1/stats/reports/[^/]+/status", Answer(body={"status": "SUCCESS", "location": []})),
    ("POST", r"/v1/stats/stream", Answer(body={"streamNumber": 5, "stats": []})),
    ("GET", r"/v1/meta", Answer(body={"success": True, "campaigns": []})),
    ("POST", r"/v1/rules/jobs", Answer(body={"data": {}, "success": True})),
    ("POST", r"/v1/reports/ip", Answer(body={})),
    ("POST", r"/v1/reports", Answer(body={})),
    (
        "POST",
        r"/v1/funnel/candidate-status",
        Answer(body={"success": True, "failure": False, "value": "1dffad4c-667c-45c7-90f6-58c1c0d86600"}),
    ),
    (
        "POST",
        r"/s2s/events",
        Answer(body={"statusCode": 200, "body": "Successfully sent s2s conversion event for further processing."}),
    ),
    (
        "POST",
        r"/v1/publisher-families/[^/]+/reports",
        Answer(body={"success": True, "reportId": "eba6971f-4880-4f05-bfbf-a308e30084ea"}),
    ),
    # "Get a report" and "Get Report Generation Status" show no response sample: an empty object.
    ("GET", r"/v1/reports/[^/]+", Answer(body={})),
    ("GET", r"/v1/publisher-families/[^/]+/reports/[^/]+", Answer(body={})),
    ("GET", _C, Answer(body=JOVEO_CLIENT)),
    ("PUT", _C, Answer(body=_ok("Client Updated"))),
    ("DELETE", _C, Answer(body=_ok("Client Deleted"))),
]

ROUTES = {
    "demo.stub.api.jivox.com": JIVOX_ROUTES,
    "api.joveo.com": JOVEO_ROUTES,
    "sandbox.rtbapi.io": MERCHENTA_ROUTES,
    "delta.invalid": DELTA_ROUTES,
}


class StandIn(httpx2.MockTransport):
    """Answers every request from the document samples; `override` replaces one route's answer."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.overrides: list[tuple[str, str, str, list[Answer]]] = []
        super().__init__(self._handle)

    def answer(self, host: str, method: str, pattern: str, *answers: Answer) -> None:
        """Answer matching requests with these (in turn; the last repeats), before the samples."""
        self.overrides.insert(0, (host, method, pattern, list(answers)))

    def _handle(self, request: httpx2.Request) -> httpx2.Response:
        host, path = request.url.host, request.url.path
        self.seen.append(
            Seen(
                request.method,
                host,
                path,
                dict(request.url.params),
                {k.lower(): v for k, v in request.headers.items()},
                request.read(),
            )
        )
        for o_host, method, pattern, answers in self.overrides:
            if o_host == host and method == request.method and re.fullmatch(pattern, path):
                return (answers.pop(0) if len(answers) > 1 else answers[0]).response()
        for method, pattern, answer in ROUTES.get(host, []):
            if method == request.method and re.fullmatch(pattern, path):
                return answer.response()
        return httpx2.Response(404, content=b"Not Found", headers={"Content-Type": "text/plain"})

    def requests(self, host: str, method: str | None = None) -> list[Seen]:
        return [s for s in self.seen if s.host == host and (method is None or s.method == method)]

    def last(self, host: str, method: str | None = None) -> Seen:
        found = self.requests(host, method)
        assert found, f"no {method or ''} request reached {host}"
        return found[-1]
