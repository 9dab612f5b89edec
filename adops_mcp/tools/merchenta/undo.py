"""What undo can take back at Merchenta: a creative's status, or every creative a campaign status change moved,
each back to its status before. A creative that was PENDING or REJECTED cannot be set back to that."""

from __future__ import annotations

from typing import Any

from ...vendorcall.operation import Call
from ...vendorcall.reversal import Change, Reversal
from .reads import campaign_creatives

SETTABLE = ("ACTIVE", "INACTIVE")


async def _creative_changes(call: Call) -> list[Change]:
    p = call.params
    creatives = await campaign_creatives(call, p.campaign_code)
    current = next((c.approvalStatus for c in creatives if c.creativeCode == p.creative_code), None)
    return [Change("status", current, p.status.value)]


def _creative_inverse(arguments: dict[str, Any], changes: list[Change]) -> list[tuple[str, dict[str, Any]]] | str:
    before = changes[0].before if changes else None
    if before not in SETTABLE:
        return f"the creative was {before!r} before, and Merchenta only sets ACTIVE or INACTIVE"
    back = {"campaign_code": arguments["campaign_code"], "creative_code": arguments["creative_code"], "status": before}
    return [("merchenta_set_creative_status", back)]


async def _campaign_changes(call: Call) -> list[Change]:
    """Each creative the call moves (Merchenta keeps a PENDING creative PENDING rather than make it ACTIVE)."""
    target = call.params.status.value
    return [
        Change(c.creativeCode, c.approvalStatus, target)
        for c in await campaign_creatives(call, call.params.campaign_code)
        if c.approvalStatus != target and not (c.approvalStatus == "PENDING" and target == "ACTIVE")
    ]


def _campaign_inverse(arguments: dict[str, Any], changes: list[Change]) -> list[tuple[str, dict[str, Any]]] | str:
    stuck = [f"{c.what} ({c.before})" for c in changes if c.before not in SETTABLE]
    if stuck:
        return f"Merchenta only sets ACTIVE or INACTIVE, and {', '.join(stuck)} had another status before"
    if not changes:
        return "it moved no creative"
    campaign = arguments["campaign_code"]
    return [
        ("merchenta_set_creative_status", {"campaign_code": campaign, "creative_code": c.what, "status": c.before})
        for c in changes
    ]


REVERSALS: dict[str, Reversal | str] = {
    "merchenta_set_creative_status": Reversal(_creative_changes, _creative_inverse),
    "merchenta_set_campaign_status": Reversal(_campaign_changes, _campaign_inverse),
}
