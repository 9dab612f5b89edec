"""Ids in a request body that must belong to the client the call names (and the allowlist checked):
a rule's campaignId and jobGroupId travel in the body next to the x-client-id header, so each is read under
that client's path first; an id of another client's is refused before anything is written."""

from __future__ import annotations

from mcp.server.mcpserver.exceptions import ToolError

from ...vendorcall.http import VendorError
from ...vendorcall.operation import Call
from .flows import CAMPAIGN, JOBGROUP, get


async def rules_check(call: Call) -> None:
    p = call.params
    if p.job_group_id is not None and p.campaign_id is None:
        raise ToolError(
            f"Nothing was sent: give campaign_id with job_group_id, so the job group can be checked to belong to "
            f"client {p.client_id}."
        )
    for kind, template, ids in (
        ("campaign", CAMPAIGN, {"campaign_id": p.campaign_id}),
        ("job group", JOBGROUP, {"campaign_id": p.campaign_id, "jobgroup_id": p.job_group_id}),
    ):
        if any(v is None for v in ids.values()):
            continue
        try:
            found = await get(call, template, client_id=p.client_id, **ids)
        except VendorError as exc:
            if exc.status not in (403, 404):
                raise
            found = None
        if not isinstance(found, dict) or not found:
            raise ToolError(
                f"Nothing was sent: {kind} {list(ids.values())[-1]} is not one of client {p.client_id}'s "
                "(Joveo found none under that client)."
            )
