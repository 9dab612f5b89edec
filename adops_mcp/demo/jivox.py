"""Jivox: find a campaign, see why it is not live, get it approved, activate, watch it go live."""

from __future__ import annotations

from .session import DemoSession

ACCOUNT = "acme-retail"
IDX = 5302  # sandbox: NEW, both approvers approve on request


async def scenario(s: DemoSession) -> None:
    s.say("User: Which Acme retail campaigns are still NEW?")
    page = await s.call("jivox_list_retail_campaigns", {"account_id": ACCOUNT, "status": "NEW", "limit": 5})
    names = {c["retailCampaignIdx"]: c["retailCampaignName"] for c in page["campaigns"]}
    s.check(IDX in names, f"campaign {IDX} ({names.get(IDX)}) is listed as NEW")

    s.say(f"User: Activate {names.get(IDX)}.")
    await s.call(
        "jivox_activate_retail_campaign", {"account_id": ACCOUNT, "retail_campaign_idx": IDX}, expect_error=True
    )
    s.check(True, "refused before asking anyone: no approval request yet, nothing sent")

    s.say("Assistant: it needs approval first. Requesting it.")
    await s.call(
        "jivox_submit_approval_request",
        {
            "account_id": ACCOUNT,
            "retail_campaign_idx": IDX,
            "user_name": "Demo Planner",
            "user_email": "planner@example.com",
        },
    )
    status = await s.call("jivox_get_approval_status", {"account_id": ACCOUNT, "retail_campaign_idx": IDX})
    s.check(status.get("status") == "Approved", "both approvers approved")

    s.say("Assistant: approved. Activating (this starts spend, so the user confirms).")
    await s.confirm("jivox_activate_retail_campaign", {"account_id": ACCOUNT, "retail_campaign_idx": IDX})

    s.say("Assistant: watching activation progress.")
    state = None
    for _ in range(8):
        state = await s.call("jivox_get_activation_status", {"account_id": ACCOUNT, "retail_campaign_idx": IDX})
        if state.get("status") in ("ACTIVE", "FAILED"):
            break
    s.check(state is not None and state.get("status") == "ACTIVE", "the campaign went live (ACTIVE)")

    s.say("User: show me what you changed.")
    log = await s.call("adops_audit_log", {"limit": 3, "vendor": "jivox"})
    last = log["records"][0] if log["records"] else {}
    s.check(
        last.get("tool") == "jivox_activate_retail_campaign" and last.get("status") == "ok",
        "the audit log records the activation with outcome ok",
    )
