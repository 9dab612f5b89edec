"""The Joveo sandbox's seeded ids, limits, request parsing helpers and the lazy job store."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.datastructures import Headers, QueryParams

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
    number: float = value
    return number


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
