"""No-op changes (issue 10 item 9): when the current state already equals the target, the answer is
"already so, nothing sent", without asking, sending or auditing; a real change is still asked."""

from __future__ import annotations

from typing import Any

import pytest

from adops_mcp.sandbox.deltaprojects import ACT_GEO, CLIENT_DE
from adops_mcp.sandbox.joveo import CAMP_ALWAYS_ON, GLOBEX, JG_CDL_TEXAS
from tests.harness import answer, connect

pytestmark = pytest.mark.anyio

CLIENT = {"client_id": GLOBEX}
CAMPAIGN = {**CLIENT, "campaign_id": CAMP_ALWAYS_ON}
JOBGROUP = {**CAMPAIGN, "jobgroup_id": JG_CDL_TEXAS}
ACTIVE_JOB = {**CLIENT, "job_reference": "GLX-00001"}
PAUSED_JOB = {**CLIENT, "job_reference": "GLX-00007"}  # the sandbox seeds every 50th job from #7 paused

# (tool, arguments, a change that makes it a no-op first, if the seed is not already so)
NOOPS: list[tuple[str, dict[str, Any], tuple[str, dict[str, Any]] | None]] = [
    ("joveo_enable_client", CLIENT, None),
    ("joveo_enable_campaign", CAMPAIGN, None),
    ("joveo_enable_jobgroup", JOBGROUP, None),
    ("joveo_enable_job", ACTIVE_JOB, None),
    ("joveo_pause_job", PAUSED_JOB, None),
    ("joveo_pause_client", CLIENT, ("joveo_pause_client", CLIENT)),
    ("joveo_pause_campaign", CAMPAIGN, ("joveo_pause_campaign", CAMPAIGN)),
    ("joveo_pause_jobgroup", JOBGROUP, ("joveo_pause_jobgroup", JOBGROUP)),
]


def changes(h: Any, vendor: str) -> int:
    """Requests that could change vendor state (Joveo's token mint is a POST that changes nothing)."""
    return len([r for r in h.requests(vendor) if r.method != "GET" and not r.path.endswith("/access-token")])


async def confirmed(h: Any, tool: str, args: dict[str, Any]) -> None:
    planned = await h.ok(tool, args)
    assert planned["status"] == "confirmation_required", planned
    done = await h.ok("confirm_action", {"confirmation_token": planned["confirmation_token"]})
    assert done["status"] == "done", done


@pytest.mark.parametrize(("tool", "args", "before"), NOOPS, ids=[t for t, _, _ in NOOPS])
async def test_already_so_is_answered_without_asking_or_sending(
    tool: str, args: dict[str, Any], before: tuple[str, dict[str, Any]] | None
) -> None:
    async with connect() as h:
        if before is not None:
            await confirmed(h, *before)
        writes = changes(h, "joveo")
        audited = len((await h.ok("adops_audit_log", {"tool": tool}))["records"])
        result = await h.ok(tool, args)
        assert result["status"] == "unchanged", result
        assert "already" in result["message"] and "Nothing was sent" in result["message"], result
        assert result.get("confirmation_token") is None
        assert changes(h, "joveo") == writes
        audit = await h.ok("adops_audit_log", {"tool": tool})
        assert len(audit["records"]) == audited, audit


async def test_no_form_is_shown_for_a_no_op() -> None:
    seen: list[str] = []
    async with connect(elicitation=answer("accept", seen=seen)) as h:
        result = await h.ok("joveo_enable_campaign", CAMPAIGN)
        assert result["status"] == "unchanged" and seen == [], (result, seen)
        assert changes(h, "joveo") == 0


async def test_a_real_change_is_still_asked_and_a_no_op_after_it() -> None:
    async with connect() as h:
        await confirmed(h, "joveo_pause_campaign", CAMPAIGN)  # A -> P: asked and sent
        assert changes(h, "joveo") == 1
        again = await h.ok("joveo_pause_campaign", CAMPAIGN)
        assert again["status"] == "unchanged" and changes(h, "joveo") == 1


async def test_delta_update_to_the_current_values_sends_nothing() -> None:
    async with connect() as h:
        current = h.sandbox["deltaprojects"].activity(ACT_GEO)
        same = {"client_id": CLIENT_DE, "activity_id": ACT_GEO, "budget": current["budget"]}
        result = await h.ok("delta_update_activity", same)
        assert result["status"] == "unchanged" and "budget" in result["message"], result
        different = await h.ok("delta_update_activity", {**same, "budget": current["budget"] + 1})
        assert different["status"] == "confirmation_required", different
        assert changes(h, "deltaprojects") == 0


async def test_the_token_of_a_change_that_became_a_no_op_sends_nothing() -> None:
    async with connect() as h:
        first = await h.ok("joveo_pause_campaign", CAMPAIGN)
        second = await h.ok("joveo_pause_campaign", CAMPAIGN)
        await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})
        late = await h.ok("confirm_action", {"confirmation_token": second["confirmation_token"]})
        assert late["status"] == "unchanged" and changes(h, "joveo") == 1, late
