"""Where spend lives in Joveo's writes, for the spend model (vendorcall/spend.py): each operation's current
record (read from Joveo, in its wire names) to compare the params' spend fields with, and the priced total of
a posting config (slots x cost). Also the plans of the writes that are destructive because they carry spend."""

from __future__ import annotations

from typing import Any

from ...vendorcall.operation import Call
from ...vendorcall.sanitize import quoted
from ...vendorcall.spend import SpendChange, amount, field_changes, spend_fields
from .flows import CAMPAIGN, CONFIG, JOB, JOBGROUP, C, _ids, get


async def _read(call: Call, template: str, *ids: str) -> dict[str, Any] | None:
    record = await get(call, template, **_ids(call, *ids))
    return record if isinstance(record, dict) and record else None


async def create_spend(call: Call) -> list[SpendChange]:
    """A new client, campaign, job group or job: every amount is new."""
    return field_changes(call.params, None, thing=f"the new {call.op.name.split('_', 2)[-1]}", creating=True)


async def update_client_spend(call: Call) -> list[SpendChange]:
    """budget and applies replace the objects of the same name under the client's caps."""
    record = await _read(call, C, "client_id")
    caps = record.get("caps") if record is not None else None
    return field_changes(call.params, caps if isinstance(caps, dict) else None, thing=f"client {call.params.client_id}")


async def update_campaign_spend(call: Call) -> list[SpendChange]:
    record = await _read(call, CAMPAIGN, "client_id", "campaign_id")
    return field_changes(call.params, record, thing=f"campaign {call.params.campaign_id}")


async def update_jobgroup_spend(call: Call) -> list[SpendChange]:
    if call.params.cpa_bid is None:
        return []
    record = await _read(call, JOBGROUP, "client_id", "campaign_id", "jobgroup_id")
    return field_changes(call.params, record, thing=f"job group {call.params.jobgroup_id}")


async def update_job_spend(call: Call) -> list[SpendChange]:
    """jobSetting and placementSettings against the job's current ones."""
    if call.params.job_setting is None and call.params.placement_settings is None:
        return []
    if "job" not in call.state:
        call.state["job"] = await get(call, JOB, **_ids(call, "client_id", "job_reference")) or {}
    return field_changes(call.params, call.state["job"], thing=f"job {call.params.job_reference}")


async def rules_spend(call: Call) -> list[SpendChange]:
    return field_changes(call.params, None, thing="the rule's actions", creating=True)


def _posting_total(cost: Any, slots: Any) -> float | None:
    price, count = amount(cost), amount(slots)
    return price * count if isinstance(price, float) and isinstance(count, float) else None


async def posting_config_spend(call: Call) -> list[SpendChange]:
    """The cost (a price, under ADOPS_MAX_BID) and what the config can spend: its slots x its cost."""
    p = call.params
    creating = call.op.name == "joveo_create_posting_config"
    record = None if creating else await _read(call, CONFIG, "client_id", "publisher_id", "config_id")
    thing = f"posting config {getattr(p, 'config_id', 'new')}"
    changes = field_changes(p, record, thing=thing, creating=creating, priced=("available_count",))
    current = record or {}
    cost = p.cost if p.cost is not None else current.get("cost")
    slots = p.available_count if p.available_count is not None else current.get("availableCount")
    if p.cost is None and p.available_count is None:
        return changes
    what = f"the total of {thing} ({slots} slots x cost {cost})"
    new = _posting_total(cost, slots)
    old = None if creating else _posting_total(current.get("cost"), current.get("availableCount"))
    changes.append(SpendChange(what, new, old, "budget", old_known=creating or old is not None))
    return changes


# ---- plans of the writes that carry spend (the requests themselves follow the plan in full)


def _spend_words(call: Call) -> str:
    given = [
        f"{name} {quoted(value)}"
        for name, value in call.params.model_dump(mode="json", by_alias=True, exclude_none=True).items()
        if name in _wire_spend_names(call)
    ]
    return f" with {', '.join(given)}" if given else ""


def _wire_spend_names(call: Call) -> set[str]:
    fields = type(call.params).model_fields
    return {fields[n].serialization_alias or n for n in spend_fields(type(call.params))}


async def create_client_plan(call: Call) -> str:
    return (
        f"Create Joveo client {quoted(call.params.company_name)}{_spend_words(call)}. "
        "Its caps bound what its campaigns can spend."
    )


async def create_campaign_plan(call: Call) -> str:
    return (
        f"Create campaign {quoted(call.params.name)} for Joveo client {call.params.client_id}{_spend_words(call)}. "
        "It spends through its active job groups."
    )


async def add_job_plan(call: Call) -> str:
    p = call.params
    return (
        f"Add job {quoted(p.title)} ({p.ref_number}) to Joveo client {p.client_id}{_spend_words(call)}. Active job "
        "groups whose filters match start advertising it (spend)."
    )


async def update_job_plan(call: Call) -> str:
    p = call.params
    if "job" not in call.state:
        call.state["job"] = await get(call, JOB, **_ids(call, "client_id", "job_reference")) or {}
    job = call.state["job"] if isinstance(call.state["job"], dict) else {}
    wire = p.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"client_id", "job_reference"})
    changes = "; ".join(f"{k} {quoted(job.get(k))} -> {quoted(v)}" for k, v in wire.items())
    title = quoted(job.get("title"))
    return f"Update Joveo job {title} ({p.job_reference}): {changes}. Its settings change what it spends."
