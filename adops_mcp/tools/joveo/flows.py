"""Request building, paging, plans and multi-call flows for the Joveo operations."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import anyio
from mcp.server.mcpserver.exceptions import ToolError

from ...config import JoveoSettings
from ...vendorcall.http import wait_bound
from ...vendorcall.operation import Call, decode
from ...vendorcall.request import Request, build
from ...vendorcall.sanitize import clean, quoted
from .models import SAMPLE_DATE_FORMAT, ClientStatus, JobGroupStatus, NextPage, Page, StatsTask, java_format

BUDGET_CHARS = 21_000  # indented JSON of short fields runs ~3 chars/token (~115 per job): under ~9,000 tokens
JOBS_REACHABLE = 10_000
RATIO_NOTE = (
    "CPC, CPA, CTA, ATH and CPH are ratios: never sum or average them across rows; recompute them from "
    "spend, clicks and applies. Numbers of the current month can still change until the 8th of the next."
)

C = "/v1/clients/{client_id}"
CAMPAIGN = C + "/campaigns/{campaign_id}"
JOBGROUP = CAMPAIGN + "/jobgroups/{jobgroup_id}"
JOB = C + "/jobs/{job_reference}"
FEED = C + "/feeds/{feed_id}"
PUBLISHER = C + "/publishers/{publisher_id}"
CONFIG = PUBLISHER + "/configs/{config_id}"
STATS_STATUS = "/v1/stats/reports/{taskId}/status"
KEEP: Any = object()  # send the body built from the params


# ----------------------------------------------------------------------------- requests


def settings(call: Call) -> JoveoSettings:
    return call.settings if isinstance(call.settings, JoveoSettings) else JoveoSettings()


def wire_page(call: Call, page: int) -> int:
    """The tool's one-based page in Joveo's numbering: lists skip limit*page (first page 0), jobs start at 1."""
    s = settings(call)
    return page - 1 + (s.jobs_page_base if call.op.name == "joveo_list_jobs" else s.page_base)


def request(call: Call, *, body: Any = KEEP) -> Request:
    """The documented request (path per ADOPS_JOVEO_PATH_*), with dates in the vendor's wire format
    (mm/dd/yyyy, client dates per ADOPS_JOVEO_CLIENT_DATE_FORMAT, ISO date-times) and Joveo's page numbers."""
    assert call.op.path is not None
    built = call.request(path=settings(call).path(call.op.name, call.op.path))
    context = {"wire": True, "client_date_format": settings(call).client_date_format}
    wire = call.params.model_dump(mode="json", by_alias=True, exclude_none=True, context=context)
    query = {k: wire.get(k, v) for k, v in built.query.items()}
    if "page" in query:
        query["page"] = wire_page(call, call.params.page)
    sent = {k: wire.get(k, v) for k, v in built.json.items()} if isinstance(built.json, dict) else built.json
    pattern = getattr(call.params, "date_format", None)
    if pattern and pattern != SAMPLE_DATE_FORMAT and isinstance(sent, dict):  # posting configs
        for key, name in (("startDate", "start_date"), ("endDate", "end_date")):
            if key in sent:
                sent[key] = java_format(getattr(call.params, name).astimezone(UTC), pattern)
    return replace(built, query=query, json=sent if body is KEEP else body)


def human_date(value: date | datetime | None, missing: str = "not set") -> str:
    """A date no reader can misread (20 April 2020): plans never show 04/05/2020."""
    if value is None:
        return missing
    day = value.date() if isinstance(value, datetime) else value
    return f"{day.day} {day.strftime('%B %Y')}"


async def send(call: Call, *, body: Any = KEEP) -> Any:
    return decode(await call.fetch(request(call, body=body), read=call.op.effect == "read"))


# The reads plans and flows make, by the operation whose path setting (ADOPS_JOVEO_PATH_*) they follow.
READS = {
    C: "joveo_get_client",
    C + "/status": "joveo_get_client_status",
    CAMPAIGN: "joveo_get_campaign",
    JOBGROUP: "joveo_get_jobgroup",
    JOB: "joveo_get_job",
    FEED: "joveo_get_feed",
    CONFIG: "joveo_get_posting_config",
    PUBLISHER + "/configs": "joveo_list_publisher_posting_configs",
    C + "/configs": "joveo_list_posting_configs",
    STATS_STATUS: "joveo_get_stats_report_status",
}


def path_of(call: Call, template: str) -> str:
    return settings(call).path(READS[template], template) if template in READS else template


async def get(call: Call, template: str, *, params: dict[str, Any] | None = None, **ids: str) -> Any:
    return decode(await call.fetch(build("GET", path_of(call, template), ids, query=params)))


def _ids(call: Call, *names: str) -> dict[str, Any]:
    """The named id fields of the call's params (validated by their model), for `get`'s path."""
    return {n: getattr(call.params, n) for n in names}


# ------------------------------------------------------------------------------- paging

SUMMARY_FIELDS: dict[str, tuple[str, ...]] = {
    "client": ("id", "companyName", "exportedName", "clientType", "startDate", "endDate", "timeZone", "ats"),
    "campaign": ("id", "name", "activeStatus", "isDefault", "startDate", "endDate", "createdOn"),
    "jobgroup": ("id", "name", "activeStatus", "campaignId", "startDate", "endDate", "cpcBid", "cpaBid", "priority"),
    "job": ("refNumber", "jobId", "title", "city", "state", "country", "category", "status", "valid", "updatedAtDate"),
    "feed": ("id", "xmlFeedUrl", "source", "active", "deleted", "lastUpdated"),
    "config": (
        "id",
        "placement",
        "placementName",
        "cost",
        "availableCount",
        "usedCount",
        "postedJobsCount",
        "isActive",
        "startDate",
        "endDate",
        "billingType",
    ),
    "posting_job": ("refNumber", "jobId", "placement", "isPosted", "isPinned", "isPaused", "status", "lastModified"),
}


def trim(item: Any, kind: str) -> dict[str, Any]:
    """A list entry: the fields that tell items apart; the get tool has the rest."""
    if not isinstance(item, dict):
        return {"value": item}
    fields = SUMMARY_FIELDS[kind]
    out = {k: item[k] for k in fields if k in item and item[k] not in (None, "")}
    if out:
        return out
    # Unknown shape: keep scalars, shortened.
    return {k: (v[:200] if isinstance(v, str) else v) for k, v in item.items() if not isinstance(v, (dict, list))}


def _size(value: Any) -> int:
    # Measured as the model reads it: clients show the result as indented JSON text.
    return len(json.dumps(value, ensure_ascii=False, default=str, indent=2))


def fit(items: list[dict[str, Any]], budget: int = BUDGET_CHARS) -> list[dict[str, Any]]:
    """The longest prefix of items whose JSON fits the budget."""
    total, kept = 2, []
    for item in items:
        total += _size(item) + 2
        if total > budget:
            break
        kept.append(item)
    return kept


def page_result(
    items: list[Any],
    kind: str,
    page: int,
    limit: int,
    *,
    total: int | None = None,
    cap: int | None = None,
    hint: str = "",
) -> Page:
    """One bounded page with how to get the next. Over budget, the page is cut and `next` resumes exactly
    after the last item shown (page-based offsets: a smaller limit that divides the offset)."""
    data = [trim(i, kind) for i in clean(items)]
    shown = fit(data)
    offset = (page - 1) * limit + len(shown)
    ceiling = min(x for x in (total, cap) if x is not None) if (total is not None or cap is not None) else None
    if len(shown) < len(data):
        step = max(d for d in range(1, max(1, len(shown)) + 1) if offset % d == 0)
        nxt: NextPage | None = NextPage(page=offset // step + 1, limit=step)
        note = f"Page cut to {len(shown)} of {len(data)} items to stay small; next continues right after them."
    elif (len(data) >= limit) and (ceiling is None or offset < ceiling):
        nxt, note = NextPage(page=page + 1, limit=limit), None
    else:
        nxt, note = None, None
    if cap is not None and nxt is not None and (nxt.page - 1) * nxt.limit >= cap:
        nxt = None
    if nxt is None and cap is not None and total is not None and total > cap and offset >= cap:
        note = f"Joveo lists only the first {cap:,} of {total:,} items. {hint}".strip()
    return Page(items=shown, page=page, limit=limit, returned=len(shown), total=total, next=nxt, note=note)


def _data(payload: Any) -> list[Any]:
    """The items of a list answer: {"data": [...]}, a bare array, or one bare object (V42's sample)."""
    if isinstance(payload, dict):
        if "data" not in payload:
            return [payload] if payload else []
        data = payload.get("data")
        return data if isinstance(data, list) else []
    return payload if isinstance(payload, list) else []


def lister(kind: str) -> Any:
    async def run(call: Call) -> Page:
        payload = await send(call)
        p = call.params
        return page_result(_data(payload), kind, p.page, p.limit)

    return run


async def list_jobs(call: Call) -> Page:
    payload = await send(call)
    p = call.params
    total = payload.get("summary") if isinstance(payload, dict) and isinstance(payload.get("summary"), int) else None
    return page_result(
        _data(payload),
        "job",
        p.page,
        p.limit,
        total=total,
        cap=JOBS_REACHABLE,
        hint="Read others with joveo_get_job (by reference) or joveo_get_jobs_bulk (by jobId).",
    )


def unpaged(kind: str) -> Any:
    """Lists Joveo does not page (configs of a publisher, jobs of a config): bounded by the budget."""

    async def run(call: Call) -> Page:
        data = _data(await send(call))
        page = page_result(data, kind, 1, max(1, len(data)))
        page.next = None
        if page.returned < len(data):
            page.note = (
                f"Showing {page.returned} of {len(data)}; narrow with the filters or read one item with its get tool."
            )
        return page

    return run


async def bulk_jobs(call: Call) -> Page:
    data = await send(call, body=list(call.params.job_ids))
    page = unpaged_page(_data(data), "job")
    found = {i.get("jobId") for i in page.items}
    missing = [i for i in call.params.job_ids if i not in found]
    if missing and page.returned == len(_data(data)):
        page.note = f"Not found: {', '.join(missing[:20])}" + (" ..." if len(missing) > 20 else "")
    return page


def unpaged_page(data: list[Any], kind: str) -> Page:
    page = page_result(data, kind, 1, max(1, len(data)))
    page.next = None
    if page.returned < len(data):
        page.note = f"Showing {page.returned} of {len(data)}; ask for fewer at a time."
    return page


# -------------------------------------------------------------------------- simple runs


async def client_status(call: Call) -> ClientStatus:
    data = await send(call)
    status = data.get("result") if isinstance(data, dict) else None
    return ClientStatus(
        client_id=call.params.client_id,
        status=status if isinstance(status, str) else None,
        active=status == "A",
        message="A = active, P = paused.",
    )


async def body_list(call: Call) -> Any:
    """V40: the body is a JSON array of job references."""
    return await send(call, body=list(call.params.job_references))


async def funnel(call: Call) -> Any:
    body = [s.model_dump(mode="json", by_alias=True, exclude_none=True) for s in call.params.statuses]
    return await send(call, body=body)


async def s2s(call: Call) -> Any:
    body = dict(request(call).json or {})
    body["a"] = {"VIEW": "1", "APPLY_START": "2", "APPLY": "3"}[call.params.event.value]
    return await send(call, body=body)


async def rules(call: Call) -> Any:
    return await send(call, body={"clientId": call.params.client_id, **(request(call).json or {})})


async def report_request(call: Call) -> Any:
    body = dict(request(call).json or {})
    p = call.params
    if p.start_date is not None or p.end_date is not None:
        filter_by = dict(body.get("filterBy") or {})
        if p.start_date is not None:
            filter_by["startDate"] = p.start_date.strftime("%m/%d/%Y")
        if p.end_date is not None:
            filter_by["endDate"] = p.end_date.strftime("%m/%d/%Y")
        body["filterBy"] = filter_by
    return await send(call, body=body)


async def stream_stats(call: Call) -> Any:
    data = await report_request(call)
    if isinstance(data, dict) and isinstance(data.get("stats"), list):
        rows = clean(data["stats"])
        shown = fit(rows, BUDGET_CHARS - 1000)
        data = {
            "streamNumber": data.get("streamNumber"),
            "stats": shown,
            "returned": len(shown),
            "total_rows": len(rows),
            "note": RATIO_NOTE
            + (
                ""
                if len(shown) == len(rows)
                else " Rows were cut to stay small: narrow filterBy or use joveo_submit_stats_report."
            ),
        }
    return data


async def publisher_report(call: Call) -> Any:
    body = request(call).json or {}
    return await send(call, body={**body, "publisherFamilyId": call.params.publisher_family_id})


# --------------------------------------------------------------------------------- stats


NO_TASK_ID = (
    "submitted; Joveo returned no task id, so this request cannot be polled. Do not submit it again (each "
    "submission starts another report). Get the numbers with joveo_stream_stats (rows now), or "
    "joveo_generate_stats_report (a report id for joveo_get_report)."
)
TASK_ID = re.compile(r"^[\w.:~-]{1,128}$")


def find_task_id(response: Any, header: str) -> str | None:
    """V49 documents no task id (its answer is text/plain NO_CONTENT): look in the headers, then the body."""
    named = response.headers.get(header)
    if named:
        return str(named)
    for key, value in response.headers.items():
        if "task" in key.lower() and TASK_ID.match(value):
            return str(value)
    match = re.search(r"/reports/([^/?#]+)(?:/status)?/?$", response.headers.get("location", ""))
    if match:
        return match.group(1)
    body = decode(response)
    if isinstance(body, dict):
        for key in ("taskId", "task_id", "taskID", "id", "reportId", "result"):
            value = body.get(key)
            if isinstance(value, str) and TASK_ID.match(value):
                return value
    if isinstance(body, str):
        text = body.strip().strip('"')
        if TASK_ID.match(text) and text.upper() not in ("NO_CONTENT", "OK", "SUCCESS", "ACCEPTED"):
            return text
    return None


async def submit_stats(call: Call) -> StatsTask:
    p = call.params
    start, end = p.window()
    filters: dict[str, Any] = dict(p.filters or {})
    filters["startDate"] = start.strftime("%m/%d/%Y")
    filters["endDate"] = end.strftime("%m/%d/%Y")
    if p.campaign_ids:
        filters["campaignIds"] = list(p.campaign_ids)
    if p.jobgroup_ids:
        filters["jobGroupIds"] = list(p.jobgroup_ids)
    levels = {"primaryLevel": p.primary_level.value}
    if p.secondary_level is not None:
        levels["secondaryLevel"] = p.secondary_level.value
    if p.tertiary_level is not None:
        levels["tertiaryLevel"] = p.tertiary_level.value
    assert call.op.path is not None
    stats = build(
        "POST",
        settings(call).path(call.op.name, call.op.path),
        json={"filters": filters, "aggregationLevel": levels},
        headers={"x-client-id": p.client_id},
    )
    response = await call.fetch(stats, read=False)  # it creates a task: never re-sent unless never connected
    task_id = find_task_id(response, settings(call).task_id_header)
    window = f"{human_date(start)} to {human_date(end)}"
    if not task_id:
        return StatsTask(task_id=None, status="SUBMITTED", message=f"Stats for {window} {NO_TASK_ID}")
    return StatsTask(
        task_id=task_id,
        status="SUBMITTED",
        message=f"Submitted stats for {window}. Wait with joveo_wait_for_stats_report "
        "(or poll joveo_get_stats_report_status).",
    )


def _task(task_id: str, data: Any) -> StatsTask:
    status = str(data.get("status") or "UNKNOWN") if isinstance(data, dict) else "UNKNOWN"
    location = data.get("location") if isinstance(data, dict) else None
    urls = [str(u) for u in location] if isinstance(location, list) else ([str(location)] if location else [])
    if status == "SUCCESS":
        message = "Ready: download the report from location."
    elif status == "NO_RECORDS_FOUND":
        message = (
            "No stats for this selection: Joveo keeps 60 days, and only job groups that ran (client, "
            "campaign and job group active, inside their dates) have numbers."
        )
    elif status in ("FAILED", "FAILURE", "ERROR"):
        message = "Joveo reports the task failed; submit it again."
    else:
        message = f"Still {status}; poll again shortly."
    return StatsTask(
        task_id=task_id, status=status, location=urls, message=message, note=RATIO_NOTE if status == "SUCCESS" else None
    )


async def stats_status(call: Call) -> StatsTask:
    return _task(call.params.task_id, await send(call))


DONE = {"SUCCESS", "NO_RECORDS_FOUND", "FAILED", "FAILURE", "ERROR"}


async def wait_stats(call: Call) -> StatsTask:
    p = call.params
    settings = call.settings
    interval = settings.poll_interval if isinstance(settings, JoveoSettings) else 2.0
    started = anyio.current_time()
    bound = wait_bound(p.max_wait_seconds)  # within the call's budget (ADOPS_TIMEOUT)
    status = build("GET", path_of(call, STATS_STATUS), {"taskId": p.task_id}, headers={"x-client-id": p.client_id})
    polls = 0
    while True:
        data = decode(await call.fetch(status))
        polls += 1
        task = _task(p.task_id, data)
        elapsed = anyio.current_time() - started
        if call.ctx is not None:
            await call.ctx.report_progress(
                min(elapsed, p.max_wait_seconds), p.max_wait_seconds, message=f"poll {polls}: {task.status}"
            )
        if task.status in DONE:
            return task
        if elapsed + interval > bound:
            task.message = (
                f"Still {task.status} after {math.ceil(elapsed)} s ({polls} polls). Call "
                f"joveo_wait_for_stats_report again with task_id {p.task_id} later."
            )
            return task
        await anyio.sleep(interval)


# ----------------------------------------------------------------------- status cascade


def _mdy(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    for fmt in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value[:10], fmt).date()
        except ValueError:
            continue
    return None


def _status(value: Any) -> str | None:
    return value if isinstance(value, str) else None


async def jobgroup_status(call: Call) -> JobGroupStatus:
    p = call.params
    client = await get(call, C + "/status", client_id=p.client_id)
    campaign = await get(call, CAMPAIGN, client_id=p.client_id, campaign_id=p.campaign_id) or {}
    group = await get(call, JOBGROUP, client_id=p.client_id, campaign_id=p.campaign_id, jobgroup_id=p.jobgroup_id) or {}
    client_state = _status(client.get("result")) if isinstance(client, dict) else None
    campaign_state = _status(campaign.get("activeStatus"))
    group_state = _status(group.get("activeStatus"))
    camp_name, group_name = campaign.get("name"), group.get("name")
    reasons: list[str] = []
    if client_state != "A":
        reasons.append(f"its client is paused (client status {quoted(client_state)})")
    if campaign_state != "A":
        reasons.append(f"its campaign {quoted(camp_name)} is paused (status {quoted(campaign_state)})")
    if group_state != "A":
        reasons.append(f"the job group itself is paused (status {quoted(group_state)})")
    today = datetime.now(UTC).date()
    start, end = _mdy(group.get("startDate")), _mdy(group.get("endDate"))
    if start is not None and today < start:
        reasons.append(f"it has not started yet (start date {quoted(group.get('startDate'))})")
    if end is not None and today > end:
        reasons.append(f"its end date {quoted(group.get('endDate'))} has passed")
    if not reasons:
        summary = f"Job group {quoted(group_name)} is running: client, campaign and job group are active and in dates."
    else:
        summary = f"Job group {quoted(group_name)} is not running: " + "; ".join(reasons) + "."
        fixes = []
        if client_state != "A":
            fixes.append("joveo_enable_client")
        if campaign_state != "A":
            fixes.append("joveo_enable_campaign")
        if group_state != "A":
            fixes.append("joveo_enable_jobgroup")
        if end is not None and today > end:
            fixes.append("a new end date (the vendor's update job group call cannot change dates)")
        if group_state == "A" and (client_state != "A" or campaign_state != "A"):
            summary += " The job group's own status is active: it is held by its parent, which must be enabled."
        if fixes:
            summary += " To resume: " + ", ".join(fixes) + "."
    return JobGroupStatus(
        running=not reasons,
        reasons=reasons,
        summary=summary,
        client_status=client_state,
        campaign_status=campaign_state,
        jobgroup_status=group_state,
        campaign_name=camp_name,
        jobgroup_name=group_name,
        start_date=group.get("startDate"),
        end_date=group.get("endDate"),
    )


# -------------------------------------------------------------------------------- plans


def _name(record: Any, key: str, fallback: str) -> str:
    value = record.get(key) if isinstance(record, dict) else None
    return f"{quoted(value)} ({fallback})" if value else fallback


async def _client(call: Call) -> tuple[str, str | None]:
    cid = call.params.client_id
    record = await get(call, C, client_id=cid) or {}
    status = await get(call, C + "/status", client_id=cid) or {}
    return _name(record, "companyName", cid), _status(status.get("result")) if isinstance(status, dict) else None


def status_plan(action: str, thing: str, status: Any, states: tuple[str, str], effects: dict[str, str]) -> str:
    """The one sentence shape of Joveo's pause, enable and delete plans.

    pause/enable: "<Action> Joveo <thing>: status <old> -> <new>. <effect>"; delete: "Delete Joveo <thing>
    (status <old>)<effect>". `states` is the (paused, active) status value of that kind of record.
    """
    if action == "delete":
        return f"Delete Joveo {thing} (status {quoted(status)}){effects['delete']}"
    new = states[0] if action == "pause" else states[1]
    same = " (already so: no change)" if status == new else ""
    return f"{action.capitalize()} Joveo {thing}: status {quoted(status)} -> {new}{same}. {effects[action]}"


async def update_client_plan(call: Call) -> str:
    record = await get(call, C, client_id=call.params.client_id) or {}
    name = _name(record, "companyName", call.params.client_id)
    current = record.get("caps") if isinstance(record, dict) else None
    changes = call.params.model_dump(mode="json", include={"budget", "applies"}, exclude_none=True)
    return (
        f"Update Joveo client {name}: caps {quoted(current)} -> apply {quoted(changes)}. "
        "This changes how much the client can spend."
    )


async def _job(call: Call) -> dict[str, Any]:
    if "job" not in call.state:
        call.state["job"] = await get(call, JOB, **_ids(call, "client_id", "job_reference")) or {}
    job: dict[str, Any] = call.state["job"]
    return job


async def job_valid_check(call: Call) -> None:
    job = await _job(call)
    if job.get("valid") is False:
        raise ToolError(
            f"Nothing was sent: job {call.params.job_reference} is invalid (Joveo only pauses, enables or updates "
            "valid jobs). Fix its fields first (title, url, city, country)."
        )


async def _campaign(call: Call) -> dict[str, Any]:
    return await get(call, CAMPAIGN, **_ids(call, "client_id", "campaign_id")) or {}


async def update_campaign_plan(call: Call) -> str:
    camp = await _campaign(call)
    name = _name(camp, "name", call.params.campaign_id)
    return (
        f"Update caps of Joveo campaign {name}: {quoted(camp.get('caps'))} -> "
        f"{quoted(call.params.caps)}. This changes how much it can spend."
    )


async def create_jobgroup_plan(call: Call) -> str:
    camp = await _campaign(call)
    p = call.params
    name = _name(camp, "name", p.campaign_id)
    bids = ", ".join(f"{k} {v}" for k, v in (("CPC bid", p.cpc_bid), ("CPA bid", p.cpa_bid)) if v is not None)
    dates = f" from {human_date(p.start_date, 'today')} to {human_date(p.end_date, 'open end')}"
    return (
        f"Create job group {quoted(p.name)} in Joveo campaign {name} "
        f"(campaign status {quoted(camp.get('activeStatus'))})"
        f"{dates}{', ' + bids if bids else ''}. It is active on creation and starts spending on matching jobs."
    )


async def _jobgroup(call: Call) -> dict[str, Any]:
    return await get(call, JOBGROUP, **_ids(call, "client_id", "campaign_id", "jobgroup_id")) or {}


async def _jobgroup_resumes(call: Call) -> str:
    """Whether an enabled job group spends again: its campaign and client must be active too."""
    held = []
    camp = await _campaign(call)
    if camp.get("activeStatus") not in (None, "A"):
        held.append(f"its campaign is paused ({quoted(camp.get('activeStatus'))})")
    client = await get(call, C + "/status", client_id=call.params.client_id) or {}
    if isinstance(client, dict) and client.get("result") not in (None, "A"):
        held.append("its client is paused")
    if held:
        return "It will still not spend: " + " and ".join(held) + "."
    return "It starts spending again."


async def update_jobgroup_plan(call: Call) -> str:
    group = await _jobgroup(call)
    p = call.params
    name = _name(group, "name", p.jobgroup_id)
    changes = []
    if p.name is not None:
        changes.append(f"name {quoted(group.get('name'))} -> {quoted(p.name)}")
    if p.cpa_bid is not None:
        changes.append(f"cpaBid {quoted(group.get('cpaBid'))} -> {p.cpa_bid}")
    if p.filters is not None:
        changes.append(f"filters {quoted(group.get('Compound Filters', group.get('filters')))} -> {quoted(p.filters)}")
    return f"Update Joveo job group {name}: " + "; ".join(changes) + ". Bids and filters change what it spends."


async def delete_feed_plan(call: Call) -> str:
    feed = await get(call, FEED, **_ids(call, "client_id", "feed_id")) or {}
    url = feed.get("xmlFeedUrl") or feed.get("source") or "?"
    return (
        f"Delete Joveo feed {call.params.feed_id} ({quoted(url)}, active {quoted(feed.get('active'))}). Irreversible; "
        "jobs imported from it may be removed and stop spending."
    )


async def _config(call: Call) -> dict[str, Any]:
    return await get(call, CONFIG, **_ids(call, "client_id", "publisher_id", "config_id")) or {}


def _slots(cfg: dict[str, Any]) -> str:
    return (
        f"cost {quoted(cfg.get('cost'))}, {quoted(cfg.get('usedCount'))}/{quoted(cfg.get('availableCount'))} slots "
        f"used, ends {quoted(cfg.get('endDate'))}"
    )


async def update_config_plan(call: Call) -> str:
    cfg = await _config(call)
    p = call.params
    wire = p.model_dump(
        mode="json",
        by_alias=True,
        exclude_none=True,
        context={"wire": True},
        exclude={"client_id", "publisher_id", "config_id"},
    )
    changes = "; ".join(f"{k} {quoted(cfg.get(k))} -> {quoted(v)}" for k, v in wire.items())
    return (
        f"Update Joveo posting config {p.config_id} on {p.publisher_id}: {changes}. "
        "This changes what the posting costs."
    )


async def delete_config_plan(call: Call) -> str:
    cfg = await _config(call)
    return (
        f"Delete Joveo posting config {call.params.config_id} on {call.params.publisher_id} ({_slots(cfg)}). "
        "Irreversible; its postings stop."
    )


async def create_config_plan(call: Call) -> str:
    p = call.params
    existing = _data(await get(call, PUBLISHER + "/configs", **_ids(call, "client_id", "publisher_id")))
    return (
        f"Create a Joveo posting config for client {p.client_id} on {p.publisher_id}: cost {p.cost} for "
        f"{p.available_count} slots from {human_date(p.start_date)} to {human_date(p.end_date)} (the client has "
        f"{len(existing)} config(s) on this publisher now). This buys paid postings."
    )


async def add_config_jobs_plan(call: Call) -> str:
    p = call.params
    first = settings(call).page_base  # the first page in Joveo's numbering
    configs = _data(await get(call, C + "/configs", params={"page": first, "limit": 1000}, client_id=p.client_id))
    cfg = next((c for c in configs if isinstance(c, dict) and c.get("id") == p.config_id), None)
    refs = ", ".join(p.job_references[:10]) + (" ..." if len(p.job_references) > 10 else "")
    state = f" on {quoted(cfg.get('placement'))} ({_slots(cfg)})" if cfg else ""
    return (
        f"Add {len(p.job_references)} job(s) to Joveo posting config {p.config_id}{state}: {refs}. "
        "Each uses a paid posting slot."
    )


async def rules_plan(call: Call) -> str:
    p = call.params
    scope = (
        (p.job_group_id and f"job group {p.job_group_id}")
        or (p.campaign_id and f"campaign {p.campaign_id}")
        or (f"client {p.client_id}")
    )
    actions = quoted(p.admin_actions) if p.admin_actions else (p.action_type or "the rule's action")
    return (
        f"Apply Joveo job rule {quoted(p.name)} to {scope} (filter level {p.filter_level or 'default'}): "
        f"{actions}. It may pause or enable many jobs at once. Joveo marks this API work in progress."
    )


# Joveo records that pause, enable and delete: (paused, active) status values, and what each action does.
STATES = {"client": ("P", "A"), "campaign": ("P", "A"), "jobgroup": ("P", "A"), "job": ("PAUSED", "ACTIVE")}
EFFECTS = {
    "client": {
        "delete": ". Irreversible: its campaigns, job groups, jobs, feeds and postings go with it and all its "
        "spend stops.",
        "pause": "All its campaigns and job groups stop spending.",
        "enable": "Its active campaigns and job groups start spending again.",
    },
    "campaign": {
        "delete": " with all its job groups. Irreversible; their spend stops.",
        "pause": "All its job groups stop spending (their own status stays as it is).",
        "enable": "Its active job groups start spending again (if the client is active).",
    },
    "jobgroup": {"delete": ". Irreversible; its spend stops.", "pause": "It stops spending."},
    "job": {
        "delete": ". Irreversible; it stops being advertised.",
        "pause": "It stops being advertised (no more spend).",
        "enable": "It is advertised again by its job groups (spend resumes).",
    },
}


def _noun(kind: str) -> str:
    return "job group" if kind == "jobgroup" else kind


async def record_state(kind: str, call: Call) -> tuple[str, Any]:
    """(name as plans show it, current status) of the client, campaign, job group or job a call names."""
    if kind == "client":
        return await _client(call)
    if kind == "job":
        job, ref = await _job(call), call.params.job_reference
        return (f"{quoted(job.get('title'))} ({ref})" if job.get("title") else ref), job.get("status")
    record = await (_campaign(call) if kind == "campaign" else _jobgroup(call))
    return _name(record, "name", getattr(call.params, f"{kind}_id")), record.get("activeStatus")


def state_plan(kind: str, action: str) -> Any:
    """The plan of pausing, enabling or deleting a Joveo client, campaign, job group or job."""

    async def plan(call: Call) -> str:
        name, status = await record_state(kind, call)
        effects = EFFECTS[kind]
        if kind == "jobgroup" and action == "enable":
            effects = {**effects, "enable": await _jobgroup_resumes(call)}
        return status_plan(action, f"{_noun(kind)} {name}", status, STATES[kind], effects)

    return plan


def already(kind: str, action: str) -> Any:
    """The `unchanged` hook of a pause/enable: the client, campaign, job group or job already has that status."""
    paused = action == "pause"

    async def unchanged(call: Call) -> str | None:
        name, status = await record_state(kind, call)
        target = STATES[kind][0 if paused else 1]
        if status != target:
            return None
        already = f"Joveo {_noun(kind)} {name} is already {'paused' if paused else 'active'} ({target})."
        if kind == "jobgroup" and not paused and (held := await _jobgroup_resumes(call)).startswith("It will still"):
            already += " " + held.replace("It will still not spend", "It does not spend") + " Enable that instead."
        return already

    return unchanged
