"""Delta Projects paths, the media agency and the activity read, shared by the operation table and the diagnosis."""

from __future__ import annotations

from typing import Any

from ...config import DeltaSettings
from ...vendorcall.http import VendorError
from ...vendorcall.operation import Call, decode
from ...vendorcall.request import Request, build
from ...vendorcall.sanitize import clean

MA = "/api/v1/media_agency/{mediaAgencyId}"
CLIENTS = MA + "/client"
CLIENT = CLIENTS + "/{clientId}"
P = CLIENT + "/campaign/default"
ACTIVITIES = P + "/activity"
ACTIVITY = ACTIVITIES + "/{activityId}"
PLANS = ACTIVITY + "/bidding_plan"
PLAN = PLANS + "/{biddingPlanId}"
CREATIVES = PLAN + "/creative"


class NothingSent(VendorError):
    def __init__(self, message: str) -> None:
        super().__init__("deltaprojects", message, outcome="failed")


def media_agency(call: Call) -> str:
    assert isinstance(call.settings, DeltaSettings)
    agency = getattr(call.params, "media_agency_id", None) or call.settings.media_agency_id
    if not agency:
        raise NothingSent(
            "Nothing was sent: no media agency id. Set ADOPS_DELTA_MEDIA_AGENCY_ID (from your Delta "
            "Projects representative) or pass media_agency_id."
        )
    return agency


def agency_request(call: Call, template: str, method: str = "GET", json: Any = None, **values: str) -> Request:
    """A request to `template`, with the media agency filled in from the params or the settings."""
    if "{mediaAgencyId}" in template:
        values = {"mediaAgencyId": media_agency(call), **values}
    return build(method, template, values, json=json)


async def read_activity(call: Call) -> dict[str, Any]:
    request = agency_request(call, ACTIVITY, clientId=call.params.client_id, activityId=call.params.activity_id)
    data = clean(decode(await call.fetch(request)))
    if not isinstance(data, dict):
        raise VendorError("deltaprojects", "Delta Projects answered the activity read with an unexpected body.")
    return data
