"""Jivox reads shared by the operation table, the diagnosis and the activation wait."""

from __future__ import annotations

from typing import Any

from ...config import JivoxSettings
from ...vendorcall.http import VendorError
from ...vendorcall.operation import Call, decode
from ...vendorcall.request import PLACEHOLDER, Request, build
from .models import ActivationStatus, ApprovalStatus

CAMPAIGNS = "/v2/accounts/{accountId}/retail-campaigns"
CAMPAIGN = CAMPAIGNS + "/{retailCampaignIdx}"
REDACTED = "[redacted]"


def campaign_ids(call: Call) -> dict[str, str]:
    return {"accountId": call.params.account_id, "retailCampaignIdx": str(call.params.retail_campaign_idx)}


def get(template: str, values: dict[str, str]) -> Request:
    """A GET of `template` with the placeholders it has, from `values`."""
    names = set(PLACEHOLDER.findall(template))
    return build("GET", template, {k: v for k, v in values.items() if k in names})


async def retail_settings(call: Call) -> dict[str, Any]:
    assert isinstance(call.settings, JivoxSettings)
    data = (
        decode(await call.fetch(get(call.settings.retail_settings_path, {"accountId": call.params.account_id}))) or {}
    )
    for seller in data.get("amzSellerDetails") or []:
        if isinstance(seller, dict) and "sellerAuthKey" in seller:
            seller["sellerAuthKey"] = REDACTED
    return data


async def activation_status(call: Call) -> ActivationStatus:
    """Documented spelling first; on 404 the hyphenated camelCase sibling (VENDORS.md 1.4)."""
    assert isinstance(call.settings, JivoxSettings)
    ids = campaign_ids(call)
    try:
        response = await call.fetch(get(call.settings.activation_status_path, ids))
    except VendorError as exc:
        if exc.status != 404 or not call.settings.activation_status_fallback_path:
            raise
        try:
            response = await call.fetch(get(call.settings.activation_status_fallback_path, ids))
        except VendorError as again:
            if again.status != 404:
                raise
            if exc.not_an_api_answer and again.not_an_api_answer:  # pages, not API answers: the host is wrong
                raise VendorError(
                    "jivox",
                    "Jivox answered 404 for the activation status under both known path spellings with pages that "
                    f"are not API answers: the host at {call.settings.url} (ADOPS_JIVOX_BASE_URL) is most likely "
                    "not the Jivox API, or set ADOPS_JIVOX_ACTIVATION_STATUS_PATH to the path Jivox gave you.",
                    status=404,
                ) from None
            raise VendorError(
                "jivox",
                "Jivox answered 404 for the activation status under both known path spellings: check the "
                "campaign id, or set ADOPS_JIVOX_ACTIVATION_STATUS_PATH to the path Jivox gave you.",
                status=404,
            ) from None
    return ActivationStatus.model_validate(decode(response) or {})


def no_approval_record(call: Call) -> str:
    """What an API 404 on the approval status means, in every tool that reads it: the documents do not say,
    and both readings are possible."""
    p = call.params
    return (
        f"Jivox has no approval status for retail campaign #{p.retail_campaign_idx} in account {p.account_id} "
        "(404): either no approval request was submitted for it yet (jivox_submit_approval_request), or the "
        "account or campaign id is wrong (jivox_list_retail_campaigns)."
    )


async def approval_status(call: Call) -> ApprovalStatus | None:
    """The approval status, or None when the API answers 404 (no_approval_record says what that means). A 404
    page that is not an API answer (a wrong base URL) stays the error it is."""
    try:
        response = await call.fetch(get(CAMPAIGN + "/approvalStatus", campaign_ids(call)))
    except VendorError as exc:
        if exc.status == 404 and not exc.not_an_api_answer:
            return None
        raise
    return ApprovalStatus.model_validate(decode(response) or {})


async def read_approval_status(call: Call) -> ApprovalStatus:
    """jivox_get_approval_status: the record, or the same 404 explanation the activation check gives."""
    approval = await approval_status(call)
    if approval is None:
        raise VendorError("jivox", no_approval_record(call), status=404)
    return approval
