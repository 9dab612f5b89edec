"""Why is a Jivox retail campaign not live? Read-only: campaign, activation, retail settings, approval."""

from __future__ import annotations

from typing import Any

from ...vendorcall.http import VendorError
from ...vendorcall.operation import Call, Operation, decode
from ..diagnosis import Diagnoser, Diagnosis
from .models import CampaignParams
from .reads import CAMPAIGN, activation_status, approval_status, campaign_ids, get, no_approval_record, retail_settings

LIVE = ("ACTIVE",)
REQUESTER = {"user_name": "the requester's name", "user_email": "the requester's e-mail (approvers reply to it)"}


async def diagnose(call: Call) -> Diagnosis:
    p = call.params
    ids = {"account_id": p.account_id, "retail_campaign_idx": p.retail_campaign_idx}
    d = Diagnoser(f"Jivox retail campaign {p.account_id}/{p.retail_campaign_idx}")

    campaign = decode(await call.fetch(get(CAMPAIGN, campaign_ids(call)))) or {}
    d.read("jivox_get_retail_campaign")
    status = campaign.get("status")
    name = campaign.get("retailCampaignName")
    if name:
        d.subject += f" '{name}'"
    activation: dict[str, Any] = {}
    if status not in ("NEW", "DRAFT", None):
        activation = (await activation_status(call)).model_dump(exclude_none=True)
        d.read("jivox_get_activation_status")
        status = activation.get("status") or status
    evidence = {"status": status, **{k: v for k, v in activation.items() if k != "status"}}

    if status == "ACTIVE":
        d.find("live", "info", "The campaign is ACTIVE (live on its DSP).", **evidence, dsp=campaign.get("dspName"))
        return d.result(running=True, summary="Live: the campaign is ACTIVE on its DSP.")
    if status in ("IN_PROGRESS", "PUBLISHED"):
        d.find(
            "activation_in_progress",
            "blocking",
            f"Activation is under way ({status}, {activation.get('percentage', '?')}%): "
            f"{activation.get('message') or 'no message'}.",
            **evidence,
        )
        d.step("jivox_wait_for_activation", "Follow the activation until it is ACTIVE or FAILED.", **ids)
        return d.result()
    if status == "FAILED":
        d.find(
            "activation_failed",
            "blocking",
            f"Activation FAILED at {activation.get('percentage', '?')}%: {activation.get('message') or 'no message'}.",
            **evidence,
        )
        d.step(
            "jivox_activate_retail_campaign",
            "After fixing the cause named in the message (in Jivox or the DSP), retry the activation; "
            "it starts spend, so the user confirms it.",
            **ids,
        )
        return d.result()
    if status == "ENDED":
        d.find("ended", "blocking", "The campaign has ENDED (Jivox's last status; it no longer runs).", **evidence)
        d.step("jivox_list_retail_campaigns", "Find a newer campaign to run instead.", account_id=p.account_id)
        return d.result()
    if status == "EXAMINE":
        d.find(
            "under_review",
            "blocking",
            "The campaign's status is EXAMINE, which Jivox's documents list without saying what it means (it may "
            f"need a review at Jivox); Jivox's message: {activation.get('message') or 'none'}.",
            **evidence,
        )
        d.step("jivox_get_retail_campaign", "Check again later, or ask Jivox what EXAMINE needs.", **ids)
        return d.result()
    if status == "DRAFT":
        d.find(
            "draft",
            "blocking",
            "The campaign is a DRAFT (not activated; the documents do not say what a draft needs before "
            "activation: finishing it in Jivox is the likely step).",
            **evidence,
        )
        return d.result()

    # NEW (or a status Jivox did not document): never activated. What does activation still need?
    d.find("not_activated", "blocking", f"The campaign has not been activated (status {status}).", **evidence)
    try:
        settings = await retail_settings(call)
    except VendorError as exc:
        if exc.status not in (404, 405):
            raise
        settings = {}  # a guessed path (ADOPS_JIVOX_RETAIL_SETTINGS_PATH): without it, the approval status decides
        d.find(
            "retail_settings_unread",
            "info",
            f"The retail settings could not be read ({exc.status} at a path Jivox's documents do not give; "
            "ADOPS_JIVOX_RETAIL_SETTINGS_PATH): whether the account has approvers is unknown.",
            status=exc.status,
            setting="ADOPS_JIVOX_RETAIL_SETTINGS_PATH",
        )
    d.read("jivox_get_retail_settings")
    approvers = settings.get("approvers")
    if approvers == []:
        d.find(
            "approval_not_required", "info", "The account has no approvers: the campaign is pre-approved.", approvers=[]
        )
        d.step("jivox_activate_retail_campaign", "Activate it (starts spend; the user confirms).", **ids)
        return d.result()
    approval = await approval_status(call)
    d.read("jivox_get_approval_status")
    if approval is None:
        d.find(
            "approval_not_requested",
            "blocking",
            f"{no_approval_record(call)} The account requires approval.",
            approvers=[a.get("emailId") for a in approvers or [] if isinstance(a, dict)],
        )
        d.step("jivox_submit_approval_request", "E-mail the approvers for their approval.", REQUESTER, **ids)
        return d.result()
    decisions = {a.userEmail or a.userName or "?": a.approvalStatus for a in approval.approverDetails}
    evidence = {
        "approval_status": approval.status,
        "required_approvals": approval.requiredApprovals,
        "approvers": decisions,
    }
    if approval.status == "Approved":
        d.find(
            "approved_not_activated", "info", "Approval is complete; the campaign only needs activating.", **evidence
        )
        d.step("jivox_activate_retail_campaign", "Activate it (starts spend; the user confirms).", **ids)
        return d.result()
    waiting = sorted(k for k, v in decisions.items() if v == "Pending")
    refused = sorted(k for k, v in decisions.items() if v in ("Rejected", "Unavailable", "Invalid"))
    if approval.status == "Pending":
        d.find(
            "approval_pending",
            "blocking",
            f"Approval is pending ({approval.requiredApprovals} required); not yet approved by: "
            + (", ".join(waiting) or "nobody listed")
            + ".",
            **evidence,
            waiting_for=waiting,
        )
        d.step("jivox_get_approval_status", "Check again after the approvers have answered the e-mail.", **ids)
        d.step(
            "jivox_submit_approval_request",
            "Re-send the approval e-mail to those who have not answered.",
            REQUESTER,
            **ids,
        )
        return d.result()
    d.find(
        "approval_refused",
        "blocking",
        f"Approval is {approval.status}: "
        + (", ".join(f"{k} ({decisions[k]})" for k in refused) or "see evidence")
        + ".",
        **evidence,
        refused_by=refused,
    )
    d.step(
        "jivox_submit_approval_request",
        "After addressing the approvers' objections, open a new approval round.",
        REQUESTER,
        **ids,
    )
    return d.result()


DIAGNOSE: Operation = Operation(
    name="jivox_diagnose_retail_campaign",
    title="Diagnose a Jivox retail campaign",
    description="Why is this retail campaign not live? Checks status, activation, approvals; returns reasons, "
    "evidence and the next tool. Read-only.",
    vendor="jivox",
    toolset="jivox",
    effect="read",
    params=CampaignParams,
    result=Diagnosis,
    run=diagnose,
)
