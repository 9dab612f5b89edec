"""What undo can take back at Merchenta: a creative's status, or every creative a campaign status change moved,
each back to its status before. Merchenta's API only sets ACTIVE or INACTIVE: a creative that was PENDING
or REJECTED is never moved by a campaign change, and cannot be set back to that status."""

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
    """Every creative of the campaign: the settable ones (ACTIVE, INACTIVE) go to the target, the others
    (PENDING, REJECTED) stay as they are, which Merchenta's API cannot change."""
    target = call.params.status.value
    return [
        Change(c.creativeCode, c.approvalStatus, target if c.approvalStatus in SETTABLE else c.approvalStatus)
        for c in await campaign_creatives(call, call.params.campaign_code)
    ]


def _campaign_inverse(arguments: dict[str, Any], changes: list[Change]) -> list[tuple[str, dict[str, Any]]] | str:
    moved = [c for c in changes if c.before != c.after]
    if not moved:
        return "it moved no creative"
    campaign = arguments["campaign_code"]
    return [
        ("merchenta_set_creative_status", {"campaign_code": campaign, "creative_code": c.what, "status": c.before})
        for c in moved
    ]


REVERSALS: dict[str, Reversal | str] = {
    "merchenta_set_creative_status": Reversal(_creative_changes, _creative_inverse),
    "merchenta_set_campaign_status": Reversal(_campaign_changes, _campaign_inverse),
}
