"""Joveo sandbox handlers: Stats, meta, rules and reports (V49-V56); funnel, S2S and publisher reports (V57-V60)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Any

from starlette.responses import JSONResponse, PlainTextResponse

from .common import (
    LEVEL_KEYS,
    PUBLISHER_FAMILIES,
    PUBLISHER_PERIODS,
    REPORT_GROUP_BY,
    REPORT_HOST,
    STATS_WINDOW_DAYS,
    ApiError,
    _Call,
    _ids,
    _mdy,
    _parse_mdy,
)
from .state import JoveoState


class Reports(JoveoState):
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
