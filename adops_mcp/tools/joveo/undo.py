"""What undo can take back at Joveo: a pause or enable (the other one), and a budget, caps or bid update
(the same update with the values before). Deletes, creates, reports and events have no inverse."""

from __future__ import annotations

from typing import Any

from ...vendorcall.operation import Call
from ...vendorcall.reversal import Change, Reversal, field_changes, restore
from . import flows as f
from . import plans as p

IDS = ("client_id", "campaign_id", "jobgroup_id", "job_reference")


def _status(kind: str, action: str) -> Reversal:
    paused, active = p.STATES[kind]
    target, undone_by = (paused, "enable") if action == "pause" else (active, "pause")

    async def changes(call: Call) -> list[Change]:
        _, status = await p.record_state(kind, call)
        return [Change("status", status, target)]

    def inverse(arguments: dict[str, Any], changes: list[Change]) -> list[tuple[str, dict[str, Any]]] | str:
        before = changes[0].before if changes else None
        if before != (active if action == "pause" else paused):
            return f"its status before was {before!r}, which joveo_{undone_by}_{kind} does not bring back"
        return [(f"joveo_{undone_by}_{kind}", {k: arguments[k] for k in IDS if k in arguments})]

    return Reversal(changes, inverse)


async def _jobgroup_changes(call: Call) -> list[Change]:
    group = await p._jobgroup(call)
    changes = field_changes(group, call.params, {"name": "name", "cpa_bid": "cpaBid"})
    if call.params.filters is not None:
        changes.append(Change("filters", group.get("filters"), call.params.filters))
    return changes


async def _campaign_changes(call: Call) -> list[Change]:
    return field_changes(await p._campaign(call), call.params, {"caps": "caps"})


async def _client_changes(call: Call) -> list[Change]:
    record = await f.get(call, f.C, client_id=call.params.client_id) or {}
    caps = record.get("caps") if isinstance(record, dict) else None
    return field_changes(
        caps if isinstance(caps, dict) else {}, call.params, {"budget": "budget", "applies": "applies"}
    )


REVERSALS: dict[str, Reversal | str] = {
    **{f"joveo_{a}_{k}": _status(k, a) for k in p.STATES for a in ("pause", "enable")},
    "joveo_update_jobgroup": Reversal(_jobgroup_changes, restore("joveo_update_jobgroup", IDS, ("name", "cpa_bid"))),
    "joveo_update_campaign": Reversal(_campaign_changes, restore("joveo_update_campaign", IDS, ("caps",))),
    "joveo_update_client": Reversal(_client_changes, restore("joveo_update_client", IDS, ("budget", "applies"))),
    "joveo_apply_job_rules": "a rule changes many jobs by conditions, and Joveo does not say which",
}
