"""Why is a Merchenta campaign not delivering? Read-only: the status of each of its creatives."""

from __future__ import annotations

from ...vendorcall.operation import Call, Operation
from ..diagnosis import Diagnoser, Diagnosis, Severity
from .models import CampaignParams
from .reads import campaign_creatives, explain_status


async def diagnose(call: Call) -> Diagnosis:
    code = call.params.campaign_code
    d = Diagnoser(f"Merchenta campaign {code}")
    creatives = await campaign_creatives(call, code)
    d.read("merchenta_get_campaign_creatives_status")
    by_status: dict[str, list[str]] = {}
    for c in creatives:
        by_status.setdefault(c.approvalStatus or "UNKNOWN", []).append(c.creativeCode)
    notes = {c.creativeCode: c.approvalMessage for c in creatives if c.approvalMessage}
    active, pending = by_status.get("ACTIVE", []), by_status.get("PENDING", [])
    rejected, inactive = by_status.get("REJECTED", []), by_status.get("INACTIVE", [])
    running = bool(active)
    blocking: Severity = "warning" if running else "blocking"  # a problem creative only blocks when none runs

    if not creatives:
        d.find("no_creatives", "blocking", "The campaign has no creatives, so it shows no ads.", creatives=[])
        return d.result(running=False)
    if active:
        d.find(
            "delivering",
            "info",
            f"{len(active)} of {len(creatives)} creative(s) ACTIVE: the campaign shows ads.",
            active=active,
        )
    if pending:
        d.find(
            "creatives_pending_review",
            blocking,
            f"{len(pending)} creative(s) {explain_status('PENDING')}: " + ", ".join(pending) + ".",
            pending=pending,
            notes={k: notes[k] for k in pending if k in notes},
        )
        d.step(
            "merchenta_get_campaign_creatives_status",
            "Check again later: only Merchenta's review can approve them (the API cannot).",
            campaign_code=code,
        )
    if rejected:
        d.find(
            "creatives_rejected",
            blocking,
            f"{len(rejected)} creative(s) {explain_status('REJECTED')}: " + ", ".join(rejected) + ".",
            rejected=rejected,
            notes={k: notes[k] for k in rejected if k in notes},
        )
        d.step(
            "merchenta_get_creative_status",
            "Read the review note of the rejected creative before replacing it.",
            creative_code=rejected[0],
        )
    if inactive:
        all_inactive = len(inactive) == len(creatives)
        d.find(
            "all_inactive" if all_inactive else "creatives_inactive",
            "blocking" if all_inactive else ("info" if running else "warning"),
            (
                "Every creative is INACTIVE: the campaign is paused."
                if all_inactive
                else f"{len(inactive)} approved creative(s) paused (INACTIVE): " + ", ".join(inactive) + "."
            ),
            inactive=inactive,
        )
        if not running:
            d.step(
                "merchenta_set_campaign_status",
                "Resume it by setting its approved creatives ACTIVE (starts spend; the user confirms).",
                campaign_code=code,
                status="ACTIVE",
            )
    return d.result(running=running)


DIAGNOSE: Operation = Operation(
    name="merchenta_diagnose_campaign",
    title="Diagnose a Merchenta campaign",
    description="Why is this campaign not delivering? Checks its creatives' review statuses; returns reasons, "
    "evidence and the next tool. Read-only.",
    vendor="merchenta",
    toolset="merchenta",
    effect="read",
    params=CampaignParams,
    result=Diagnosis,
    run=diagnose,
)
