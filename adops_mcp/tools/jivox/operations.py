"""Jivox retail media: approval and activation (VENDORS.md section 1).

No pause endpoint is documented (VENDORS.md 1.5), so none is invented.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from ...config import JivoxSettings, VendorSettings
from ...vendorcall.http import Auth, VendorClient, VendorError
from ...vendorcall.operation import Call, Operation, decode
from ...vendorcall.request import build
from ...vendorcall.sanitize import quoted
from ..vendor import ClientOptions, Vendor
from .diagnose import DIAGNOSE
from .models import (
    AccountPage,
    AccountParams,
    AccountSummary,
    ActivateParams,
    ActivationStatus,
    ApprovalRequestParams,
    ApprovalStatus,
    CampaignPage,
    CampaignParams,
    CampaignSummary,
    ListAccountsParams,
    ListCampaignsParams,
)
from .reads import (
    CAMPAIGN,
    CAMPAIGNS,
    activation_status,
    approval_status,
    campaign_ids,
    get,
    no_approval_record,
    read_approval_status,
    retail_settings,
)
from .undo import REVERSALS
from .wait import WAIT

FORBIDDEN = (
    "Jivox refused access (403). Jivox's documents require the MediaPlan_Tags_Create permission for activation, "
    "activation status and approval calls: the user owning ADOPS_JIVOX_API_KEY may lack it (a Jivox admin grants "
    "it), or the key cannot reach this account (jivox_list_accounts shows the ones it can)."
)


def guessed_paths(settings: VendorSettings) -> dict[str, str]:
    """The Jivox paths its documents do not give (VENDORS.md 1.4, 1.5), with the setting of each."""
    assert isinstance(settings, JivoxSettings)
    return {
        settings.retail_settings_path: "ADOPS_JIVOX_RETAIL_SETTINGS_PATH",
        settings.activation_status_fallback_path: "ADOPS_JIVOX_ACTIVATION_STATUS_FALLBACK_PATH",
    }


def make_client(settings: VendorSettings, options: ClientOptions) -> VendorClient:
    assert isinstance(settings, JivoxSettings) and settings.api_key is not None
    client = VendorClient(
        "jivox",
        settings.url,
        Auth(headers={"jvx_apikey": settings.api_key.get_secret_value()}),
        auth_hint="Check ADOPS_JIVOX_API_KEY.",
        forbidden_hint=FORBIDDEN,
        **options.kwargs(),
    )
    client.templates = (
        "/v2/accounts",
        settings.retail_settings_path,
        settings.activation_status_path,
        settings.activation_status_fallback_path,
    )
    return client


async def list_campaigns(call: Call) -> CampaignPage:
    p = call.params
    filters = []
    if p.status is not None:
        filters.append(f"status(eq){p.status.value}")
    if p.name_contains:
        filters.append(f"retailCampaignName(like){p.name_contains.replace(',', ' ')}")
    request = call.request()
    if filters:
        request = replace(request, query={**request.query, "filters": ",".join(filters)})
    data = decode(await call.fetch(request)) or {}
    campaigns = [CampaignSummary.model_validate(c) for c in data.get("campaigns", [])]
    count = int(data.get("count") or len(campaigns))
    # An empty page while the count says more remain is skipped past, not taken as the end.
    end = p.offset + (len(campaigns) or p.limit)
    return CampaignPage(campaigns=campaigns, count=count, next_offset=end if end < count else None)


async def list_accounts(call: Call) -> AccountPage:
    """One page of GET /v2/accounts (J2); Jivox pages with next/previous links, so `next` says if more remain."""
    p = call.params
    data = decode(await call.fetch(build("GET", "/v2/accounts", query={"limit": p.limit, "offset": p.offset})))
    data = data if isinstance(data, dict) else {"accounts": data or []}
    accounts = [AccountSummary.model_validate(a) for a in data.get("accounts") or [] if isinstance(a, dict)]
    more = bool(data.get("next")) and bool(accounts)
    return AccountPage(accounts=accounts, next_offset=p.offset + len(accounts) if more else None)


async def _guessed_read(call: Call, what: str, template: str, setting: str) -> dict[str, Any] | None:
    """A read on a path the Jivox documents do not give. 404/405 means this host has no such path (or no
    such record): the caller falls back on what the documents do give, and the plan says what was skipped."""
    try:
        data = decode(await call.fetch(get(template, campaign_ids(call))))
    except VendorError as exc:
        if exc.status not in (404, 405):
            raise
        fix = f"; if Jivox gave you another path, set {setting}" if setting else ""
        call.state.setdefault("skipped", []).append(
            f"the {what} was skipped (GET {template} answered {exc.status}{fix})"
        )
        return None
    return data if isinstance(data, dict) else {}


async def approval_gate(call: Call) -> None:
    """Activation needs approval status Approved, or an account with no approvers configured.

    The documents give the approval status; the retail settings path is a guess, so when it answers
    404/405 the gate rests on the approval status alone (Approved passes)."""
    assert isinstance(call.settings, JivoxSettings)
    settings = await _guessed_read(
        call,
        "retail settings check (approvers)",
        call.settings.retail_settings_path,
        "ADOPS_JIVOX_RETAIL_SETTINGS_PATH",
    )
    if settings is not None and settings.get("approvers") == []:
        call.state["approval"] = "not required (no approvers configured for the account)"
        return
    approval = await approval_status(call)
    if approval is None:
        unknown = (
            "The account's retail settings could not be read, so whether it needs approval is unknown."
            if settings is None
            else "The account requires approval (it has approvers)."
        )
        raise ToolError(f"Not activated, nothing was sent. {no_approval_record(call)} {unknown}")
    if approval.status != "Approved":
        decided = [
            f"{quoted(a.userName or '?')} <{quoted(a.userEmail or '?')}>: {quoted(a.approvalStatus or 'unknown')}"
            for a in approval.approverDetails
            if a.approvalStatus != "Approved"
        ]
        text = (
            f"Not activated, nothing was sent: approval status is {quoted(approval.status)} "
            f"({approval.requiredApprovals} approval(s) required). Not approved: "
            + ("; ".join(decided) or "none listed")
        )
        if approval.status in ("Rejected", "Invalid", "Unavailable"):
            raise ToolError(
                text + ". This approval round is closed: change the campaign to address the approvers' objections, "
                "then open a new round with jivox_submit_approval_request."
            )
        raise ToolError(text + ". Ask them to approve, then try again.")
    approvers = ", ".join(quoted(a.userName or a.userEmail or "?") for a in approval.approverDetails)
    call.state["approval"] = f"Approved ({approvers})" if approvers else "Approved"


async def activation_plan(call: Call) -> str:
    p = call.params
    campaign = await _guessed_read(call, "campaign read (name, status)", CAMPAIGN, "") or {}
    name = quoted(campaign.get("retailCampaignName") or f"#{p.retail_campaign_idx}")
    status = quoted(campaign.get("status") or "unknown")
    dsp = quoted(campaign.get("dspName")) if campaign.get("dspName") else "its DSP"
    approval = call.state.get("approval", "checked")
    skipped = call.state.get("skipped") or []
    return (
        f"Activate Jivox retail campaign {name} (#{p.retail_campaign_idx}) in account {p.account_id}: "
        f"status {status} -> activation (IN_PROGRESS, then PUBLISHED/ACTIVE). It generates trackers and assets "
        f"and pushes the campaign live on {dsp}, which starts media spend. Approval: {approval}."
        + ("".join(f" Note: {s}." for s in dict.fromkeys(skipped)))
    )


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        name="jivox_list_accounts",
        title="List Jivox accounts",
        description="Lists the accounts (accountId, name) this API key can see: the account_id every other "
        "Jivox tool needs. An account's campaigns: jivox_list_retail_campaigns.",
        vendor="jivox",
        toolset="jivox",
        effect="read",
        method="GET",
        path="/v2/accounts",
        params=ListAccountsParams,
        result=AccountPage,
        run=list_accounts,
        resource="jivox://accounts",
    ),
    Operation(
        name="jivox_list_retail_campaigns",
        title="List Jivox retail campaigns",
        description="Lists an account's retail campaigns with status and DSP, one page at a time; "
        "filter by status or name. One campaign's details: jivox_get_retail_campaign.",
        vendor="jivox",
        toolset="jivox",
        effect="read",
        method="GET",
        path=CAMPAIGNS,
        params=ListCampaignsParams,
        result=CampaignPage,
        run=list_campaigns,
    ),
    Operation(
        name="jivox_get_retail_campaign",
        title="Get a Jivox retail campaign",
        description="Reads one retail campaign (name, status, label, template) by id; to find ids, "
        "jivox_list_retail_campaigns.",
        vendor="jivox",
        toolset="jivox",
        effect="read",
        method="GET",
        path=CAMPAIGN,
        params=CampaignParams,
        resource="jivox://accounts/{account_id}/retail-campaigns/{retail_campaign_idx}",
        default=False,  # the list shows status; details through adops_find_tools
        everyday=True,
    ),
    Operation(
        name="jivox_get_retail_settings",
        title="Get Jivox retail settings",
        description="Reads an account's retail settings: approvers (empty means pre-approved), brands, "
        "media channels. Seller keys are redacted.",
        vendor="jivox",
        toolset="jivox",
        effect="read",
        method="GET",
        path="/v2/accounts/{accountId}/retail-settings",
        params=AccountParams,
        run=retail_settings,
        default=False,
    ),
    Operation(
        name="jivox_submit_approval_request",
        title="Request approval of a Jivox retail campaign",
        description="E-mails the account's approvers a preview and asks them to approve the "
        "campaign. Re-sending mails them again. Needed before activation unless the "
        "account has no approvers. Replies: jivox_get_approval_status.",
        vendor="jivox",
        toolset="jivox",
        effect="write",
        method="POST",
        path=CAMPAIGN + "/approvalRequest",
        params=ApprovalRequestParams,
    ),
    Operation(
        name="jivox_get_approval_status",
        title="Get Jivox approval status",
        description="Reads whether approvers accepted a campaign: overall status and each "
        "approver's decision (Pending, Approved, Rejected, Unavailable, Invalid). "
        "Whether it is live: jivox_get_activation_status.",
        vendor="jivox",
        toolset="jivox",
        effect="read",
        method="GET",
        path=CAMPAIGN + "/approvalStatus",
        params=CampaignParams,
        result=ApprovalStatus,
        run=read_approval_status,
        resource="jivox://accounts/{account_id}/retail-campaigns/{retail_campaign_idx}/approval-status",
    ),
    Operation(
        name="jivox_get_activation_status",
        title="Get Jivox activation status",
        description="Reads activation progress once: status (IN_PROGRESS, PUBLISHED, ACTIVE, "
        "FAILED, ...), percentage and message. Approvals: jivox_get_approval_status; to "
        "follow until done: jivox_wait_for_activation.",
        vendor="jivox",
        toolset="jivox",
        effect="read",
        method="GET",
        path="/v2/accounts/{accountId}/retailcampaigns/{retailCampaignIdx}/activationstatus",
        params=CampaignParams,
        result=ActivationStatus,
        run=activation_status,
        resource="jivox://accounts/{account_id}/retail-campaigns/{retail_campaign_idx}/activation-status",
    ),
    Operation(
        name="jivox_activate_retail_campaign",
        title="Activate a Jivox retail campaign",
        description="Pushes an approved retail campaign live on its DSP (starts spend). Checks "
        "approval first; asks the user to confirm. Then follow it with "
        "jivox_wait_for_activation.",
        vendor="jivox",
        toolset="jivox",
        effect="destructive",
        method="POST",
        path=CAMPAIGN + "/activate",
        params=ActivateParams,
        check=approval_gate,
        plan=activation_plan,
    ),
    DIAGNOSE,
    WAIT,
)

VENDOR = Vendor(
    name="jivox",
    display="Jivox",
    operations=OPERATIONS,
    make_client=make_client,
    toolsets=("jivox",),
    guessed_paths=guessed_paths,
    reversals=REVERSALS,
)
