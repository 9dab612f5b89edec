"""The Joveo sandbox's state: seeded records, test helpers, authorization, scoping and paging."""

from __future__ import annotations

import hmac
import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from .common import (
    AGENCY_ID,
    CAMP_ALWAYS_ON,
    CAMP_NURSES,
    CAMP_Q3_SURGE,
    CAMP_STORES,
    CFG_GLOBEX_DICE,
    CFG_GLOBEX_ZIP,
    CFG_INITECH_DICE,
    FEED_GLOBEX,
    FEED_INITECH,
    GLOBEX,
    INITECH,
    JG_CDL_TEXAS,
    JG_FORKLIFT,
    JG_HOLIDAY,
    JG_ICU,
    JG_OWNER_OPS,
    JG_SUMMER_2024,
    JG_TRAVEL,
    MANDATORY_JOB_FIELDS,
    MAX_LIMIT,
    PUBLISHERS,
    UMBRELLA,
    ApiError,
    _Call,
    _JobStore,
    _parse_iso,
    _parse_mdy,
    _public,
    _uid,
)


class JoveoState:
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
        rows: list[dict[str, Any]] = self.stats_tasks[task_id]["rows"]
        return rows

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
    def _page(call: _Call, cap: int | None = None, first: int = 0) -> tuple[int, int]:
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
        if page < first:
            raise ApiError(400, f"page starts at {first}")
        if not 1 <= limit <= MAX_LIMIT:
            raise ApiError(400, f"limit must be between 1 and {MAX_LIMIT}")
        skip = (page - first) * limit
        if cap is not None and skip >= cap:
            raise ApiError(400, f"only the first {cap} records can be paged (page * limit too large)")
        end = skip + limit if cap is None else min(skip + limit, cap)
        return skip, end

    def _paged(self, call: _Call, items: list[Any]) -> dict[str, Any]:
        skip, end = self._page(call)
        return {"data": items[skip:end]}

    def _check_dates(self, body: dict[str, Any]) -> None:
        start = _parse_mdy(body["startDate"], "startDate") if "startDate" in body else None
        end = _parse_mdy(body["endDate"], "endDate") if "endDate" in body else None
        if start and end and end < start:
            raise ApiError(400, "endDate must not be before startDate")
