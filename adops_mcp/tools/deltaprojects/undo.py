"""What undo can take back at Delta Projects: an activity update's budget, impression budget, eCPM, enabled
flag, name and flight stop (the same update with the values before). Geo targeting, order and override
variables are not put back; a created activity is not deleted (disable it with delta_update_activity)."""

from __future__ import annotations

from ...vendorcall.operation import Call
from ...vendorcall.reversal import Change, Reversal, field_changes, restore
from .reads import read_activity

IDS = ("client_id", "activity_id", "media_agency_id")
RESTORABLE = {
    "budget": "budget",
    "impression_budget": "impressionBudget",
    "target_ecpm": "targetECPM",
    "enabled": "enabled",
    "activity_name": "name",
    "flight_stop": "flightStop",
}
NOT_RESTORABLE = {"order_id": "orderId", "override_variables": "overrideVariables", "geo_details": "geoDetails"}


async def _update_changes(call: Call) -> list[Change]:
    current = call.state.get("current") or await read_activity(call)
    changes = field_changes(current, call.params, RESTORABLE | NOT_RESTORABLE)
    if call.params.exclude_geo is not None:
        changes.append(Change("exclude_geo", current.get("excludeGeo"), call.params.exclude_geo))
    return changes


REVERSALS: dict[str, Reversal | str] = {
    "delta_update_activity": Reversal(_update_changes, restore("delta_update_activity", IDS, tuple(RESTORABLE))),
    "delta_create_activity": "undo does not delete what was created; disable the activity with "
    "delta_update_activity (enabled=false)",
}
