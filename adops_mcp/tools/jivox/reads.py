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
            if again.status == 404:
                raise VendorError(
                    "jivox",
                    "Jivox answered 404 for the activation status under both known path spellings: check the "
                    "campaign id, or set ADOPS_JIVOX_ACTIVATION_STATUS_PATH to the path Jivox gave you.",
                    status=404,
                ) from None
            raise
    return ActivationStatus.model_validate(decode(response) or {})


async def approval_status(call: Call) -> ApprovalStatus | None:
    """The approval status, or None when no approval request was ever submitted (404)."""
    try:
        response = await call.fetch(get(CAMPAIGN + "/approvalStatus", campaign_ids(call)))
    except VendorError as exc:
        if exc.status == 404:
            return None
        raise
    return ApprovalStatus.model_validate(decode(response) or {})
