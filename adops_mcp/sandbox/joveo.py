"""Stateful simulator of the Joveo external API (MOJO programmatic job advertising).

Paths and methods are the PROPOSED table V1-V60 of VENDORS.md section 2 (the vendor document lost
them); behaviour follows ../shared/vendor-docs/joveo-api.txt. Where the document is silent the
sandbox decides, and says so here so a client writer knows what is vendor fact and what is not.

Credentials (constructor keyword arguments override): API_KEY "sandbox-joveo-key" (header
`x-api-key`) and CLIENT_ID "sandbox-joveo-api-client" (the external API client id that mints tokens).

Sandbox decisions (not documented by the vendor):
- Error bodies are JSON `{"message": "..."}` (the vendor documents status codes only).
- 401: missing/unknown `x-api-key`. 403: missing/unknown/expired `x-authorization-key`, a token minted
  for another API client, an unknown client_id in the token request, or an unknown client id given in a
  header/query (`x-client-id`, `client_id`). 404: unknown ids in the path (a deleted thing is gone).
  400: missing `x-client-id` / `client_id` header or query, bad body, bad paging, bad dates.
- `x-authorization-key` carries the raw access_token (no "Bearer " prefix; a prefixed one is 403).
- Paging: `page` starts at 1 (skips (page-1)*limit), `limit` 1..1000, both required (400 otherwise).
  Jobs lists reach only the first 10,000 jobs: a page starting at 10,000 or later is 400.
- Dates of clients, campaigns, job groups and rules are mm/dd/yyyy in and out (400 otherwise,
  e.g. the vendor's own dd/mm/yyyy sample "20/04/2020"). Posting configs take ISO 8601 dates.
- Jobs have `status` "ACTIVE" | "PAUSED" and `valid`; clients (V7), campaigns and job groups use
  "A" | "P". A parent's pause does not rewrite children: each keeps its own status, and the effect
  shows in stats (zero clicks/spend) and in `sim.effective_status(jobgroup_id)`.
- Duplicate refNumber on V11 is 400. V40 answers result {added: [...], failed: [{refNumber, reason}]}.
- V42 (configs of a client and publisher) answers {data: [...]} like other lists, without paging.
- Async stats V49: 200 text/plain "NO_CONTENT" with headers `x-task-id: <id>` and
  `Location: /v1/stats/reports/<id>/status`. filters: {startDate, endDate (mm/dd/yyyy, default the last
  30 days), campaignIds?, jobGroupIds?}; aggregationLevel: {primaryLevel (required), secondaryLevel?,
  tertiaryLevel?}, distinct (400 otherwise); levels CLIENT | CAMPAIGN | JOBGROUP shape the rows, others
  are accepted and reported at job group grain. V50 answers {status: "IN_PROGRESS"} for the first
  `sim.stats_polls_in_progress` (2) polls, then {status: "SUCCESS", location: [
  "https://reports.sandbox.joveo.invalid/<id>.csv"]} or {status: "NO_RECORDS_FOUND"}.
  NO_RECORDS rule: stats exist only for the last 60 days (clock-based) and only for job groups that are
  running now (own, campaign and client status "A") on days inside their start/end dates; when the
  selection has no clicks under that rule (range older than 60 days, only paused/ended job groups,
  unknown ids, a paused client) the task ends NO_RECORDS_FOUND. `sim.report_rows(task_id)` gives the rows.
- V51 stream (WIP at the vendor): answers one chunk {streamNumber: 1, stats: [rows]} (not streamed);
  set `sim.stream_deployed = False` to get 501 {"message": "... not deployed ..."} as production may.
- V54/V55 answer {"reportId": "<id>"} (the vendor sample is an empty object); V56 answers
  {reportId, status: "IN_PROGRESS" | "SUCCESS", url} (IN_PROGRESS for the first poll).
- V53 rules are validated and recorded (`sim.rules`), not executed.
- V59/V60 publisher reports: {success: true, reportId}; status {success, reportId, status, url}.

Seeded accounts (agency "ripple"; clock-relative behaviour uses `sim.clock`):

| kind | id | name | demonstrates |
|---|---|---|---|
| client | 3f6c2a9e-8d41-4b7a-9e2c-5a1d7b0c4e11 | Globex Logistics | active; 5,000 jobs GLX-00000..GLX-04999 (every i%97==13 invalid, every i%50==7 PAUSED) |
| client | a27e91d4-5c3b-4f08-8b6e-2d9f4c1a7e52 | Initech Health | active; 40 jobs INH-00000.. |
| client | c8d45b17-2e6a-49f3-a1c0-7b3e9d5f2a83 | Umbrella Retail | client paused (status P); 25 jobs UMB-00000.. |
| campaign | 0b7d3e51-9a2c-4e86-b4f1-6c8a2d9e1f01 | Always-on Drivers (Globex) | active |
| campaign | 5e9a1c73-4b2d-4f6e-8a90-1d3c5b7e9f02 | Q3 Warehouse Surge (Globex) | campaign paused |
| campaign | 7c2e4a96-1d8b-4c35-9f7a-3e5b1d9c2a03 | Nurse Hiring 2025 (Initech) | active |
| campaign | 9a4c6e18-3f5d-4a27-b1e9-5c7d3f1b4e04 | Store Associates (Umbrella) | active but client paused |
| job group | 1d4b7e2a-6c3f-4a58-9e1d-0a2b4c6d8e11 | CDL Drivers - Texas | running, cpcBid 0.45, cpaBid 12.5 |
| job group | 2e5c8f3b-7d4a-4b69-8f2e-1b3c5d7e9f12 | Owner Operators | own status P |
| job group | 3f6d9a4c-8e5b-4c7a-9a3f-2c4d6e8f0a13 | Summer Drivers 2024 | status A, endDate 08/31/2024 (ended) |
| job group | 4a7e0b5d-9f6c-4d8b-8b4a-3d5e7f9a1b14 | Forklift Operators | status A in paused campaign: not spending |
| job group | 5b8f1c6e-0a7d-4e9c-9c5b-4e6f8a0b2c15 | ICU Nurses (Initech) | running, cpcBid 1.10 |
| job group | 6c9a2d7f-1b8e-4fad-8d6c-5f7a9b1c3d16 | Travel Nurses (Initech) | running, cpcBid 0.95 |
| job group | 7dab3e8a-2c9f-4abe-9e7d-6a8b0c2d4e17 | Holiday Cashiers (Umbrella) | status A, client paused |
| feed | 277bc914-a6eb-44a4-beea-cb1c2bd60d24 | Globex XML feed | active |
| feed | 36e90f46-9d9e-42ac-accb-559de107bbc8 | Initech XML feed | active |
| config | 213d2dcb-d72b-43fb-85bc-71e1aaa8fe8a | Globex on ziprecruiter | cost 220, 100 slots, 3 used |
| config | 8c1e5f2a-4b7d-4e3a-9f6c-2d8a1b5e7c9f | Globex on dice | cost 1000, 5 slots, all used (full) |
| config | 4f2a8d6c-1e9b-4c7f-a3d5-8b6e2c9f1a4d | Initech on dice | cost 300, 20 slots, 2 used |

Publishers: ziprecruiter, dice, careerbuilder (no configs). Publisher families:
65a1f0c2b7d94e3a8c5b2d10 (ZipRecruiter), 65a1f0c2b7d94e3a8c5b2d11 (Dice).
Job jobIds are 32 hex characters; `sim.job_id(client_id, ref)` gives one for tests.
Other Python helpers: `sim.token_requests` (successful mints), `sim.expire_tokens()`,
`sim.add_api_client(client_id, api_key)`, `sim.set_status("client"|"campaign"|"jobgroup", id, "A"|"P")`,
`sim.effective_status(jobgroup_id)` -> {running, reasons}, `sim.report_rows(task_id)`,
`sim.stats_polls_in_progress`, `sim.report_polls_in_progress`, `sim.stream_deployed`, and the recorded
`sim.funnel_events`, `sim.s2s_events` (with a `duplicate` flag per jobApplicationId), `sim.rules`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

AGENCY_ID = "ripple"
TOKEN_TTL = 86400
MAX_LIMIT = 1000
MAX_JOBS_REACHABLE = 10_000
STATS_WINDOW_DAYS = 60
REPORT_HOST = "https://reports.sandbox.joveo.invalid"

GLOBEX = "3f6c2a9e-8d41-4b7a-9e2c-5a1d7b0c4e11"
INITECH = "a27e91d4-5c3b-4f08-8b6e-2d9f4c1a7e52"
UMBRELLA = "c8d45b17-2e6a-49f3-a1c0-7b3e9d5f2a83"
CAMP_ALWAYS_ON = "0b7d3e51-9a2c-4e86-b4f1-6c8a2d9e1f01"
CAMP_Q3_SURGE = "5e9a1c73-4b2d-4f6e-8a90-1d3c5b7e9f02"
CAMP_NURSES = "7c2e4a96-1d8b-4c35-9f7a-3e5b1d9c2a03"
CAMP_STORES = "9a4c6e18-3f5d-4a27-b1e9-5c7d3f1b4e04"
JG_CDL_TEXAS = "1d4b7e2a-6c3f-4a58-9e1d-0a2b4c6d8e11"
JG_OWNER_OPS = "2e5c8f3b-7d4a-4b69-8f2e-1b3c5d7e9f12"
JG_SUMMER_2024 = "3f6d9a4c-8e5b-4c7a-9a3f-2c4d6e8f0a13"
JG_FORKLIFT = "4a7e0b5d-9f6c-4d8b-8b4a-3d5e7f9a1b14"
JG_ICU = "5b8f1c6e-0a7d-4e9c-9c5b-4e6f8a0b2c15"
JG_TRAVEL = "6c9a2d7f-1b8e-4fad-8d6c-5f7a9b1c3d16"
JG_HOLIDAY = "7dab3e8a-2c9f-4abe-9e7d-6a8b0c2d4e17"
FEED_GLOBEX = "277bc914-a6eb-44a4-beea-cb1c2bd60d24"
FEED_INITECH = "36e90f46-9d9e-42ac-accb-559de107bbc8"
CFG_GLOBEX_ZIP = "213d2dcb-d72b-43fb-85bc-71e1aaa8fe8a"
CFG_GLOBEX_DICE = "8c1e5f2a-4b7d-4e3a-9f6c-2d8a1b5e7c9f"
CFG_INITECH_DICE = "4f2a8d6c-1e9b-4c7f-a3d5-8b6e2c9f1a4d"
PUBLISHERS = {"ziprecruiter": "ZipRecruiter", "dice": "Dice", "careerbuilder": "CareerBuilder"}
PUBLISHER_FAMILIES = {"65a1f0c2b7d94e3a8c5b2d10": "ZipRecruiter", "65a1f0c2b7d94e3a8c5b2d11": "Dice"}

MANDATORY_JOB_FIELDS = ("title", "url", "city", "country")
REPORT_GROUP_BY = ("JOB", "JOBGROUP", "CAMPAIGN", "CLIENT")
PUBLISHER_PERIODS = ("LAST_MONTH", "THIS_MONTH", "LAST_30_DAYS")
LEVEL_KEYS = {
    "CLIENT": ("clientId", "clientName"),
    "CAMPAIGN": ("campaignId", "campaignName"),
    "JOBGROUP": ("jobGroupId", "jobGroupName"),
}


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _uid(seed: str) -> str:
    return str(uuid.UUID(hashlib.md5(seed.encode()).hexdigest()))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _mdy(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def _parse_mdy(value: Any, field: str) -> date:
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", value):
        try:
            return datetime.strptime(value, "%m/%d/%Y").date()
        except ValueError:
            pass
    raise ApiError(400, f"{field} must be a date in mm/dd/yyyy format, got {value!r}")


def _parse_iso(value: Any, field: str) -> datetime:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except ValueError:
            pass
    raise ApiError(400, f"{field} must be an ISO 8601 date-time such as 2025-08-03T05:19:00.000Z, got {value!r}")


def _number(value: Any, field: str, integer: bool = False) -> float:
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if not ok or isinstance(value, bool) or value < 0:
        kind = "a non-negative integer" if integer else "a non-negative number"
        raise ApiError(400, f"{field} must be {kind}")
    return value


def _bool_param(query: QueryParams, name: str) -> bool | None:
    raw = query.get(name)
    if raw is None:
        return None
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise ApiError(400, f"query parameter {name} must be true or false")


def _ids(value: Any, field: str) -> set[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {value}
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return set(value)
    raise ApiError(400, f"{field} must be a string or an array of strings")


@dataclass
class _Call:
    params: dict[str, str]
    query: QueryParams
    headers: Headers
    raw: bytes

    def json(self, default: Any = None) -> Any:
        if not self.raw.strip():
            if default is None:
                raise ApiError(400, "request body is required")
            return default
        try:
            return json.loads(self.raw)
        except ValueError:
            raise ApiError(400, "request body must be valid JSON") from None

    def obj(self, allow_empty: bool = False) -> dict[str, Any]:
        body = self.json({} if allow_empty else None)
        if not isinstance(body, dict):
            raise ApiError(400, "request body must be a JSON object")
        return body


# Job titles, categories and places per client prefix; jobs are generated from their index.
_JOB_POOLS: dict[str, tuple[list[tuple[str, str]], list[tuple[str, str, str]]]] = {
    "GLX": (
        [
            ("CDL-A Truck Driver", "Transportation"),
            ("Warehouse Associate", "Warehouse"),
            ("Forklift Operator", "Warehouse"),
            ("Dispatcher", "Logistics"),
            ("Diesel Mechanic", "Maintenance"),
            ("Yard Jockey", "Transportation"),
        ],
        [
            ("Dallas", "TX", "75201"),
            ("Houston", "TX", "77002"),
            ("Memphis", "TN", "38103"),
            ("Columbus", "OH", "43215"),
            ("Reno", "NV", "89501"),
            ("Atlanta", "GA", "30303"),
        ],
    ),
    "INH": (
        [
            ("ICU Registered Nurse", "Nursing"),
            ("Travel Nurse", "Nursing"),
            ("Medical Assistant", "Healthcare"),
            ("Phlebotomist", "Healthcare"),
        ],
        [("Boston", "MA", "02108"), ("Cleveland", "OH", "44113"), ("Denver", "CO", "80202")],
    ),
    "UMB": (
        [("Cashier", "Retail"), ("Store Associate", "Retail"), ("Shift Supervisor", "Retail")],
        [("Chicago", "IL", "60601"), ("Phoenix", "AZ", "85004")],
    ),
}


class _JobStore:
    """Jobs of one client: `count` generated lazily from an index, plus overrides and additions."""

    def __init__(self, client_id: str, prefix: str, company: str, count: int) -> None:
        self.client_id, self.prefix, self.company, self.count = client_id, prefix, company, count
        self.overrides: dict[str, dict[str, Any]] = {}
        self.deleted: set[str] = set()
        self.added: dict[str, dict[str, Any]] = {}

    def ref(self, index: int) -> str:
        return f"{self.prefix}-{index:05d}"

    def index(self, ref: str) -> int | None:
        match = re.fullmatch(rf"{re.escape(self.prefix)}-(\d{{5}})", ref)
        if match and int(match.group(1)) < self.count:
            return int(match.group(1))
        return None

    def job_id(self, ref: str) -> str:
        index = self.index(ref)
        digest = hashlib.md5(f"{self.client_id}:{ref}".encode()).hexdigest()
        # Generated jobs carry their index in the last 8 hex digits so bulk lookups stay cheap.
        return digest if index is None else digest[:24] + f"{index:08x}"

    def _generate(self, index: int) -> dict[str, Any]:
        titles, places = _JOB_POOLS.get(self.prefix, _JOB_POOLS["GLX"])
        title, category = titles[index % len(titles)]
        city, state, zip_code = places[(index // len(titles)) % len(places)]
        ref = self.ref(index)
        created = datetime(2025, 1, 6, 9, tzinfo=UTC) + timedelta(days=index % 120, minutes=index % 60)
        valid = index % 97 != 13
        url = f"https://careers.example.com/{self.prefix.lower()}/jobs/{ref}" if valid else ""
        return {
            "refNumber": ref,
            "title": title,
            "company": self.company,
            "description": f"{title} at {self.company} in {city}, {state}.",
            "category": category,
            "url": url,
            "alternateURL": "",
            "city": city,
            "state": state,
            "country": "US",
            "zip": zip_code,
            "jobId": self.job_id(ref),
            "createdAtDate": _iso(created),
            "updatedAtDate": _iso(created),
            "pubDate": _iso(created),
            "postedDate": _iso(created),
            "modifiedDate": _iso(created),
            "endAtDate": _iso(created + timedelta(days=365)),
            "type": "FULL_TIME",
            "additionalFields": {},
            "publisherFields": {},
            "jobSetting": {},
            "placementSettings": [],
            "clientId": self.client_id,
            "valid": valid,
            "status": "PAUSED" if index % 50 == 7 else "ACTIVE",
        }

    def get(self, ref: str) -> dict[str, Any] | None:
        if ref in self.deleted:
            return None
        if ref in self.overrides:
            return self.overrides[ref]
        if ref in self.added:
            return self.added[ref]
        index = self.index(ref)
        return None if index is None else self._generate(index)

    def put(self, job: dict[str, Any]) -> None:
        ref = job["refNumber"]
        self.deleted.discard(ref)
        (self.overrides if self.index(ref) is not None else self.added)[ref] = job

    def delete(self, ref: str) -> None:
        self.overrides.pop(ref, None)
        self.added.pop(ref, None)
        if self.index(ref) is not None:
            self.deleted.add(ref)

    def refs(self) -> Iterator[str]:
        for index in range(self.count):
            ref = self.ref(index)
            if ref not in self.deleted:
                yield ref
        yield from list(self.added)

    def total(self) -> int:
        return self.count - len(self.deleted) + len(self.added)

    def by_job_id(self, job_id: str) -> dict[str, Any] | None:
        if re.fullmatch(r"[0-9a-f]{32}", job_id):
            index = int(job_id[24:], 16)
            if index < self.count:
                job = self.get(self.ref(index))
                if job is not None and job["jobId"] == job_id:
                    return job
        return next((j for j in self.added.values() if j["jobId"] == job_id), None)


class JoveoSimulator:
    vendor = "joveo"

    def __init__(self, clock: Callable[[], float] | None = None, **credentials: str) -> None:
        self.credentials = {"API_KEY": "sandbox-joveo-key", "CLIENT_ID": "sandbox-joveo-api-client"}
        self.credentials.update(credentials)
        self.clock: Callable[[], float] = clock or time.time
        # API client id -> its API key; a token only works with the key of the client that minted it.
        self.api_clients = {self.credentials["CLIENT_ID"]: self.credentials["API_KEY"]}
        self.tokens: dict[str, tuple[str, float]] = {}
        self.token_requests = 0
        self.stats_polls_in_progress = 2
        self.report_polls_in_progress = 1
        self.stream_deployed = True
        self.clients: dict[str, dict[str, Any]] = {}
        self.campaigns: dict[str, dict[str, Any]] = {}
        self.jobgroups: dict[str, dict[str, Any]] = {}
        self.feeds: dict[str, dict[str, Any]] = {}
        self.configs: dict[str, dict[str, Any]] = {}
        self.jobs: dict[str, _JobStore] = {}
        self.cif_mappings: dict[str, dict[str, str]] = {}
        self.stats_tasks: dict[str, dict[str, Any]] = {}
        self.reports: dict[str, dict[str, Any]] = {}
        self.publisher_reports: dict[str, dict[str, Any]] = {}
        self.funnel_events: list[dict[str, Any]] = []
        self.s2s_events: list[dict[str, Any]] = []
        self.rules: list[dict[str, Any]] = []
        self._seq = 0
        self._iid = 100
        self._seed()

    # ----------------------------------------------------------------- helpers for tests/demos

    def add_api_client(self, client_id: str, api_key: str) -> None:
        self.api_clients[client_id] = api_key

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def job_id(self, client_id: str, ref: str) -> str:
        return self.jobs[client_id].job_id(ref)

    def set_status(self, kind: str, object_id: str, status: str) -> None:
        """kind: client | campaign | jobgroup; status: A | P."""
        if kind == "client":
            self.clients[object_id]["_status"] = status
        else:
            {"campaign": self.campaigns, "jobgroup": self.jobgroups}[kind][object_id]["activeStatus"] = status

    def effective_status(self, jobgroup_id: str) -> dict[str, Any]:
        """Whether a job group can spend today, and every reason it cannot."""
        jg = self.jobgroups[jobgroup_id]
        reasons = self._pause_reasons(jg)
        today = self._today()
        if today < _parse_mdy(jg["startDate"], "startDate"):
            reasons.append(f"job group starts on {jg['startDate']}")
        if today > _parse_mdy(jg["endDate"], "endDate"):
            reasons.append(f"job group ended on {jg['endDate']}")
        return {"running": not reasons, "reasons": reasons}

    def report_rows(self, task_id: str) -> list[dict[str, Any]]:
        return self.stats_tasks[task_id]["rows"]

    # ------------------------------------------------------------------------------ internals

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def _today(self) -> date:
        return self._now().date()

    def _new_id(self, kind: str) -> str:
        self._seq += 1
        return _uid(f"joveo-{kind}-{self._seq}")

    def _pause_reasons(self, jg: dict[str, Any]) -> list[str]:
        reasons = []
        if self.clients[jg["_client"]]["_status"] != "A":
            reasons.append("client paused")
        if self.campaigns[jg["_campaign"]]["activeStatus"] != "A":
            reasons.append("campaign paused")
        if jg["activeStatus"] != "A":
            reasons.append("job group paused")
        return reasons

    def _seed(self) -> None:
        created = "2025-01-06T09:00:00.000Z"
        for cid, name, exported, tz, status, ats in (
            (GLOBEX, "Globex Logistics", "globex-logistics", "UTC-06:00", "A", "Workday"),
            (INITECH, "Initech Health", "initech-health", "UTC-05:00", "A", "iCIMS"),
            (UMBRELLA, "Umbrella Retail", "umbrella-retail", "UTC-07:00", "P", "Greenhouse"),
        ):
            self.clients[cid] = self._client_record(
                cid,
                {
                    "companyName": name,
                    "exportedName": exported,
                    "timeZone": tz,
                    "startDate": "01/06/2025",
                    "endDate": "12/31/2030",
                    "applyConvWindow": 30,
                    "clientType": "DirectEmployer",
                    "advertiserName": name,
                    "caps": {"budget": {"monthly": 25000 if cid == GLOBEX else 8000}},
                },
                status=status,
                ats=ats,
            )
        self.jobs[GLOBEX] = _JobStore(GLOBEX, "GLX", "Globex Logistics", 5000)
        self.jobs[INITECH] = _JobStore(INITECH, "INH", "Initech Health", 40)
        self.jobs[UMBRELLA] = _JobStore(UMBRELLA, "UMB", "Umbrella Retail", 25)
        self.cif_mappings = {
            GLOBEX: {"external-data": "cif1", "day": "cif2", "cpc": "cif3"},
            INITECH: {"requisition-id": "cif1", "shift": "cif2"},
            UMBRELLA: {"store-number": "cif1"},
        }
        for camp_id, cid, name, status, is_default in (
            (CAMP_ALWAYS_ON, GLOBEX, "Always-on Drivers", "A", True),
            (CAMP_Q3_SURGE, GLOBEX, "Q3 Warehouse Surge", "P", False),
            (CAMP_NURSES, INITECH, "Nurse Hiring 2025", "A", True),
            (CAMP_STORES, UMBRELLA, "Store Associates", "A", True),
        ):
            self.campaigns[camp_id] = self._campaign_record(
                camp_id,
                cid,
                {
                    "name": name,
                    "startDate": "01/06/2025",
                    "endDate": "12/31/2030",
                    "caps": {"budget": {"monthly": 10000}},
                },
                created,
            )
            self.campaigns[camp_id].update(activeStatus=status, isDefault=is_default)
        for jg_id, camp_id, name, status, start, end, cpc, cpa in (
            (JG_CDL_TEXAS, CAMP_ALWAYS_ON, "CDL Drivers - Texas", "A", "01/06/2025", "12/31/2030", 0.45, 12.5),
            (JG_OWNER_OPS, CAMP_ALWAYS_ON, "Owner Operators", "P", "01/06/2025", "12/31/2030", 0.60, 18.0),
            (JG_SUMMER_2024, CAMP_ALWAYS_ON, "Summer Drivers 2024", "A", "05/01/2024", "08/31/2024", 0.40, 10.0),
            (JG_FORKLIFT, CAMP_Q3_SURGE, "Forklift Operators", "A", "01/06/2025", "12/31/2030", 0.35, 9.0),
            (JG_ICU, CAMP_NURSES, "ICU Nurses", "A", "01/06/2025", "12/31/2030", 1.10, 35.0),
            (JG_TRAVEL, CAMP_NURSES, "Travel Nurses", "A", "01/06/2025", "12/31/2030", 0.95, 30.0),
            (JG_HOLIDAY, CAMP_STORES, "Holiday Cashiers", "A", "01/06/2025", "12/31/2030", 0.25, 6.0),
        ):
            self.jobgroups[jg_id] = self._jobgroup_record(
                jg_id,
                self.campaigns[camp_id]["_client"],
                camp_id,
                {
                    "name": name,
                    "startDate": start,
                    "endDate": end,
                    "cpcBid": cpc,
                    "cpaBid": cpa,
                    "filters": {"rules": [{"field": "title", "operator": "CONTAINS", "value": name.split()[0]}]},
                    "caps": {"budget": {"monthly": 3000}},
                    "placements": [{"placementId": "ziprecruiter"}],
                },
                created,
            )
            self.jobgroups[jg_id]["activeStatus"] = status
        for feed_id, cid in ((FEED_GLOBEX, GLOBEX), (FEED_INITECH, INITECH)):
            self.feeds[feed_id] = self._feed_record(
                feed_id,
                cid,
                {
                    "xmlFeedUrl": f"https://feeds.example.com/{cid[:8]}/jobs.xml",
                    "schemaMappings": {"refNumber": "requisitionid", "title": "title"},
                },
                created,
            )
        for cfg_id, cid, pub, cost, available, refs in (
            (CFG_GLOBEX_ZIP, GLOBEX, "ziprecruiter", 220, 100, ["GLX-00001", "GLX-00002", "GLX-00003"]),
            (CFG_GLOBEX_DICE, GLOBEX, "dice", 1000, 5, [f"GLX-0002{i}" for i in range(5)]),
            (CFG_INITECH_DICE, INITECH, "dice", 300, 20, ["INH-00001", "INH-00002"]),
        ):
            self.configs[cfg_id] = self._config_record(
                cfg_id,
                cid,
                pub,
                {
                    "cost": cost,
                    "availableCount": available,
                    "startDate": "2025-01-06T00:00:00.000Z",
                    "endDate": "2030-12-31T00:00:00.000Z",
                    "rotateFreqInDays": 2,
                    "jobDuration": 10,
                    "minJobDurationInDays": 2,
                },
                created,
            )
            for n, ref in enumerate(refs):
                self._add_config_job(self.configs[cfg_id], ref, created, pinned=n == 0)

    def _client_record(self, cid: str, body: dict[str, Any], status: str = "A", ats: str = "") -> dict[str, Any]:
        return {
            "id": cid,
            "children": {},
            "companyName": body["companyName"],
            "exportedName": body.get("exportedName") or re.sub(r"\W+", "-", body["companyName"].lower()),
            "startDate": body.get("startDate", ""),
            "endDate": body.get("endDate", ""),
            "timeZone": body.get("timeZone", "UTC+00:00"),
            "ats": ats,
            "caps": body.get("caps") or {},
            "startDefaultCampaign": False,
            "clientType": body.get("clientType", "DirectEmployer"),
            "markdown": 2,
            "applyConvWindow": body.get("applyConvWindow", 30),
            "excludedPublishers": [],
            "globallyExcludedPublishers": [],
            "advertiserName": body.get("advertiserName", body["companyName"]),
            "_status": status,
        }

    def _campaign_record(self, camp_id: str, cid: str, body: dict[str, Any], created: str) -> dict[str, Any]:
        return {
            "id": camp_id,
            "name": body["name"],
            "activeStatus": "A",
            "settingsOverride": {},
            "createdOn": created,
            "children": {},
            "isDefault": False,
            "caps": body.get("caps") or body.get("Caps") or {},
            "placementCaps": {},
            "startDate": body.get("startDate", ""),
            "endDate": body.get("endDate", ""),
            "_client": cid,
        }

    def _jobgroup_record(
        self, jg_id: str, cid: str, camp_id: str, body: dict[str, Any], created: str
    ) -> dict[str, Any]:
        self._iid += 1
        placements = [p for p in body.get("placements") or [] if isinstance(p, dict)]
        return {
            "id": jg_id,
            "Compound Filters": body.get("filters") or {},
            "name": body["name"],
            "placementIds": [str(p.get("placementId") or p.get("placement") or p.get("id")) for p in placements],
            "activeStatus": "A",
            "settingsOverride": {},
            "adWordsMetadata": {},
            "createdOn": created,
            "isDefault": False,
            "caps": body.get("caps") or {},
            "placementCaps": {},
            "priority": 0,
            "performanceTargets": [],
            "ioDetails": [],
            "categories": [],
            "iid": self._iid,
            "campaignId": camp_id,
            "startDate": body["startDate"],
            "endDate": body["endDate"],
            "cpcBid": body.get("cpcBid"),
            "cpaBid": body.get("cpaBid"),
            "_client": cid,
            "_campaign": camp_id,
        }

    def _feed_record(self, feed_id: str, cid: str, body: dict[str, Any], created: str) -> dict[str, Any]:
        return {
            "clientId": cid,
            "source": body["xmlFeedUrl"],
            "config": {},
            "createdOn": created,
            "lastUpdated": created,
            "active": True,
            "schemaMappings": body.get("schemaMappings") or {},
            "urlParamsToStrip": ["utm_source"],
            "id": feed_id,
            "deleted": False,
            "schemaValueOverrides": {},
            "schemaValueDefaults": {},
            "mandatoryFields": list(MANDATORY_JOB_FIELDS),
            "xmlFeedUrl": body["xmlFeedUrl"],
        }

    def _config_record(self, cfg_id: str, cid: str, pub: str, body: dict[str, Any], created: str) -> dict[str, Any]:
        record = {
            "id": cfg_id,
            "agencyId": AGENCY_ID,
            "clientIds": [cid],
            "placement": pub,
            "placementName": PUBLISHERS[pub],
            "cost": body["cost"],
            "startDate": body["startDate"],
            "endDate": body["endDate"],
            "dateFormat": body.get("dateFormat", "yyyy-MM-dd'T'HH:mm:ssZ"),
            "availableCount": body["availableCount"],
            "rotateFreqInDays": body.get("rotateFreqInDays", 1),
            "usedCount": 0,
            "lastRotated": created,
            "lastUpdated": created,
            "createdOn": created,
            "jobDuration": body.get("jobDuration", 30),
            "postedJobsCount": 0,
            "configType": "SLOT",
            "minJobDurationInDays": body.get("minJobDurationInDays", 1),
            "billingType": "PREPAID",
            "purchaseType": "ClientBilled",
            "_client": cid,
            "_publisher": pub,
            "_jobs": {},
        }
        return record

    def _config_view(self, cfg: dict[str, Any]) -> dict[str, Any]:
        out = _public(cfg)
        start, end = _parse_iso(cfg["startDate"], "startDate"), _parse_iso(cfg["endDate"], "endDate")
        per_job_day = cfg["cost"] / max(1, cfg["availableCount"]) / max(1, cfg["jobDuration"])
        out.update(
            costPerJobPerDay=round(per_job_day, 2),
            costPerSlotPerHour=round(per_job_day / 24, 4),
            duration=(end - start).days,
            isActive=start <= self._now() <= end,
            usedCount=len(cfg["_jobs"]),
            postedJobsCount=sum(1 for j in cfg["_jobs"].values() if j["isPosted"]),
        )
        return out

    def _add_config_job(self, cfg: dict[str, Any], ref: str, when: str, pinned: bool = True) -> None:
        job = self.jobs[cfg["_client"]].get(ref)
        assert job is not None
        cfg["_jobs"][ref] = {
            "id": _uid(f"{cfg['id']}:{ref}"),
            "clientId": cfg["_client"],
            "jobId": job["jobId"],
            "placement": cfg["placement"],
            "refNumber": ref,
            "isPosted": True,
            "isPinned": pinned,
            "isPaused": False,
            "lastModified": when,
            "createdOn": when,
            "status": "A",
        }

    # --------------------------------------------------------------------- auth and scoping

    def _authorize(self, call: _Call) -> None:
        api_key = call.headers.get("x-api-key")
        if not api_key or not any(hmac.compare_digest(api_key, k) for k in self.api_clients.values()):
            raise ApiError(401, "Missing or invalid x-api-key")
        token = call.headers.get("x-authorization-key")
        if not token:
            raise ApiError(403, "Missing x-authorization-key")
        minted = self.tokens.get(token)
        if minted is None:
            raise ApiError(403, "Invalid x-authorization-key")
        api_client, expires = minted
        if self.clock() >= expires:
            raise ApiError(403, "x-authorization-key has expired; generate a new access token")
        if not hmac.compare_digest(self.api_clients.get(api_client, ""), api_key):
            raise ApiError(403, "x-authorization-key was issued for another API client")

    def _client(self, cid: str) -> dict[str, Any]:
        client = self.clients.get(cid)
        if client is None:
            raise ApiError(404, f"Client {cid} not found")
        return client

    def _scoped(self, value: str | None, name: str) -> str:
        if not value:
            raise ApiError(400, f"{name} is required")
        if value not in self.clients:
            raise ApiError(403, f"{name} {value} is not a client of this agency")
        return value

    def _header_client(self, call: _Call) -> str:
        return self._scoped(call.headers.get("x-client-id"), "x-client-id header")

    def _campaign(self, cid: str, camp_id: str) -> dict[str, Any]:
        self._client(cid)
        camp = self.campaigns.get(camp_id)
        if camp is None or camp["_client"] != cid:
            raise ApiError(404, f"Campaign {camp_id} not found for client {cid}")
        return camp

    def _jobgroup(self, cid: str, camp_id: str, jg_id: str) -> dict[str, Any]:
        self._campaign(cid, camp_id)
        jg = self.jobgroups.get(jg_id)
        if jg is None or jg["_campaign"] != camp_id:
            raise ApiError(404, f"Jobgroup {jg_id} not found in campaign {camp_id}")
        return jg

    def _job(self, cid: str, ref: str) -> dict[str, Any]:
        self._client(cid)
        job = self.jobs[cid].get(ref)
        if job is None:
            raise ApiError(404, f"Job {ref} not found for client {cid}")
        return job

    def _valid_job(self, cid: str, ref: str, action: str) -> dict[str, Any]:
        job = self._job(cid, ref)
        if not job["valid"]:
            missing = [f for f in MANDATORY_JOB_FIELDS if not job.get(f)]
            raise ApiError(400, f"Job {ref} is invalid (missing {', '.join(missing)}); only valid jobs can be {action}")
        return job

    def _config(self, cid: str, pub: str, cfg_id: str) -> dict[str, Any]:
        self._publisher(cid, pub)
        cfg = self.configs.get(cfg_id)
        if cfg is None or cfg["_client"] != cid or cfg["_publisher"] != pub:
            raise ApiError(404, f"Config {cfg_id} not found for client {cid} and publisher {pub}")
        return cfg

    def _publisher(self, cid: str, pub: str) -> None:
        self._client(cid)
        if pub not in PUBLISHERS:
            raise ApiError(404, f"Publisher {pub} not found")

    @staticmethod
    def _page(call: _Call, cap: int | None = None) -> tuple[int, int]:
        values = {}
        for name in ("page", "limit"):
            raw = call.query.get(name)
            if raw is None:
                raise ApiError(400, f"query parameter {name} is required")
            try:
                values[name] = int(raw)
            except ValueError:
                raise ApiError(400, f"query parameter {name} must be an integer") from None
        page, limit = values["page"], values["limit"]
        if page < 1:
            raise ApiError(400, "page starts at 1")
        if not 1 <= limit <= MAX_LIMIT:
            raise ApiError(400, f"limit must be between 1 and {MAX_LIMIT}")
        skip = (page - 1) * limit
        if cap is not None and skip >= cap:
            raise ApiError(400, f"only the first {cap} records can be paged (page * limit too large)")
        end = skip + limit if cap is None else min(skip + limit, cap)
        return skip, end

    def _paged(self, call: _Call, items: list[Any]) -> dict[str, Any]:
        skip, end = self._page(call)
        return {"data": items[skip:end]}

    # ---------------------------------------------------------------------------- handlers

    def access_token(self, call: _Call) -> Any:
        api_key = call.headers.get("x-api-key")
        if not api_key or not any(hmac.compare_digest(api_key, k) for k in self.api_clients.values()):
            raise ApiError(401, "Missing or invalid x-api-key")
        client_id = call.obj().get("client_id")
        if not isinstance(client_id, str) or not client_id:
            raise ApiError(400, "client_id is required")
        if not hmac.compare_digest(self.api_clients.get(client_id, ""), api_key):
            raise ApiError(403, "Invalid client_id for this x-api-key")
        now = self.clock()
        header = _b64(json.dumps({"kid": "sandbox-joveo", "alg": "RS256"}).encode())
        claims = {
            "sub": client_id,
            "token_use": "access",
            "scope": "joveo/api",
            "iat": int(now),
            "exp": int(now + TOKEN_TTL),
            "jti": secrets.token_hex(8),
        }
        token = f"{header}.{_b64(json.dumps(claims).encode())}.{_b64(secrets.token_bytes(32))}"
        self.tokens[token] = (client_id, now + TOKEN_TTL)
        self.token_requests += 1
        return {"access_token": token, "expires_in": TOKEN_TTL, "token_type": "Bearer"}

    # Clients V2-V10
    def create_client(self, call: _Call) -> Any:
        body = call.obj()
        if not isinstance(body.get("companyName"), str) or not body["companyName"].strip():
            raise ApiError(400, "companyName is required")
        self._check_dates(body)
        tz = body.get("timeZone")
        if tz is not None and not (isinstance(tz, str) and re.fullmatch(r"UTC[+-]\d{1,2}:\d{2}", tz)):
            raise ApiError(400, "timeZone must look like UTC±Hh:mm, e.g. UTC-10:00")
        if "applyConvWindow" in body:
            _number(body["applyConvWindow"], "applyConvWindow", integer=True)
        cid = self._new_id("client")
        self.clients[cid] = self._client_record(cid, body)
        self.jobs[cid] = _JobStore(cid, "NEW" + cid[:4].upper(), body["companyName"], 0)
        self.cif_mappings[cid] = {}
        return {"result": cid, "message": "client created"}

    def list_clients(self, call: _Call) -> Any:
        return self._paged(call, [_public(c) for c in self.clients.values()])

    def get_client(self, call: _Call) -> Any:
        return _public(self._client(call.params["client_id"]))

    def update_client(self, call: _Call) -> Any:
        client = self._client(call.params["client_id"])
        body = call.obj()
        parts = {k: body[k] for k in ("budget", "applies") if k in body}
        if not parts or not all(isinstance(v, dict) for v in parts.values()):
            raise ApiError(400, "body needs a budget object and/or an applies object")
        client["caps"] = {**client["caps"], **parts}
        return {"result": True, "message": "Client Updated"}

    def delete_client(self, call: _Call) -> Any:
        cid = call.params["client_id"]
        self._client(cid)
        del self.clients[cid]
        for store in (self.campaigns, self.jobgroups, self.feeds, self.configs):
            for key in [k for k, v in store.items() if v.get("_client", v.get("clientId")) == cid]:
                del store[key]
        return {"result": True, "message": "Client Deleted"}

    def client_status(self, call: _Call) -> Any:
        return {"result": self._client(call.params["client_id"])["_status"], "message": "Status fetched successfully"}

    def cif(self, call: _Call) -> Any:
        self._client(call.params["client_id"])
        return dict(self.cif_mappings.get(call.params["client_id"], {}))

    def pause_client(self, call: _Call) -> Any:
        self._client(call.params["client_id"])["_status"] = "P"
        return {"result": True, "message": "Client paused"}

    def enable_client(self, call: _Call) -> Any:
        self._client(call.params["client_id"])["_status"] = "A"
        return {"result": True, "message": "Client enabled"}

    # Jobs V11-V18
    def add_job(self, call: _Call) -> Any:
        cid = call.params["client_id"]
        self._client(cid)
        body = call.obj()
        ref = body.get("refNumber")
        if not isinstance(ref, str) or not ref.strip():
            raise ApiError(400, "refNumber is required")
        store = self.jobs[cid]
        if store.get(ref) is not None:
            raise ApiError(400, f"a job with refNumber {ref} already exists")
        now = _iso(self._now())
        job = {k: v for k, v in body.items() if k != "jobType"}
        job.update(
            zip=str(body["zip"]) if "zip" in body else "",
            jobId=store.job_id(ref),
            type=body.get("jobType", "FULL_TIME"),
            createdAtDate=now,
            updatedAtDate=now,
            modifiedDate=now,
            pubDate=body.get("publishedDate", now),
            postedDate=now,
            clientId=cid,
            status="ACTIVE",
        )
        for key in ("additionalFields", "publisherFields", "jobSetting"):
            job.setdefault(key, {})
        job.setdefault("placementSettings", [])
        job["valid"] = all(job.get(f) for f in MANDATORY_JOB_FIELDS)
        store.put(job)
        return {"result": job["jobId"], "message": "Job created"}

    def list_jobs(self, call: _Call) -> Any:
        cid = call.params["client_id"]
        self._client(cid)
        store = self.jobs[cid]
        skip, end = self._page(call, cap=MAX_JOBS_REACHABLE)
        data = []
        for n, ref in enumerate(store.refs()):
            if n >= end:
                break
            if n >= skip:
                data.append(store.get(ref))
        return {"data": data, "summary": store.total()}

    def get_job(self, call: _Call) -> Any:
        return self._job(call.params["client_id"], call.params["job_reference"])

    def delete_job(self, call: _Call) -> Any:
        cid, ref = call.params["client_id"], call.params["job_reference"]
        self._job(cid, ref)
        self.jobs[cid].delete(ref)
        return {"result": True, "message": "Job deleted"}

    def update_job(self, call: _Call) -> Any:
        cid, ref = call.params["client_id"], call.params["job_reference"]
        job = dict(self._valid_job(cid, ref, "updated"))
        body = call.obj()
        if "refNumber" in body and body["refNumber"] != ref:
            raise ApiError(400, "refNumber cannot be changed")
        for key, value in body.items():
            if key == "jobType":
                job["type"] = value
            elif key == "zip":
                job["zip"] = str(value)
            elif key not in ("jobId", "clientId", "valid", "status"):
                job[key] = value
        job["updatedAtDate"] = job["modifiedDate"] = _iso(self._now())
        job["valid"] = all(job.get(f) for f in MANDATORY_JOB_FIELDS)
        self.jobs[cid].put(job)
        return {"result": job["jobId"], "message": "Job updated"}

    def _set_job_status(self, call: _Call, status: str, action: str) -> Any:
        cid, ref = call.params["client_id"], call.params["job_reference"]
        job = dict(self._valid_job(cid, ref, action))
        job["status"] = status
        self.jobs[cid].put(job)
        return {"result": True, "message": f"Job {action}"}

    def pause_job(self, call: _Call) -> Any:
        return self._set_job_status(call, "PAUSED", "paused")

    def enable_job(self, call: _Call) -> Any:
        return self._set_job_status(call, "ACTIVE", "enabled")

    def bulk_jobs(self, call: _Call) -> Any:
        cid = self._scoped(call.query.get("client_id"), "query parameter client_id")
        ids = call.json()
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ApiError(400, "body must be a JSON array of jobId strings")
        if len(ids) > MAX_LIMIT:
            raise ApiError(400, f"at most {MAX_LIMIT} jobIds per request")
        store = self.jobs[cid]
        return [job for job in (store.by_job_id(i) for i in ids) if job is not None]

    # Campaigns V19-V25
    def _check_dates(self, body: dict[str, Any]) -> None:
        start = _parse_mdy(body["startDate"], "startDate") if "startDate" in body else None
        end = _parse_mdy(body["endDate"], "endDate") if "endDate" in body else None
        if start and end and end < start:
            raise ApiError(400, "endDate must not be before startDate")

    def create_campaign(self, call: _Call) -> Any:
        cid = call.params["client_id"]
        self._client(cid)
        body = call.obj()
        if not isinstance(body.get("name"), str) or not body["name"].strip():
            raise ApiError(400, "name is required")
        self._check_dates(body)
        camp_id = self._new_id("campaign")
        self.campaigns[camp_id] = self._campaign_record(camp_id, cid, body, _iso(self._now()))
        return {"result": camp_id, "message": "campaign created"}

    def _campaign_view(self, camp: dict[str, Any]) -> dict[str, Any]:
        out = _public(camp)
        out["children"] = {"jobGroupIds": [j["id"] for j in self.jobgroups.values() if j["_campaign"] == camp["id"]]}
        return out

    def list_campaigns(self, call: _Call) -> Any:
        cid = call.params["client_id"]
        self._client(cid)
        return self._paged(call, [self._campaign_view(c) for c in self.campaigns.values() if c["_client"] == cid])

    def get_campaign(self, call: _Call) -> Any:
        return self._campaign_view(self._campaign(call.params["client_id"], call.params["campaign_id"]))

    def delete_campaign(self, call: _Call) -> Any:
        camp = self._campaign(call.params["client_id"], call.params["campaign_id"])
        del self.campaigns[camp["id"]]
        for jg_id in [k for k, v in self.jobgroups.items() if v["_campaign"] == camp["id"]]:
            del self.jobgroups[jg_id]
        return {"result": True, "message": "Campaign deleted"}

    def update_campaign(self, call: _Call) -> Any:
        camp = self._campaign(call.params["client_id"], call.params["campaign_id"])
        caps = call.obj().get("caps")
        if not isinstance(caps, dict):
            raise ApiError(400, "caps object is required")
        camp["caps"] = {**camp["caps"], **caps}
        return {"result": True, "message": "Campaign updated"}

    def _set_campaign_status(self, call: _Call, status: str, action: str) -> Any:
        self._campaign(call.params["client_id"], call.params["campaign_id"])["activeStatus"] = status
        return {"result": True, "message": f"Campaign {action}"}

    def pause_campaign(self, call: _Call) -> Any:
        return self._set_campaign_status(call, "P", "paused")

    def enable_campaign(self, call: _Call) -> Any:
        return self._set_campaign_status(call, "A", "enabled")

    # Job groups V26-V33
    def create_jobgroup(self, call: _Call) -> Any:
        cid, camp_id = call.params["client_id"], call.params["campaign_id"]
        self._campaign(cid, camp_id)
        body = call.obj()
        if not isinstance(body.get("name"), str) or not body["name"].strip():
            raise ApiError(400, "name is required")
        self._check_dates(body)
        body.setdefault("startDate", _mdy(self._today()))
        body.setdefault("endDate", "12/31/2099")
        for bid in ("cpcBid", "cpaBid"):
            if body.get(bid) is not None:
                _number(body[bid], bid)
        for key, kind in (("filters", dict), ("caps", dict), ("placements", list)):
            if key in body and not isinstance(body[key], kind):
                raise ApiError(400, f"{key} must be a JSON {'object' if kind is dict else 'array'}")
        jg_id = self._new_id("jobgroup")
        self.jobgroups[jg_id] = self._jobgroup_record(jg_id, cid, camp_id, body, _iso(self._now()))
        return {"result": jg_id, "message": "Jobgroup created"}

    def list_campaign_jobgroups(self, call: _Call) -> Any:
        camp = self._campaign(call.params["client_id"], call.params["campaign_id"])
        return self._paged(call, [_public(j) for j in self.jobgroups.values() if j["_campaign"] == camp["id"]])

    def list_client_jobgroups(self, call: _Call) -> Any:
        cid = call.params["client_id"]
        self._client(cid)
        return self._paged(call, [_public(j) for j in self.jobgroups.values() if j["_client"] == cid])

    def _jg(self, call: _Call) -> dict[str, Any]:
        p = call.params
        return self._jobgroup(p["client_id"], p["campaign_id"], p["jobgroup_id"])

    def get_jobgroup(self, call: _Call) -> Any:
        return _public(self._jg(call))

    def delete_jobgroup(self, call: _Call) -> Any:
        del self.jobgroups[self._jg(call)["id"]]
        return {"result": True, "message": "Jobgroup deleted"}

    def update_jobgroup(self, call: _Call) -> Any:
        jg = self._jg(call)
        body = call.obj()
        allowed = ("name", "cpaBid", "cpcBid", "filters")
        if not any(k in body for k in allowed):
            raise ApiError(400, "nothing to update: send name, cpaBid, cpcBid or filters")
        if "name" in body and (not isinstance(body["name"], str) or not body["name"].strip()):
            raise ApiError(400, "name must be a non-empty string")
        for bid in ("cpaBid", "cpcBid"):
            if bid in body:
                _number(body[bid], bid)
        if "filters" in body and not isinstance(body["filters"], dict):
            raise ApiError(400, "filters must be a JSON object")
        for key in allowed:
            if key in body:
                jg["Compound Filters" if key == "filters" else key] = body[key]
        return {"result": True, "message": "Jobgroup updated"}

    def pause_jobgroup(self, call: _Call) -> Any:
        self._jg(call)["activeStatus"] = "P"
        return {"result": True, "message": "Jobgroup paused"}

    def enable_jobgroup(self, call: _Call) -> Any:
        self._jg(call)["activeStatus"] = "A"
        return {"result": True, "message": "Jobgroup enabled"}

    # Feeds V34-V38
    def _feed(self, call: _Call) -> dict[str, Any]:
        cid, feed_id = call.params["client_id"], call.params["feed_id"]
        self._client(cid)
        feed = self.feeds.get(feed_id)
        if feed is None or feed["clientId"] != cid:
            raise ApiError(404, f"Feed {feed_id} not found for client {cid}")
        return feed

    @staticmethod
    def _check_feed_url(body: dict[str, Any], required: bool) -> None:
        url = body.get("xmlFeedUrl")
        if url is None and not required:
            return
        if not isinstance(url, str) or not re.match(r"https?://", url):
            raise ApiError(400, "xmlFeedUrl must be an http(s) URL")

    def create_feed(self, call: _Call) -> Any:
        cid = call.params["client_id"]
        self._client(cid)
        body = call.obj()
        self._check_feed_url(body, required=True)
        feed_id = self._new_id("feed")
        self.feeds[feed_id] = self._feed_record(feed_id, cid, body, _iso(self._now()))
        return {"result": feed_id, "message": "Feed created"}

    def list_feeds(self, call: _Call) -> Any:
        cid = call.params["client_id"]
        self._client(cid)
        return self._paged(call, [_public(f) for f in self.feeds.values() if f["clientId"] == cid])

    def get_feed(self, call: _Call) -> Any:
        return _public(self._feed(call))

    def delete_feed(self, call: _Call) -> Any:
        del self.feeds[self._feed(call)["id"]]
        return {"result": True, "message": "Feed deleted"}

    def update_feed(self, call: _Call) -> Any:
        feed = self._feed(call)
        body = call.obj(allow_empty=True)
        self._check_feed_url(body, required=False)
        if "xmlFeedUrl" in body:
            feed["xmlFeedUrl"] = feed["source"] = body["xmlFeedUrl"]
        for key in ("schemaMappings", "schemaMappingPublisher"):
            if key in body:
                if not isinstance(body[key], dict):
                    raise ApiError(400, f"{key} must be a JSON object")
                feed[key] = body[key]
        feed["lastUpdated"] = _iso(self._now())
        return {"result": feed["id"], "message": "Feed updated"}

    # Posting jobs and configs V39-V48
    def publisher_jobs(self, call: _Call) -> Any:
        cid, pub = call.params["client_id"], call.params["publisher_id"]
        self._publisher(cid, pub)
        pinned = _bool_param(call.query, "pinned")
        jobs = [
            j
            for c in self.configs.values()
            if c["_client"] == cid and c["_publisher"] == pub
            for j in c["_jobs"].values()
            if j["isPosted"] and pinned in (None, j["isPinned"])
        ]
        return self._paged(call, jobs)

    def add_config_jobs(self, call: _Call) -> Any:
        cid, cfg_id = call.params["client_id"], call.params["config_id"]
        self._client(cid)
        cfg = self.configs.get(cfg_id)
        if cfg is None or cfg["_client"] != cid:
            raise ApiError(404, f"Config {cfg_id} not found for client {cid}")
        refs = call.json()
        if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
            raise ApiError(400, "body must be a JSON array of job reference strings")
        added, failed = [], []
        for ref in refs:
            job = self.jobs[cid].get(ref)
            if ref in cfg["_jobs"]:
                failed.append({"refNumber": ref, "reason": "already in config"})
            elif job is None:
                failed.append({"refNumber": ref, "reason": "job not found"})
            elif not job["valid"]:
                failed.append({"refNumber": ref, "reason": "job is invalid"})
            elif len(cfg["_jobs"]) >= cfg["availableCount"]:
                failed.append({"refNumber": ref, "reason": "no available posting slots"})
            else:
                self._add_config_job(cfg, ref, _iso(self._now()))
                added.append(ref)
        return {"result": {"added": added, "failed": failed}, "message": "Create request processed"}

    def _config_body(self, body: dict[str, Any], create: bool) -> None:
        if create:
            for key in ("cost", "availableCount", "startDate", "endDate"):
                if key not in body:
                    raise ApiError(400, f"{key} is required")
        for key in ("cost",):
            if key in body:
                _number(body[key], key)
        for key in ("availableCount", "rotateFreqInDays", "jobDuration", "minJobDurationInDays"):
            if key in body:
                _number(body[key], key, integer=True)
        dates = {k: _parse_iso(body[k], k) for k in ("startDate", "endDate") if k in body}
        if len(dates) == 2 and dates["endDate"].date() < dates["startDate"].date():
            raise ApiError(400, "endDate must not be before startDate")

    def create_config(self, call: _Call) -> Any:
        cid, pub = call.params["client_id"], call.params["publisher_id"]
        self._publisher(cid, pub)
        body = call.obj()
        self._config_body(body, create=True)
        cfg_id = self._new_id("config")
        self.configs[cfg_id] = self._config_record(cfg_id, cid, pub, body, _iso(self._now()))
        return {"result": cfg_id, "message": "Config created"}

    def list_publisher_configs(self, call: _Call) -> Any:
        cid, pub = call.params["client_id"], call.params["publisher_id"]
        self._publisher(cid, pub)
        return {
            "data": [
                self._config_view(c) for c in self.configs.values() if c["_client"] == cid and c["_publisher"] == pub
            ]
        }

    def _cfg(self, call: _Call) -> dict[str, Any]:
        p = call.params
        return self._config(p["client_id"], p["publisher_id"], p["config_id"])

    def update_config(self, call: _Call) -> Any:
        cfg = self._cfg(call)
        body = call.obj()
        if "startDate" in body:
            raise ApiError(400, "startDate cannot be updated")
        self._config_body({"startDate": cfg["startDate"], **body}, create=False)
        for key in ("cost", "endDate", "availableCount", "rotateFreqInDays", "jobDuration", "minJobDurationInDays"):
            if key in body:
                cfg[key] = body[key]
        cfg["lastUpdated"] = _iso(self._now())
        return {"result": True, "message": "Config update processed"}

    def get_config(self, call: _Call) -> Any:
        return self._config_view(self._cfg(call))

    def delete_config(self, call: _Call) -> Any:
        del self.configs[self._cfg(call)["id"]]
        return {"result": True, "message": "Config update processed"}

    def config_jobs(self, call: _Call) -> Any:
        cfg = self._cfg(call)
        wanted = {k: _bool_param(call.query, k) for k in ("isPaused", "isPinned", "isPosted")}
        status = call.query.get("status")
        if status is not None and status not in ("A", "P"):
            raise ApiError(400, "status must be A or P")
        jobs = [
            j
            for j in cfg["_jobs"].values()
            if all(v is None or j[k] == v for k, v in wanted.items()) and status in (None, j["status"])
        ]
        return {"data": jobs}

    def config_job(self, call: _Call) -> Any:
        job = self._cfg(call)["_jobs"].get(call.params["job_reference"])
        if job is None:
            raise ApiError(404, f"Job {call.params['job_reference']} is not in this config")
        return job

    def list_client_configs(self, call: _Call) -> Any:
        cid = call.params["client_id"]
        self._client(cid)
        return self._paged(call, [self._config_view(c) for c in self.configs.values() if c["_client"] == cid])

    # Stats, meta, rules, reports V49-V56
    def _selection(self, cid: str, filters: Any) -> tuple[date, date, list[dict[str, Any]]]:
        if filters is None:
            filters = {}
        if not isinstance(filters, dict):
            raise ApiError(400, "filters must be a JSON object")
        today = self._today()
        start = _parse_mdy(filters["startDate"], "startDate") if "startDate" in filters else today - timedelta(days=29)
        end = _parse_mdy(filters["endDate"], "endDate") if "endDate" in filters else today
        if end < start:
            raise ApiError(400, "endDate must not be before startDate")
        campaigns = _ids(filters.get("campaignIds"), "campaignIds")
        groups = _ids(filters.get("jobGroupIds"), "jobGroupIds")
        selected = [
            jg
            for jg in self.jobgroups.values()
            if jg["_client"] == cid
            and (campaigns is None or jg["_campaign"] in campaigns)
            and (groups is None or jg["id"] in groups)
        ]
        return start, end, selected

    def _stats_rows(
        self, cid: str, start: date, end: date, jgs: list[dict[str, Any]], levels: list[str]
    ) -> list[dict[str, Any]]:
        today = self._today()
        lo, hi = max(start, today - timedelta(days=STATS_WINDOW_DAYS - 1)), min(end, today)
        client = self.clients[cid]
        base = []
        for jg in jgs:
            days = 0
            if lo <= hi and not self._pause_reasons(jg):
                a = max(lo, _parse_mdy(jg["startDate"], "startDate"))
                b = min(hi, _parse_mdy(jg["endDate"], "endDate"))
                days = max(0, (b - a).days + 1)
            clicks = days * (15 + int(hashlib.md5(jg["id"].encode()).hexdigest()[:2], 16) % 25)
            camp = self.campaigns[jg["_campaign"]]
            base.append(
                {
                    "clientId": cid,
                    "clientName": client["companyName"],
                    "campaignId": camp["id"],
                    "campaignName": camp["name"],
                    "jobGroupId": jg["id"],
                    "jobGroupName": jg["name"],
                    "clicks": clicks,
                    "applies": clicks // 9,
                    "spend": round(clicks * float(jg.get("cpcBid") or 0), 2),
                    "startDate": _mdy(start),
                    "endDate": _mdy(end),
                }
            )
        keys = [k for level in levels for k in LEVEL_KEYS.get(level, ())] or list(LEVEL_KEYS["JOBGROUP"])
        grouped: dict[tuple[Any, ...], dict[str, Any]] = {}
        for row in base:
            out = grouped.setdefault(
                tuple(row[k] for k in keys),
                {
                    **{k: row[k] for k in keys},
                    "clicks": 0,
                    "applies": 0,
                    "spend": 0.0,
                    "startDate": row["startDate"],
                    "endDate": row["endDate"],
                },
            )
            out["clicks"] += row["clicks"]
            out["applies"] += row["applies"]
            out["spend"] = round(out["spend"] + row["spend"], 2)
        rows = list(grouped.values())
        for row in rows:  # ratios are recomputed after grouping, never summed
            row["cpc"] = round(row["spend"] / row["clicks"], 2) if row["clicks"] else 0.0
            row["cpa"] = round(row["spend"] / row["applies"], 2) if row["applies"] else 0.0
        return rows

    @staticmethod
    def _levels(spec: Any) -> list[str]:
        if not isinstance(spec, dict) or not isinstance(spec.get("primaryLevel"), str) or not spec["primaryLevel"]:
            raise ApiError(400, "aggregationLevel.primaryLevel is required")
        levels = []
        for key in ("primaryLevel", "secondaryLevel", "tertiaryLevel"):
            value = spec.get(key)
            if value is None:
                continue
            if not isinstance(value, str) or not value:
                raise ApiError(400, f"aggregationLevel.{key} must be a non-empty string")
            levels.append(value.upper().replace("_", ""))
        if len(set(levels)) != len(levels):
            raise ApiError(400, "primaryLevel, secondaryLevel and tertiaryLevel values should be unique")
        return levels

    def submit_stats(self, call: _Call) -> Any:
        cid = self._header_client(call)
        body = call.obj()
        levels = self._levels(body.get("aggregationLevel"))
        start, end, jgs = self._selection(cid, body.get("filters"))
        rows = self._stats_rows(cid, start, end, jgs, levels)
        task_id = self._new_id("stats-task")
        self.stats_tasks[task_id] = {
            "client": cid,
            "polls": 0,
            "rows": rows,
            "result": "SUCCESS" if sum(r["clicks"] for r in rows) else "NO_RECORDS_FOUND",
        }
        return PlainTextResponse(
            "NO_CONTENT", headers={"x-task-id": task_id, "Location": f"/v1/stats/reports/{task_id}/status"}
        )

    def stats_status(self, call: _Call) -> Any:
        cid = self._header_client(call)
        task = self.stats_tasks.get(call.params["taskId"])
        if task is None or task["client"] != cid:
            raise ApiError(404, f"Task {call.params['taskId']} not found")
        task["polls"] += 1
        if task["polls"] <= self.stats_polls_in_progress:
            return {"status": "IN_PROGRESS"}
        if task["result"] == "NO_RECORDS_FOUND":
            return {"status": "NO_RECORDS_FOUND"}
        return {"status": "SUCCESS", "location": [f"{REPORT_HOST}/{call.params['taskId']}.csv"]}

    def _report_body(self, body: dict[str, Any], need_group: bool) -> None:
        if need_group and body.get("groupBy") not in REPORT_GROUP_BY:
            raise ApiError(400, f"groupBy must be one of {', '.join(REPORT_GROUP_BY)}")
        if "groupByPublisher" in body and not isinstance(body["groupByPublisher"], bool):
            raise ApiError(400, "groupByPublisher must be true or false")
        url = body.get("callBackUrl")
        if url is not None and not isinstance(url, str):
            raise ApiError(400, "callBackUrl must be a string")

    def stream_stats(self, call: _Call) -> Any:
        cid = self._header_client(call)
        if not self.stream_deployed:
            raise ApiError(501, "The stats stream API is work in progress and not deployed yet")
        body = call.obj()
        self._report_body(body, need_group=True)
        start, end, jgs = self._selection(cid, body.get("filterBy"))
        return {"streamNumber": 1, "stats": self._stats_rows(cid, start, end, jgs, [body["groupBy"]])}

    def meta(self, call: _Call) -> Any:
        cid = self._header_client(call)
        campaigns = []
        for camp in self.campaigns.values():
            if camp["_client"] != cid:
                continue
            groups = [
                {k: jg[k] for k in ("id", "name", "activeStatus", "startDate", "endDate", "cpcBid", "cpaBid")}
                for jg in self.jobgroups.values()
                if jg["_campaign"] == camp["id"]
            ]
            campaigns.append(
                {
                    "id": camp["id"],
                    "name": camp["name"],
                    "activeStatus": camp["activeStatus"],
                    "isDefault": camp["isDefault"],
                    "jobgroups": groups,
                }
            )
        return {"success": True, "campaigns": campaigns}

    def apply_rules(self, call: _Call) -> Any:
        cid = self._header_client(call)
        body = call.obj()
        if body.get("clientId") not in (None, cid):
            raise ApiError(400, "clientId in the body does not match x-client-id")
        enums = {
            "filterLevel": ("clients", "jobs", "campaign", "jobgroups"),
            "conditionOp": ("OR", "AND"),
            "jobFilterLevel": ("clients", "campaign", "jobgroups"),
        }
        for key, allowed in enums.items():
            if key in body and body[key] not in allowed:
                raise ApiError(400, f"{key} must be one of {', '.join(allowed)}")
        if not isinstance(body.get("name"), str) or not body["name"]:
            raise ApiError(400, "name is required")
        self._check_dates(body)
        if "campaignId" in body:
            self._campaign(cid, body["campaignId"])
        if "jobGroupId" in body:
            jg = self.jobgroups.get(body["jobGroupId"])
            if jg is None or jg["_client"] != cid:
                raise ApiError(404, f"Jobgroup {body['jobGroupId']} not found for client {cid}")
        rule = {"id": self._new_id("rule"), **body, "clientId": cid, "status": "A"}
        self.rules.append(rule)
        return {"data": rule, "success": True}

    def _new_report(self, call: _Call, kind: str) -> Any:
        cid = self._header_client(call)
        body = call.obj()
        self._report_body(body, need_group=kind == "stats")
        if "filterBy" in body and not isinstance(body["filterBy"], dict):
            raise ApiError(400, "filterBy must be a JSON object")
        report_id = self._new_id(f"report-{kind}")
        self.reports[report_id] = {"client": cid, "kind": kind, "polls": 0, "body": body}
        return JSONResponse({"reportId": report_id}, headers={"x-report-id": report_id})

    def create_report(self, call: _Call) -> Any:
        return self._new_report(call, "stats")

    def create_ip_report(self, call: _Call) -> Any:
        return self._new_report(call, "ip")

    def get_report(self, call: _Call) -> Any:
        cid = self._header_client(call)
        report_id = call.params["report_id"]
        report = self.reports.get(report_id)
        if report is None or report["client"] != cid:
            raise ApiError(404, f"Report {report_id} not found")
        report["polls"] += 1
        if report["polls"] <= self.report_polls_in_progress:
            return {"reportId": report_id, "status": "IN_PROGRESS", "url": None}
        return {"reportId": report_id, "status": "SUCCESS", "url": f"{REPORT_HOST}/{report_id}.csv"}

    # Funnel, S2S, publisher reports V57-V60
    def funnel(self, call: _Call) -> Any:
        cid = self._header_client(call)
        body = call.json()
        items = body if isinstance(body, list) else [body]
        if not items:
            raise ApiError(400, "at least one candidate status is required")
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                raise ApiError(400, f"item {n} must be a JSON object")
            for key in ("jobApplicationId", "candidateStatus", "timestamp"):
                if not isinstance(item.get(key), str) or not item[key]:
                    raise ApiError(400, f"item {n}: {key} is required")
            if not self._timestamp_ok(item["timestamp"]):
                raise ApiError(400, f"item {n}: timestamp {item['timestamp']!r} is not a supported date-time")
        value = self._new_id("funnel")
        self.funnel_events.extend({"client": cid, "batch": value, **item} for item in items)
        return {"success": True, "failure": False, "value": value}

    @staticmethod
    def _timestamp_ok(value: str) -> bool:
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
            return True
        except ValueError:
            pass
        for fmt in ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y %H:%M:%S"):
            try:
                datetime.strptime(value, fmt)
                return True
            except ValueError:
                continue
        return value.isdigit()  # epoch milliseconds

    def s2s(self, call: _Call) -> Any:
        cid = self._scoped(call.headers.get("client_id"), "client_id header")
        body = call.obj()
        if not isinstance(body.get("clickId"), str) or not body["clickId"]:
            raise ApiError(400, "clickId is required")
        if body.get("a") not in ("1", "2", "3"):
            raise ApiError(400, "a must be '1' (VIEW), '2' (APPLY_START) or '3' (APPLY)")
        app_id = body.get("jobApplicationId")
        duplicate = app_id is not None and any(
            e["client"] == cid and e.get("jobApplicationId") == app_id for e in self.s2s_events
        )
        self.s2s_events.append({"client": cid, "duplicate": duplicate, **body})
        return {"statusCode": 200, "body": "Successfully sent s2s conversion event for further processing."}

    def publisher_report(self, call: _Call) -> Any:
        family = call.params["publisherFamilyId"]
        if family not in PUBLISHER_FAMILIES:
            raise ApiError(404, f"Publisher family {family} not found")
        body = call.obj()
        if body.get("period") not in PUBLISHER_PERIODS:
            raise ApiError(400, f"period must be one of {', '.join(PUBLISHER_PERIODS)}")
        if body.get("publisherFamilyId") not in (None, family):
            raise ApiError(400, "publisherFamilyId in the body does not match the path")
        if body.get("clientId") is not None and body["clientId"] not in self.clients:
            raise ApiError(400, f"clientId {body['clientId']} is not associated with this publisher family")
        report_id = self._new_id("publisher-report")
        self.publisher_reports[report_id] = {"family": family, "polls": 0, "body": body}
        return {"success": True, "reportId": report_id}

    def publisher_report_status(self, call: _Call) -> Any:
        family, report_id = call.params["publisherFamilyId"], call.params["reportId"]
        report = self.publisher_reports.get(report_id)
        if report is None or report["family"] != family:
            raise ApiError(404, f"Report {report_id} not found")
        report["polls"] += 1
        if report["polls"] <= self.report_polls_in_progress:
            return {"success": True, "reportId": report_id, "status": "IN_PROGRESS", "url": None}
        return {"success": True, "reportId": report_id, "status": "SUCCESS", "url": f"{REPORT_HOST}/{report_id}.csv"}

    # ------------------------------------------------------------------------------ routing

    def _endpoint(self, handler: Callable[[_Call], Any], auth: bool = True) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            call = _Call(dict(request.path_params), request.query_params, request.headers, await request.body())
            try:
                if auth:
                    self._authorize(call)
                result = handler(call)
            except ApiError as exc:
                return JSONResponse({"message": exc.message}, status_code=exc.status)
            return result if isinstance(result, Response) else JSONResponse(result)

        return endpoint

    def routes(self) -> list[BaseRoute]:
        c = "/v1/clients/{client_id}"
        camp = c + "/campaigns/{campaign_id}"
        jg = camp + "/jobgroups/{jobgroup_id}"
        job = c + "/jobs/{job_reference}"
        pub = c + "/publishers/{publisher_id}"
        cfg = pub + "/configs/{config_id}"
        table: list[tuple[str, str, Callable[[_Call], Any]]] = [
            ("POST", "/v1/clients", self.create_client),  # V2
            ("GET", "/v1/clients", self.list_clients),  # V3
            ("PUT", c, self.update_client),  # V4
            ("GET", c, self.get_client),  # V5
            ("DELETE", c, self.delete_client),  # V6
            ("GET", c + "/status", self.client_status),  # V7
            ("GET", c + "/cif-mappings", self.cif),  # V8
            ("POST", c + "/pause", self.pause_client),  # V9
            ("POST", c + "/enable", self.enable_client),  # V10
            ("POST", c + "/jobs", self.add_job),  # V11
            ("GET", c + "/jobs", self.list_jobs),  # V12
            ("GET", job, self.get_job),  # V13
            ("DELETE", job, self.delete_job),  # V14
            ("PUT", job, self.update_job),  # V15
            ("POST", job + "/pause", self.pause_job),  # V16
            ("POST", job + "/enable", self.enable_job),  # V17
            ("POST", "/v1/jobs/bulk", self.bulk_jobs),  # V18
            ("POST", c + "/campaigns", self.create_campaign),  # V19
            ("GET", c + "/campaigns", self.list_campaigns),  # V20
            ("GET", camp, self.get_campaign),  # V21
            ("DELETE", camp, self.delete_campaign),  # V22
            ("PUT", camp, self.update_campaign),  # V23
            ("POST", camp + "/pause", self.pause_campaign),  # V24
            ("POST", camp + "/enable", self.enable_campaign),  # V25
            ("POST", camp + "/jobgroups", self.create_jobgroup),  # V26
            ("GET", camp + "/jobgroups", self.list_campaign_jobgroups),  # V27
            ("GET", c + "/jobgroups", self.list_client_jobgroups),  # V28
            ("GET", jg, self.get_jobgroup),  # V29
            ("DELETE", jg, self.delete_jobgroup),  # V30
            ("PUT", jg, self.update_jobgroup),  # V31
            ("POST", jg + "/pause", self.pause_jobgroup),  # V32
            ("POST", jg + "/enable", self.enable_jobgroup),  # V33
            ("POST", c + "/feeds", self.create_feed),  # V34
            ("GET", c + "/feeds", self.list_feeds),  # V35
            ("GET", c + "/feeds/{feed_id}", self.get_feed),  # V36
            ("DELETE", c + "/feeds/{feed_id}", self.delete_feed),  # V37
            ("PUT", c + "/feeds/{feed_id}", self.update_feed),  # V38
            ("GET", pub + "/jobs", self.publisher_jobs),  # V39
            ("POST", c + "/configs/{config_id}/jobs", self.add_config_jobs),  # V40
            ("POST", pub + "/configs", self.create_config),  # V41
            ("GET", pub + "/configs", self.list_publisher_configs),  # V42
            ("PUT", cfg, self.update_config),  # V43
            ("GET", cfg, self.get_config),  # V44
            ("DELETE", cfg, self.delete_config),  # V45
            ("GET", cfg + "/jobs", self.config_jobs),  # V46
            ("GET", cfg + "/jobs/{job_reference}", self.config_job),  # V47
            ("GET", c + "/configs", self.list_client_configs),  # V48
            ("POST", "/v1/stats/reports", self.submit_stats),  # V49
            ("GET", "/v1/stats/reports/{taskId}/status", self.stats_status),  # V50
            ("POST", "/v1/stats/stream", self.stream_stats),  # V51
            ("GET", "/v1/meta", self.meta),  # V52
            ("POST", "/v1/rules/jobs", self.apply_rules),  # V53
            ("POST", "/v1/reports", self.create_report),  # V54
            ("POST", "/v1/reports/ip", self.create_ip_report),  # V55
            ("GET", "/v1/reports/{report_id}", self.get_report),  # V56
            ("POST", "/v1/funnel/candidate-status", self.funnel),  # V57
            ("POST", "/s2s/events", self.s2s),  # V58
            ("POST", "/v1/publisher-families/{publisherFamilyId}/reports", self.publisher_report),  # V59
            (
                "GET",
                "/v1/publisher-families/{publisherFamilyId}/reports/{reportId}",
                self.publisher_report_status,
            ),  # V60
        ]
        routes: list[BaseRoute] = [
            Route("/v1/access-token", self._endpoint(self.access_token, auth=False), methods=["POST"])  # V1
        ]
        routes += [Route(path, self._endpoint(handler), methods=[method]) for method, path, handler in table]
        return routes
