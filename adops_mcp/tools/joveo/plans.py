"""Joveo plans (what a write will do, read from the current state) and pause/enable states; spend lives in spend.py."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from ...vendorcall.operation import Call
from ...vendorcall.sanitize import quoted
from .flows import CAMPAIGN, CONFIG, FEED, JOB, JOBGROUP, PUBLISHER, C, _data, _ids, _status, get, human_date, settings

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
# A job's paused value is a guess (only ACTIVE is documented): ADOPS_JOVEO_JOB_PAUSED_STATUS, read by states().
STATES = {"client": ("P", "A"), "campaign": ("P", "A"), "jobgroup": ("P", "A"), "job": ("PAUSED", "ACTIVE")}


def states(kind: str, call: Call) -> tuple[str, str]:
    if kind == "job":
        return settings(call).job_paused_status, "ACTIVE"
    return STATES[kind]


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
        return status_plan(action, f"{_noun(kind)} {name}", status, states(kind, call), effects)

    return plan


def already(kind: str, action: str) -> Any:
    """The `unchanged` hook of a pause/enable: the client, campaign, job group or job already has that status."""
    paused = action == "pause"

    async def unchanged(call: Call) -> str | None:
        name, status = await record_state(kind, call)
        target = states(kind, call)[0 if paused else 1]
        if status != target:
            return None
        already = f"Joveo {_noun(kind)} {name} is already {'paused' if paused else 'active'} ({target})."
        if kind == "jobgroup" and not paused and (held := await _jobgroup_resumes(call)).startswith("It will still"):
            already += " " + held.replace("It will still not spend", "It does not spend") + " Enable that instead."
        return already

    return unchanged
